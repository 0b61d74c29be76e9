/**
 * `relx restart <process>`: a boot process started again from the running release's boot spec,
 * with a fresh restart history. A running one is stopped first (terminate, owned resources
 * closed); one that gave up is simply started. Spawned processes are not the node's to restart.
 */
import { RelxError } from "../errors.js";
import type { RestartResult } from "../protocol/results.js";
import * as host from "../runtime/host.js";
import { serverOf } from "../release/load-release.js";
import { BOOT_INIT_TIMEOUT_MS, type NodeState } from "./node-state.js";
import { stopOne } from "./shutdown.js";

/** Throws RELX_NO_SUCH_PROCESS (not a boot process), RELX_BUSY (an upgrade runs), RELX_INIT_FAILED. */
export async function restartBoot(node: NodeState, name: string): Promise<RestartResult> {
  const release = node.release!;
  // The args of the boot spec as evaluated at the last boot or upgrade.
  const spec = node.app!.processes.find((p) => p.name === name);
  if (spec === undefined) {
    throw new RelxError("RELX_NO_SUCH_PROCESS", `${name} is not a boot process of ${release.manifest.name} ${release.manifest.vsn}`, {
      hint: "relx restart takes a process of the boot spec; see them with `relx status`",
    });
  }
  if (node.phase === "upgrading") {
    throw new RelxError("RELX_BUSY", `an upgrade is running; ${name} was not restarted`, { hint: "wait for it, then run `relx restart` again" });
  }
  const old = node.boot.get(name);
  if (old !== undefined && host.isAlive(old)) await stopOne(node, old);
  node.down.delete(name);
  const ref = await host.spawn({ server: serverOf(release, spec.server), args: spec.args, name, restart: spec.restart, initTimeoutMs: BOOT_INIT_TIMEOUT_MS });
  node.boot.set(name, ref);
  node.log(`restart: ${name} started again from the boot spec of ${release.manifest.vsn}`);
  return { ok: true, name, pid: String(host.info(ref).pid) };
}
