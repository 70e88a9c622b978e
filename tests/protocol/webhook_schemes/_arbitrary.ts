// Random inputs for the signature schemes' property tests, from a seeded
// source so that a failure repeats.

/** A body of up to 300 characters mixing ASCII, JSON punctuation and non-BMP text. */
export function randomBody(random: () => number): string {
  const alphabet = [
    '{"id":"',
    "a",
    "Z",
    "0",
    ".",
    " ",
    "\n",
    "é",
    "漢",
    "🎬",
    '"}',
  ];
  let body = "";
  const length = Math.floor(random() * 300);
  for (let i = 0; i < length; i++) {
    body += alphabet[Math.floor(random() * alphabet.length)];
  }
  return body;
}

/** 1 to 64 random bytes. */
export function randomBytes(random: () => number): Uint8Array {
  const bytes = new Uint8Array(1 + Math.floor(random() * 64));
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Math.floor(random() * 256);
  }
  return bytes;
}

/** A printable secret without spaces, 1 to 64 characters. */
export function randomText(random: () => number): string {
  let text = "";
  const length = 1 + Math.floor(random() * 64);
  for (let i = 0; i < length; i++) {
    text += String.fromCharCode(0x21 + Math.floor(random() * 94));
  }
  return text;
}

/** `text` with the character at a random place replaced by another. */
export function tamper(text: string, random: () => number): string {
  if (text === "") return "x";
  const at = Math.floor(random() * text.length);
  const replacement = text[at] === "x" ? "y" : "x";
  return text.slice(0, at) + replacement + text.slice(at + 1);
}
