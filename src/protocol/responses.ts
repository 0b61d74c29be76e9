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

/** One NDJSON line. A result that JSON cannot carry (a BigInt, a cycle) becomes an error answer. */
export function encodeResponse(response: OkResponse | ErrorResponse): string {
  try {
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
