/**
 * Upgrade preflight (SPEC §7 step 1), nothing touched: the vsn is semver, the release exists and
 * is not the one running, the direction matches the command; then its code is loaded (step 2),
 * which checks its files against their checksums and its app name against ours.
 */
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import semver from "semver";
import { RelxError } from "../../errors.js";
import type { Direction } from "../../release/plan.js";
import { releaseDir } from "../../release/store/verify.js";
import { parseVsn } from "../../release/vsn.js";
import { evaluateBootSpec, type RunningApp } from "../app-runtime.js";
import { loadRelease, type LoadedRelease } from "../../release/load-release.js";
import type { NodeState } from "../node-state.js";

/**
 * The target release, loaded, and its boot spec evaluated with the config as it is now (the env
 * file read again). Throws RELX_BAD_VSN, RELX_NO_SUCH_RELEASE, RELX_WRONG_DIRECTION, what
 * loadRelease throws, RELX_BAD_APP_CONFIG and RELX_BAD_BOOT_SPEC. `tRead`: when the target was loaded
 * (the boot spec's evaluation comes after).
 */
export async function preflight(node: NodeState, direction: Direction, value: string): Promise<{ target: LoadedRelease; targetApp: RunningApp; tRead: number }> {
  const command = direction === "up" ? "upgrade" : "downgrade";
  const vsn = parseVsn(value, { what: "the version", retry: (v) => `relx ${command} ${v}` });
  const current = node.release!.manifest.vsn;
  if (!existsSync(releaseDir(node.config, vsn))) {
    throw new RelxError("RELX_NO_SUCH_RELEASE", `release ${vsn} of ${node.config.name} does not exist`, {
      hint: `install its tarball with \`relx unpack <file>\`, or build it with \`relx build\`; \`relx releases\` lists what is there`,
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
  const target = await loadRelease(node.config, vsn, { readManifest: node.manifests.read });
  const tRead = performance.now();
  return { target, targetApp: await evaluateBootSpec(target, node.envFile), tRead };
}
