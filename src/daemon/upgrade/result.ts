/** Helpers shared by the upgrade runner and the dry run. */
import { withDetails, type RelxError } from "../../errors.js";

/** The failure of an upgrade: a new error with `rolledBack`, which the socket puts in the answer; `err` is its cause. */
export function failed(err: unknown, rolledBack: boolean): RelxError {
  return withDetails(err, { rolledBack });
}

/** Milliseconds to 3 decimals. */
export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
