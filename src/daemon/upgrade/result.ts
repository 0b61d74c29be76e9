/** Helpers shared by the upgrade runner and the dry run. */
import { RelxError, toRelxError, withDetails } from "../../errors.js";

/**
 * The failure of an upgrade: a new error with `rolledBack`, which the socket puts in the answer;
 * `err` is its cause. After a rollback the runtime's hint (written for sys.changeCode, which
 * leaves the process suspended) would be wrong: every process was put back and resumed.
 */
export function failed(err: unknown, rolledBack: boolean): RelxError {
  const e = toRelxError(err);
  if (!rolledBack || e.code !== "RELX_CODE_CHANGE_FAILED") return withDetails(e, { rolledBack });
  const hint = "fix codeChange, build a new release, and try it first with `relx upgrade <vsn> --dry-run`";
  return new RelxError(e.code, e.message, { hint, process: e.process, cause: e, details: { ...e.details, rolledBack } });
}

/** Milliseconds to 3 decimals. */
export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
