// Argument checks shared by the public constructors, with std-style messages.

/** Throws a RangeError unless `value` is a finite number ≥ `min`. */
export function assertFiniteAtLeast(
  subject: string,
  name: string,
  value: number,
  min: number,
): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new RangeError(
      `Cannot create ${subject} as '${name}' must be a finite number of at least ${min}: current value is ${
        String(value)
      }`,
    );
  }
}
