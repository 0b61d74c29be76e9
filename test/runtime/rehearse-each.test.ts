// The rehearsal of the one-loop pass (src/runtime/bulk.ts rehearseEach), which computeAhead runs
// for passes of more than 24,000 processes: it must leave every process exactly as it was (code,
// state object, try), call no codeChange, and stop at the first process whose try does not hold.
import { describe, expect, it } from "vitest";
import { defineServer, type ServerDef } from "../../src/index.js";
import { rehearseEach } from "../../src/runtime/bulk.js";
import * as host from "../../src/runtime/host.js";
import { cellBase as base, proc, runsOf, snapshot, type Cell as Counter } from "../support/pass.js";
import { gate } from "../support/wait.js";

const V1 = defineServer<Counter>({ ...base, vsn: "1" });
const Other = defineServer<Counter>({ ...base, name: "Other", vsn: "1" });

function v2(name: string, runs: { count: number }): ServerDef<Counter> {
  return defineServer<Counter>({
    ...base,
    name,
    vsn: "2",
    codeChange(_old, s: Counter) {
      runs.count++;
      return { id: s.id, n: s.n + 100 };
    },
  });
}


async function spawnMany(n: number, def: ServerDef<Counter> = V1): Promise<host.ProcessRef[]> {
  const tag = Math.random().toString(36).slice(2);
  const refs: host.ProcessRef[] = [];
  for (let i = 0; i < n; i++) refs.push(await host.spawn({ server: def, args: { id: i }, name: `rehearse-${tag}-${i}`, restart: "temporary", initTimeoutMs: 1000 }));
  return refs;
}

function expectSame(refs: host.ProcessRef[], before: ReturnType<typeof snapshot>): void {
  const after = snapshot(refs);
  after.forEach((s, i) => {
    expect(s.def, `process ${i}'s code`).toBe(before[i]!.def);
    expect(s.state, `process ${i}'s state`).toBe(before[i]!.state);
    expect(s.ahead, `process ${i}'s try`).toBe(before[i]!.ahead);
  });
}

describe("the rehearsal of the one-loop pass", () => {
  it("over two runs, every try holding: puts back code, state and try, calls no codeChange, and the pass then uses every try", async () => {
    const runs = { count: 0 };
    const a = await spawnMany(30);
    const b = await spawnMany(20, Other);
    const changes: host.CodeChange[] = [{ refs: a, def: v2("Cell", runs), oldVsn: "1" }, { refs: b, def: v2("Other", runs), oldVsn: "1" }];
    const { drop, kept } = await host.computeAhead(changes, null);
    expect(kept).toBe(50);
    const before = snapshot([...a, ...b]);
    const made = runs.count;
    for (const upTo of [1, 29, 30, 31, 50, 1000]) {
      rehearseEach(runsOf(changes), upTo);
      expectSame([...a, ...b], before);
    }
    expect(runs.count).toBe(made);
    expect(host.swapAll(changes, { extra: null, timeoutMs: 1000 }, false, false)).not.toBeNull();
    drop();
    expect(host.triedAheadUsed()).toBe(50);
    expect(runs.count).toBe(made);
    expect(((await host.call(a[3]!, "state", 1000)) as Counter).n).toBe(100);
  });

  it("stops at a try gone stale, calling no codeChange, and puts back every process up to it, that one's try included", async () => {
    const runs = { count: 0 };
    const refs = await spawnMany(40);
    const changes: host.CodeChange[] = [{ refs, def: v2("Cell", runs), oldVsn: "1" }];
    const { drop } = await host.computeAhead(changes, null);
    host.cast(refs[12]!, "bump");
    await host.call(refs[12]!, "state", 1000); // handled: its try no longer holds
    const before = snapshot(refs);
    const made = runs.count;
    rehearseEach(runsOf(changes), 40);
    expectSame(refs, before);
    expect(runs.count).toBe(made);
    drop();
  });

  it("stops at a process busy with a message and puts back every try it had taken", async () => {
    const runs = { count: 0 };
    const refs = await spawnMany(20);
    const changes: host.CodeChange[] = [{ refs, def: v2("Cell", runs), oldVsn: "1" }];
    const { drop } = await host.computeAhead(changes, null);
    const g = gate();
    const inHand = host.call(refs[7]!, g.promise, 5000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(proc(refs[7]!).phase).not.toBe("idle");
    const before = snapshot(refs);
    rehearseEach(runsOf(changes), 20);
    expectSame(refs, before);
    g.open();
    await inHand;
    drop();
  });

  it("leaves a process listed twice as it was, its try with it (put back last first)", async () => {
    const runs = { count: 0 };
    const V2 = v2("Cell", runs);
    const refs = await spawnMany(10);
    const twice = refs[4]!;
    // Listed twice, as sys.*Many may be given a pid twice: its second change finds the new code.
    const changes: host.CodeChange[] = [{ refs: [...refs, twice], def: V2, oldVsn: "1" }];
    const { drop } = await host.computeAhead(changes, null);
    const before = snapshot(refs);
    rehearseEach(runsOf(changes), 11);
    expectSame(refs, before);
    drop();
  });
});

describe("the one-loop pass across its stretches (4,096 processes a call)", () => {
  it("changes every process of runs that end inside, at and across a stretch's edge; a throw in a later stretch puts all back", async () => {
    const runs = { count: 0 };
    // 4,095 + 1 + 0 + 5,000 + 4,097: stretch edges at 4,096 (a run's end), 8,192 and 12,288 (inside runs).
    const sizes = [4095, 1, 0, 5000, 4097];
    const groups = await Promise.all(sizes.map((n) => spawnMany(n)));
    let failAt: number | null = null;
    const V2 = defineServer<Counter>({
      ...base,
      vsn: "2",
      codeChange(_old, s: Counter) {
        runs.count++;
        if (s.id === failAt) throw new Error("no");
        return { id: s.id, n: s.n + 100 };
      },
    });
    const changes: host.CodeChange[] = groups.map((refs) => ({ refs, def: V2, oldVsn: "1" }));
    const all = groups.flat();
    const before = snapshot(all);
    // No tries: the pass calls every codeChange. A throw at the first process of id 4,096 (the
    // 4,097th of the 5,000-process run, in the pass's third stretch).
    failAt = 4096;
    expect(() => host.swapAll(changes, { extra: null, timeoutMs: 1000 }, false, false)).toThrow(/no/);
    expect(snapshot(all).map((s, i) => s.def === before[i]!.def && s.state === before[i]!.state)).toEqual(all.map(() => true));
    failAt = null;
    expect(host.swapAll(changes, { extra: null, timeoutMs: 1000 }, false, false)).not.toBeNull();
    expect(all.every((r) => proc(r).def === V2)).toBe(true);
    expect(all.map((r) => (proc(r).state as Counter).n)).toEqual(all.map(() => 100));
  });
});
