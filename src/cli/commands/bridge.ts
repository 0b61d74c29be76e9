/** `relx bridge`: standard input and output connected to the root's daemon socket (SPEC §13). */
import { runBridge } from "../../fleet/bridge.js";
import type { CommandOutput, CommonOptions } from "../output.js";
import { resolveSocketPath } from "../socket-path.js";

export async function bridge(options: CommonOptions): Promise<CommandOutput> {
  const socketPath = await resolveSocketPath(options);
  await runBridge({ root: options.root, socketPath, input: process.stdin, output: process.stdout });
  // Standard output carried the protocol: nothing may follow it, not even with --json.
  return { value: null, text: () => "", jsonLines: [] };
}
