// Argument checks shared by the public constructors, with std-style messages:
// "Cannot create X as 'name' must be …: current value is …".

/** A value as a message shows it: strings quoted, so "5" is not 5. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" && value !== null) return "an object";
  return String(value);
}

/**
 * Throws a RangeError unless `value` is a finite number ≥ `min`. When the
 * bound is another option, `minName` names it.
 */
export function assertFiniteAtLeast(
  subject: string,
  name: string,
  value: number,
  min: number,
  minName?: string,
): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    const bound = minName === undefined ? `${min}` : `'${minName}' (${min})`;
    throw new RangeError(
      `Cannot create ${subject} as '${name}' must be a finite number of at least ${bound}: current value is ${
        show(value)
      }`,
    );
  }
}

/** Throws a TypeError unless `value` is a function (or, if optional, undefined). */
export function assertFunction(
  subject: string,
  name: string,
  value: unknown,
  optional = false,
): void {
  if (typeof value === "function" || (optional && value === undefined)) {
    return;
  }
  throw new TypeError(
    `Cannot create ${subject} as '${name}' must be a function: current value is ${
      show(value)
    }`,
  );
}

/** Throws a TypeError unless `value` is an object with these methods. */
export function assertMethods(
  subject: string,
  name: string,
  value: unknown,
  methods: readonly string[],
): void {
  const object = value as Record<string, unknown> | null;
  if (
    typeof object === "object" && object !== null &&
    methods.every((method) => typeof object[method] === "function")
  ) return;
  throw new TypeError(
    `Cannot create ${subject} as '${name}' must have the methods ${
      methods.map((method) => `${method}()`).join(", ")
    }: current value is ${show(value)}`,
  );
}
