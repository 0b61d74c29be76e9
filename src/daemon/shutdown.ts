/**
 * Stopping a release: every process, boot or spawned, in reverse start order, each through
 * terminate. A terminate that hangs is given up on after a deadline, so `relx stop` always ends.
 */
import { stop } from "../runtime/api.js";
import { processes } from "../runtime/registry.js";
import type { Process } from "../runtime/process.js";
import type { NodeState } from "./release-node.js";

const TERMINATE_TIMEOUT_MS = 5000;

export async function stopAll(node: NodeState): Promise<void> {
  const all: Process[] = [...processes()].sort((a, b) => b.pid.id - a.pid.id);
  for (const p of all) await stopOne(node, p);
  node.boot.clear();
}

/** Stops one process; never throws. */
export async function stopOne(node: NodeState, p: Process, reason: unknown = "shutdown"): Promise<void> {
  if (!p.alive) return;
  if (!p.busy && p.sysq === null && p.def.terminate === undefined) return p.exit(reason);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((done) => {
    timer = setTimeout(() => {
      node.log(`stop: ${p.label} did not terminate within ${TERMINATE_TIMEOUT_MS} ms; dropped`);
      p.exit(reason);
      done();
    }, TERMINATE_TIMEOUT_MS);
  });
  try {
    await Promise.race([stop(p.pid, reason).catch(() => undefined), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
