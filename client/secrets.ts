// The configured header values, which no message or cause the library
// writes may contain. Runtimes quote requests in their errors (a header
// value fetch refused, a URL), so what fetch throws is copied with every
// secret hidden before it becomes a cause.

/** A value shorter than this is no secret and is left in messages (a "1" would hide every digit). */
const MIN_SECRET = 4;
/** How deep a cause chain is copied; deeper causes are dropped. */
const MAX_DEPTH = 4;
const HIDDEN = "[redacted]";

/** Hides the configured header values in texts and errors. */
export class Secrets {
  readonly #values: string[];

  /** Takes every header value, and each of its words (a token after "Bearer"), as a secret. */
  constructor(headers: Headers) {
    const values = new Set<string>();
    for (const [, value] of headers) {
      for (const part of [value, ...value.split(/[\s,;=]+/)]) {
        if (part.length >= MIN_SECRET) values.add(part);
      }
    }
    // Longest first, so that a value is hidden whole before its words.
    this.#values = [...values].sort((a, b) => b.length - a.length);
  }

  /** The text with every secret replaced by "[redacted]". */
  hide(text: string): string {
    let hidden = text;
    for (const value of this.#values) hidden = hidden.replaceAll(value, HIDDEN);
    return hidden;
  }

  /**
   * A copy of a thrown value that carries no secret: an `Error` becomes a
   * new error of the same built-in class with its `name`, hidden message and
   * stack, a primitive `code` (such as Node's `ECONNREFUSED`) and a copied
   * cause chain; anything else becomes its hidden text. No other property
   * is kept, since a runtime's error may hold the request itself.
   */
  copy(thrown: unknown, depth = 0): unknown {
    if (!(thrown instanceof Error)) return this.hide(String(thrown));
    const Class = thrown instanceof TypeError ? TypeError : Error;
    const cause = thrown.cause === undefined || depth >= MAX_DEPTH
      ? undefined
      : { cause: this.copy(thrown.cause, depth + 1) };
    const copy: Error & { code?: unknown } = new Class(
      this.hide(thrown.message),
      cause,
    );
    copy.name = thrown.name;
    copy.stack = this.hide(thrown.stack ?? "");
    const code = (thrown as { code?: unknown }).code;
    if (typeof code === "string" || typeof code === "number") copy.code = code;
    return copy;
  }

  /** What a thrown value says, with its first cause's words (Node's "fetch failed" says little alone), hidden. */
  describe(thrown: unknown): string {
    if (!(thrown instanceof Error)) return this.hide(String(thrown));
    const cause = thrown.cause instanceof Error &&
        !thrown.message.includes(thrown.cause.message)
      ? ` (${thrown.cause.message})`
      : "";
    return this.hide(thrown.message + cause);
  }
}
