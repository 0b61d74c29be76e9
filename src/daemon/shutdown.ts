/**
 * Stopping processes of a release: one, or every process (boot or spawned) newest first, each
 * through terminate. A terminate that hangs is given up on after a deadline, so `relx stop` ends.
 */
import * as host from "../runtime/host.js";
import { TERMINATE_TIMEOUT_MS, type NodeState } from "./node-state.js";

export async function stopAll(node: NodeState): Promise<void> {
  for (const ref of host.newestFirst()) await stopOne(node, ref);
  node.boot.clear();
}

/** Stops one process; never throws. */
export function stopOne(node: NodeState, ref: host.ProcessRef, reason: unknown = "shutdown"): Promise<void> {
  return host.stopWithin(ref, reason, TERMINATE_TIMEOUT_MS, (label) => {
    node.log(`stop: ${label} did not terminate within ${TERMINATE_TIMEOUT_MS} ms; dropped`);
  });
}
