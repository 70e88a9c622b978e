// Dotted field paths ("data.status") into JSON bodies: the one way a dialect
// reads a field and the simulator writes one, so both ends agree on a path.

/** A JSON object, as a parsed body holds them. */
export type JsonObject = Record<string, unknown>;

/** Whether a value is a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The value at a dotted path, or `undefined` when a step is missing. A number
 * steps into an array (`generatedSamples.0.video.uri`); only own fields count.
 */
export function getField(body: unknown, path: string): unknown {
  let value: unknown = body;
  for (const key of path.split(".")) {
    if (Array.isArray(value) && /^\d+$/.test(key)) value = value[Number(key)];
    else if (isJsonObject(value) && Object.hasOwn(value, key)) {
      value = value[key];
    } else return undefined;
  }
  return value;
}

/**
 * Sets the value at a dotted path, creating the objects on the way (and
 * replacing a `null` placeholder, as vendors' bodies hold before a job ends).
 * Every step is an object key: the writer makes no arrays.
 */
export function setField(body: JsonObject, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop() as string;
  let object = body;
  for (const key of keys) {
    const next = object[key];
    if (isJsonObject(next)) object = next;
    else object = object[key] = {};
  }
  object[last] = value;
}

/** The text at a dotted path when it is a non-empty string, else `undefined`. */
export function getText(body: unknown, path: string): string | undefined {
  const value = getField(body, path);
  return typeof value === "string" && value !== "" ? value : undefined;
}
