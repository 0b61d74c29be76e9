/**
 * The `states` op (`relx state --all`): every live process's name, pid, server, vsn and state, in
 * start order, each state rendered by the state rules (renderValue). What an operator records on a
 * live node for `relx check-upgrade --states`.
 */
import type { ProcessState, StatesResult } from "../protocol/results.js";
import * as host from "../runtime/host.js";

export async function statesOf(): Promise<StatesResult> {
  const read = host.snapshot().map(async (p): Promise<ProcessState | null> => {
    try {
      const state = host.renderValue(await host.getState(p.ref));
      return { name: p.name, pid: String(p.pid), server: p.server, vsn: p.vsn, state };
    } catch (err) {
      // A process that exited since the snapshot is no longer live: it is left out, as status would.
      if (!host.isAlive(p.ref)) return null;
      throw err;
    }
  });
  const processes = (await Promise.all(read)).filter((p): p is ProcessState => p !== null);
  return { processes };
}
