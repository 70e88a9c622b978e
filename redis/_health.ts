// Whether a Redis-backed part is working through Redis or alone, told to
// its owner once per change: "local" on the first failure, "redis" on the
// first success after. A part that has not yet reached Redis is neither.

/**
 * A Redis-backed part switched between working through Redis and working
 * alone.
 *
 * @example
 * ```ts
 * import type { RedisFallbackEvent } from "@video-status/client/redis";
 *
 * const event: RedisFallbackEvent = { state: "local", cause: new Error("ECONNREFUSED") };
 * ```
 */
export interface RedisFallbackEvent {
  /** `"local"`: Redis stopped answering and the part works alone; `"redis"`: Redis answers again. */
  state: "local" | "redis";
  /** What failed, on `"local"`. */
  cause?: unknown;
}

/** Tracks one part's reach of Redis and tells each change. */
export class Health {
  readonly #onFallback: ((event: RedisFallbackEvent) => void) | undefined;
  #state: "starting" | "redis" | "local" = "starting";

  constructor(onFallback: ((event: RedisFallbackEvent) => void) | undefined) {
    this.#onFallback = onFallback;
  }

  /** Whether the last contact with Redis failed. */
  get degraded(): boolean {
    return this.#state === "local";
  }

  /** Redis failed; tells it unless already told. */
  failed(cause: unknown): void {
    if (this.#state === "local") return;
    this.#state = "local";
    this.#tell({ state: "local", cause });
  }

  /** Redis answered; returns whether it was not reached before (first contact or recovery). */
  reached(): boolean {
    const before = this.#state;
    if (before === "redis") return false;
    this.#state = "redis";
    if (before === "local") this.#tell({ state: "redis" });
    return true;
  }

  #tell(event: RedisFallbackEvent): void {
    try {
      this.#onFallback?.(event);
    } catch {
      // A callback that throws must not stop the loop that reaches Redis:
      // it only told the owner, whose own code that error belongs to.
    }
  }
}
