/**
 * relx: Erlang/OTP-style releases and hot code upgrades for Node.js.
 * The public API (SPEC §4): defineServer, defineApp, start, call, cast, send, whereis, sys.
 */
export * from "./runtime/index.js";
export { RelxError, type RelxErrorCode, type WireError } from "./errors.js";
