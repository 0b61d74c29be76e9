/**
 * Upgrade preflight (SPEC §7 step 1), nothing touched: the vsn is semver, the release exists and
 * is not the one running, the direction matches the command, and (in loadRelease) its files
 * match their checksums and its app name is ours.
 */
import { existsSync } from "node:fs";
import semver from "semver";
import { RelxError } from "../errors.js";
import { releaseDir } from "../release/store/verify.js";
import type { NodeState } from "./release-node.js";

export type Direction = "up" | "down";

/** Throws RELX_BAD_VSN, RELX_NO_SUCH_RELEASE, RELX_WRONG_DIRECTION. */
export function preflight(node: NodeState, direction: Direction, vsn: string): void {
  const current = node.release!.manifest.vsn;
  if (typeof vsn !== "string" || semver.valid(vsn) === null) {
    throw new RelxError("RELX_BAD_VSN", `${JSON.stringify(vsn)} is not a semver version`, {
      hint: "see the releases with `relx releases`",
    });
  }
  if (!existsSync(releaseDir(node.config, vsn))) {
    throw new RelxError("RELX_NO_SUCH_RELEASE", `release ${vsn} of ${node.config.name} does not exist`, {
      hint: "see the releases with `relx releases`, or build it with `relx build`",
    });
  }
  if (vsn === current) {
    throw new RelxError("RELX_WRONG_DIRECTION", `release ${vsn} is already running`, { hint: "see `relx status`" });
  }
  const higher = semver.gt(vsn, current);
  if (direction === "up" && !higher) {
    throw new RelxError("RELX_WRONG_DIRECTION", `cannot upgrade from ${current} to the lower version ${vsn}`, {
      hint: `run \`relx downgrade ${vsn}\``,
    });
  }
  if (direction === "down" && higher) {
    throw new RelxError("RELX_WRONG_DIRECTION", `cannot downgrade from ${current} to the higher version ${vsn}`, {
      hint: `run \`relx upgrade ${vsn}\``,
    });
  }
}
