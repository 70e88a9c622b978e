// Whether a Redis-backed part is reaching Redis, told to its owner once per
// change: degraded on the first failure, recovered on the first success
// after. A part that has not yet reached Redis is neither.

/** The callbacks a Redis-backed part takes to say when it degrades and recovers. */
export interface HealthCallbacks {
  /** Called once when Redis stops answering (unreachable, killed, refusing), with the first error. */
  onDegraded?: (error: unknown) => void;
  /** Called once when Redis answers again after `onDegraded`. */
  onRecovered?: () => void;
}

/** Tracks one part's reach of Redis and calls its callbacks on each change. */
export class Health {
  readonly #callbacks: HealthCallbacks;
  #state: "starting" | "up" | "degraded" = "starting";

  constructor(callbacks: HealthCallbacks) {
    this.#callbacks = callbacks;
  }

  /** Whether the last contact with Redis failed. */
  get degraded(): boolean {
    return this.#state === "degraded";
  }

  /** A command failed; returns whether this is news (the part was not already degraded). */
  failed(error: unknown): boolean {
    if (this.#state === "degraded") return false;
    this.#state = "degraded";
    call(() => this.#callbacks.onDegraded?.(error));
    return true;
  }

  /** A command succeeded; returns whether Redis was not reached before (first contact or recovery). */
  reached(): boolean {
    const before = this.#state;
    if (before === "up") return false;
    this.#state = "up";
    if (before === "degraded") call(() => this.#callbacks.onRecovered?.());
    return true;
  }
}

// A callback that throws must not stop the loop that reaches Redis: it only
// told the owner, and the owner's own code is where that error belongs.
function call(callback: () => void): void {
  try {
    callback();
  } catch {
    // Ignored on purpose, see above.
  }
}
