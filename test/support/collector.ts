// A process for runtime tests that records every cast it gets; a call to it answers once those
// cast before the call are handled.
import { defineServer } from "../../src/index.js";
import * as host from "../../src/runtime/host.js";

export async function collector(): Promise<{ name: string; ref: host.ProcessRef; seen: unknown[] }> {
  const seen: unknown[] = [];
  const Collector = defineServer<null>({
    name: "Collector",
    init: () => null,
    handleCast(msg, state) {
      seen.push(msg);
      return state;
    },
    handleCall: (_msg, _from, state) => ({ reply: "flushed", state }),
  });
  const name = `collector-${Math.random().toString(36).slice(2)}`;
  const ref = await host.spawn({ server: Collector, args: null, name, restart: "temporary", initTimeoutMs: 1000 });
  return { name, ref, seen };
}
