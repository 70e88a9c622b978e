/**
 * The errors a wait can end with, all under {@linkcode VideoStatusError}.
 * Each carries the method and the URL (without credentials) of the request
 * it concerns, and has a type guard that also recognises errors from another
 * realm (an iframe, a second copy of the package) by `name`.
 *
 * Bad arguments throw the built-in `TypeError` or `RangeError`; an aborted
 * wait rejects with the signal's `reason`, unchanged.
 *
 * @module
 */

export {
  isVideoStatusError,
  VideoStatusError,
  type VideoStatusErrorOptions,
} from "./base.ts";
export * from "./http_error.ts";
export * from "./network_error.ts";
export * from "./protocol_error.ts";
export * from "./request_error.ts";
export * from "./request_timeout_error.ts";
export * from "./retry_error.ts";
export * from "./timeout_error.ts";
