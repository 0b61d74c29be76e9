/**
 * "relx/testing": relx's checks for a test runner. `checkUpgrade` runs every changed server's
 * codeChange up and back down on recorded states (or on each boot process's init), in a worker,
 * and returns what `relx check-upgrade --json` prints, for a test to assert on:
 *
 *   const report = await checkUpgrade({ from: "1.0.0", to: "2.0.0", states: "states.json" });
 *   expect(report.ok).toBe(true);
 */
export { checkUpgrade } from "./check/check-upgrade.js";
export type { CheckProcessResult, CheckResult, CheckStep, CheckUpgradeOptions } from "./check/types.js";
export type { ProcessState, StatesResult } from "./protocol/results.js";
