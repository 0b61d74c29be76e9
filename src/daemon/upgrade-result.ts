/** Helpers shared by the upgrade runner and the dry run. */
import { RelxError, toRelxError } from "../errors.js";

/** A RelxError carrying `details.rolledBack`, which the socket server puts in the response. */
export function failed(err: unknown, rolledBack: boolean): RelxError {
  const e = toRelxError(err);
  e.details = { ...e.details, rolledBack };
  return e;
}

/** Milliseconds to 3 decimals. */
export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
