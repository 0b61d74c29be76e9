/** What one upgrade or downgrade request asks for. */
import type { Direction } from "../../release/plan.js";

export interface UpgradeOptions {
  direction: Direction;
  vsn: string;
  extra: unknown;
  dryRun: boolean;
  permanent: boolean;
}
