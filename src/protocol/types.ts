/**
 * The socket's messages (SPEC §8): one JSON object per line each way. Requests carry an `id` that
 * the daemon copies into the response, so pipelined requests may be answered out of order. What
 * each op takes and returns is in ops.ts.
 */
import type { WireError } from "../errors.js";
import type { RequestId } from "./ops.js";

export type { Op, Request, RequestBody, RequestId, RequestOf, ResultOf } from "./ops.js";

export interface OkResponse {
  id: RequestId | null;
  ok: true;
  result: unknown;
}

/**
 * An error answer. Besides `error` it may carry extra top-level fields that scripts rely on,
 * such as `rolledBack` on a failed upgrade.
 */
export interface ErrorResponse {
  id: RequestId | null;
  ok: false;
  error: WireError;
  [extra: string]: unknown;
}

export type Response = OkResponse | ErrorResponse;
