// computeAhead's "most were tried" rule and the fused pass's two
// forms: a process whose server has no codeChange needs no try, so it must not count as untried.
import { describe, expect, it } from "vitest";
import { defineServer, type ServerDef } from "../../src/index.js";
import * as host from "../../src/runtime/host.js";
import { counterBase as base, type Cell as Counter } from "../support/pass.js";


const V1 = defineServer<Counter>({ ...base, vsn: "1" });
const Plain1 = defineServer<Counter>({ ...base, name: "Plain", vsn: "1" });
/** A new version of Plain with no codeChange: its processes keep their states as they are. */
const Plain2 = defineServer<Counter>({ ...base, name: "Plain", vsn: "2" });

async function spawnMany(server: ServerDef<Counter>, n: number): Promise<host.ProcessRef[]> {
  const refs: host.ProcessRef[] = [];
  const tag = Math.random().toString(36).slice(2);
  for (let i = 0; i < n; i++) {
    refs.push(await host.spawn({ server, args: { id: i }, name: `nocc-${tag}-${i}`, restart: "temporary", initTimeoutMs: 1000 }));
  }
  return refs;
}

const options = { extra: null, timeoutMs: 1000 };

describe("codeChanges tried ahead, beside a server with no codeChange", () => {
  it("a process that handled a message while the others were tried is tried again: those with no codeChange need no try", async () => {
    const counters = await spawnMany(V1, 130);
    const plains = await spawnMany(Plain1, 130);
    const runs = { count: 0 };
    let first = true;
    // As ahead.test.ts's second-round test: the first try outlasts a slice, and casts to
    // process 10, which handles it between slices, after it was tried.
    const V2 = defineServer<Counter>({
      ...base,
      vsn: "2",
      codeChange(_old, s: Counter) {
        runs.count++;
        if (first) {
          first = false;
          host.cast(counters[10]!, "bump");
          const until = performance.now() + 8;
          while (performance.now() < until);
        }
        return { id: s.id, n: s.n * 10 };
      },
    });
    const changes: host.CodeChange[] = [
      { refs: counters, def: V2, oldVsn: "1" },
      { refs: plains, def: Plain2, oldVsn: "1" },
    ];
    const { drop, kept, wanted } = await host.computeAhead(changes, null);
    // Every codeChange was tried (130 of 130): the second round tries process 10 again.
    expect({ kept, wanted }).toEqual({ kept: 130, wanted: 130 });
    expect(runs.count).toBe(131);
    expect(host.swapAll(changes, options, false, true)).not.toBeNull();
    drop();
    expect(host.triedAheadUsed()).toBe(130); // the pass called no codeChange itself
    expect(runs.count).toBe(131);
    expect(((await host.call(counters[10]!, "state", 1000)) as Counter).n).toBe(10);
    expect(host.info(plains[0]!).vsn).toBe("2");
  });
});
