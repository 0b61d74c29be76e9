/**
 * Stopping processes of a release: one, or every process (boot or spawned) newest first, each
 * through terminate. A terminate that hangs is given up on after a deadline, so `relx stop` ends.
 */
import * as host from "../runtime/host.js";
import { STOP_TIMEOUT_MS, TERMINATE_TIMEOUT_MS, type NodeState } from "./node-state.js";

/** Stops every process, newest first, all within STOP_TIMEOUT_MS; never throws. */
export async function stopAll(node: NodeState): Promise<void> {
  const end = Date.now() + STOP_TIMEOUT_MS;
  for (const ref of host.newestFirst()) await stopOne(node, ref, Math.max(0, end - Date.now()));
  node.boot.clear();
}

/** Stops one process ("shutdown") within `deadlineMs` (at most TERMINATE_TIMEOUT_MS); never throws. */
export function stopOne(node: NodeState, ref: host.ProcessRef, deadlineMs = TERMINATE_TIMEOUT_MS): Promise<void> {
  const ms = Math.min(deadlineMs, TERMINATE_TIMEOUT_MS);
  const onLate = (label: string): void => node.log(`stop: ${label} did not terminate within ${ms} ms; dropped`);
  return host.stopWithin(ref, { reason: "shutdown", deadlineMs: ms, onLate });
}
