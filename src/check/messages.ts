/** How a check names a failed step, the same whether the worker saw it or the main thread cut it off. */
import type { OldVsn } from "../runtime/types.js";
import type { CheckStep } from "./types.js";

export function codeChangeFailed(server: string, oldVsn: OldVsn, name: string, why: string): CheckStep {
  const shown = typeof oldVsn === "string" ? JSON.stringify(oldVsn) : `{ down: ${JSON.stringify(oldVsn.down)} }`;
  return { ok: false, error: { code: "RELX_CODE_CHANGE_FAILED", message: `${server}.codeChange(${shown}) failed for ${name}: ${why}` } };
}

export function initFailed(server: string, name: string, from: string, why: string): CheckStep {
  return { ok: false, error: { code: "RELX_INIT_FAILED", message: `${server}.init failed for ${name} under release ${from}: ${why}` } };
}
