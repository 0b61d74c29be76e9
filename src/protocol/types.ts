/**
 * The socket's messages (SPEC §8): one JSON object per line each way. Requests carry an `id` that
 * the daemon copies into the response, so pipelined requests may be answered out of order.
 */
import type { WireError } from "../errors.js";

export type RequestId = number | string;

export const OPS = ["ping", "status", "call", "cast", "state", "upgrade", "downgrade", "stop"] as const;
export type Op = (typeof OPS)[number];

export interface PingRequest {
  id: RequestId;
  op: "ping";
}

export interface StatusRequest {
  id: RequestId;
  op: "status";
}

export interface StopRequest {
  id: RequestId;
  op: "stop";
}

export interface CallRequest {
  id: RequestId;
  op: "call";
  process: string;
  msg: unknown;
  timeoutMs?: number;
}

export interface CastRequest {
  id: RequestId;
  op: "cast";
  process: string;
  msg: unknown;
}

export interface StateRequest {
  id: RequestId;
  op: "state";
  process: string;
}

/** `upgrade` and `downgrade` (SPEC §7). `permanent` defaults to true. */
export interface UpgradeRequest {
  id: RequestId;
  op: "upgrade" | "downgrade";
  vsn: string;
  extra?: unknown;
  dryRun?: boolean;
  permanent?: boolean;
}

export type Request =
  | PingRequest
  | StatusRequest
  | StopRequest
  | CallRequest
  | CastRequest
  | StateRequest
  | UpgradeRequest;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A request as a client builds it: the client assigns the id. */
export type RequestBody = DistributiveOmit<Request, "id">;

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
