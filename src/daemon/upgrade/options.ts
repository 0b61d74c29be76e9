/** What one upgrade or downgrade request asks for. */
import type { Direction } from "../../release/plan.js";
import type { RunningApp } from "../app-runtime.js";
import type { LoadedRelease } from "../../release/load-release.js";
import type { NodeState } from "../node-state.js";

export interface UpgradeOptions {
  direction: Direction;
  vsn: string;
  extra: unknown;
  dryRun: boolean;
  permanent: boolean;
}

/** One upgrade in flight: what every step of the runner is handed. */
export interface UpgradeRun {
  node: NodeState;
  /** The vsn running when the upgrade began. */
  from: string;
  target: LoadedRelease;
  /** The target's boot spec, evaluated in the preflight with the config as it is now. */
  targetApp: RunningApp;
  options: UpgradeOptions;
  /** performance.now() when the request arrived. */
  t0: number;
  /** performance.now() once the preflight had read, verified and loaded the target. */
  tRead: number;
  /** performance.now() once the preflight had evaluated the target's boot spec too. */
  tLoaded: number;
  /** performance.now() when planning began (after beforeUpgrade and the record's write); 0 before. */
  tPlan: number;
}
