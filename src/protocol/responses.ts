/** Building and encoding response lines, shared by the daemon and tests. */
import { RelxError, toRelxError } from "../errors.js";
import type { ErrorResponse, OkResponse, RequestId } from "./types.js";

export function okResponse(id: RequestId | null, result: unknown): OkResponse {
  return { id, ok: true, result };
}

/**
 * The error answer for `err`. A RelxError's own `details` object (e.g. `{ rolledBack }` on a
 * failed upgrade) is spread at the top level next to `error`, where scripts look for it.
 */
export function errorResponse(id: RequestId | null, err: unknown): ErrorResponse {
  const error = toRelxError(err);
  const response: ErrorResponse = { id, ok: false, error: error.toWire() };
  for (const [key, value] of Object.entries(error.details ?? {})) {
    if (key !== "id" && key !== "ok" && key !== "error") response[key] = value;
  }
  return response;
}

/** The method of a SelfEncoding result: encodeResponse calls it instead of stringifying the result. */
export const ENCODE_JSON = Symbol("relx.encodeJson");

/**
 * A result that writes its own JSON, from data the daemon already holds, rather than from objects
 * made to be stringified (an upgrade's `changed` at 100,000 processes). The method returns exactly
 * what JSON.stringify(result) would; a symbol-keyed method is never stringified.
 */
export interface SelfEncoding {
  [ENCODE_JSON](): string;
}

function isSelfEncoding(value: unknown): value is SelfEncoding {
  return typeof value === "object" && value !== null && typeof (value as Partial<SelfEncoding>)[ENCODE_JSON] === "function";
}

/**
 * JSON.stringify(value) of a plain object, but with `json` (JSON text) as the value of `key`,
 * which is not read (a getter of it is not called). Keys in the object's order, and those whose
 * value JSON leaves out (undefined, a function) left out, as JSON.stringify does.
 */
export function stringifyWith(value: object, key: string, json: string): string {
  let out = "";
  for (const k of Object.keys(value)) {
    const text = k === key ? json : JSON.stringify((value as Record<string, unknown>)[k]);
    if (text !== undefined) out += `${out === "" ? "" : ","}${JSON.stringify(k)}:${text}`;
  }
  return `{${out}}`;
}

/** One NDJSON line. A result that JSON cannot carry (a BigInt, a cycle) becomes an error answer. */
export function encodeResponse(response: OkResponse | ErrorResponse): string {
  try {
    // As JSON.stringify writes an OkResponse: id, ok, result.
    if (response.ok && isSelfEncoding(response.result)) return `{"id":${JSON.stringify(response.id)},"ok":true,"result":${response.result[ENCODE_JSON]()}}\n`;
    return JSON.stringify(response) + "\n";
  } catch (err) {
    const error = new RelxError("RELX_BAD_RESULT", `the result cannot be sent as JSON: ${(err as Error).message}`, {
      cause: err,
      hint: "return plain JSON data (no BigInt, no cycles) from the process",
    });
    // Not errorResponse(): the failing value may be in the details it would copy.
    return JSON.stringify({ id: response.id, ok: false, error: error.toWire() }) + "\n";
  }
}
