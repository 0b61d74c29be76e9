// codeChanges tried ahead of an upgrade's pause (src/runtime/bulk.ts computeAhead): the fused pass
// uses a try only for a process that ran nothing since, on the very state it was tried on; else,
// and for a codeChange that used its ctx, codeChange runs in the pause as ever.
import { describe, expect, it } from "vitest";
import { defineServer, type Ctx, type ServerDef } from "../../src/index.js";
import { currentProcess, trackProcesses } from "../../src/runtime/attribution.js";
import * as host from "../../src/runtime/host.js";
import { collector } from "../support/collector.js";
import { thrownBy } from "../support/pass.js";

type Counter = { id: number; n: number; ctx?: Ctx };

const base = {
  name: "Counter",
  init: (args: unknown) => ({ id: (args as { id: number }).id, n: 0 }),
  handleCast(_msg: unknown, state: Counter) {
    state.n++; // in place: the same state object, changed
    return state;
  },
  handleCall(msg: unknown, _from: unknown, state: Counter, ctx: Ctx) {
    return { reply: msg === "ctx" ? state.ctx === ctx : state, state };
  },
};
const V1 = defineServer<Counter>({ ...base, vsn: "1" });

/** V2, whose codeChange counts its runs and does what `also` says for the process it runs for. */
function v2(runs: { count: number }, also?: (s: Counter, ctx: Ctx) => void): ServerDef<Counter> {
  return defineServer<Counter>({
    ...base,
    vsn: "2",
    codeChange(_old, s: Counter, _extra, ctx) {
      runs.count++;
      also?.(s, ctx);
      return { id: s.id, n: s.n * 10 };
    },
  });
}

async function spawnMany(n: number): Promise<host.ProcessRef[]> {
  const refs: host.ProcessRef[] = [];
  const tag = Math.random().toString(36).slice(2);
  for (let i = 0; i < n; i++) {
    refs.push(await host.spawn({ server: V1, args: { id: i }, name: `ahead-${tag}-${i}`, restart: "temporary", initTimeoutMs: 1000 }));
  }
  return refs;
}

const options = { extra: null, timeoutMs: 1000 };
const changesTo = (refs: host.ProcessRef[], def: ServerDef<Counter>): host.CodeChange[] => [{ refs, def, oldVsn: "1" }];

async function statesOf(refs: host.ProcessRef[]): Promise<Counter[]> {
  return Promise.all(refs.map((r) => host.call(r, "state", 1000) as Promise<Counter>));
}

describe.each([["one loop", false], ["two loops", true]] as const)("codeChanges tried ahead of the pause, the pass in %s", (_form, tried) => {
  it("leave every process as it was: the rehearsal of the pass after them puts back code, state and try", async () => {
    const refs = await spawnMany(40);
    const runs = { count: 0 };
    const V2 = v2(runs);
    const { drop } = await host.computeAhead(changesTo(refs, V2), null);
    // Every one tried, so the pass's first loop was rehearsed on them: still on the old code...
    expect(refs.map((r) => host.info(r).vsn)).toEqual(refs.map(() => "1"));
    expect(host.swapAll(changesTo(refs, V2), options, false, tried)).not.toBeNull();
    drop();
    // ...and each try still good for the pass, on the very state it was made on.
    expect(host.triedAheadUsed()).toBe(40);
    expect(runs.count).toBe(40);
    expect((await statesOf(refs)).map((s) => s.n)).toEqual(refs.map(() => 0));
  });

  it("a codeChange the pass calls itself that throws puts back the processes it had swapped to their tries, too", async () => {
    const refs = await spawnMany(20);
    const runs = { count: 0 };
    const V2 = defineServer<Counter>({
      ...base,
      vsn: "2",
      codeChange(_old, s: Counter) {
        runs.count++;
        if (s.n === 1) throw new Error(`no migration for n = 1 (process ${s.id})`);
        return { id: s.id, n: s.n * 10 };
      },
    });
    const before = await statesOf(refs);
    const { drop } = await host.computeAhead(changesTo(refs, V2), null);
    expect(runs.count).toBe(20);
    host.cast(refs[7]!, "bump"); // its try goes stale: the pass calls its codeChange, which throws
    await host.call(refs[7]!, "state", 1000);
    const thrown = thrownBy(() => host.swapAll(changesTo(refs, V2), options, false, tried));
    drop();
    expect(thrown?.code).toBe("RELX_CODE_CHANGE_FAILED");
    expect(thrown?.process).toBe(host.nameOf(refs[7]!));
    expect(runs.count).toBe(21);
    expect(refs.map((r) => host.info(r).vsn)).toEqual(refs.map(() => "1"));
    const after = await statesOf(refs);
    after.forEach((st, i) => expect(st).toBe(before[i]));
    expect(after.map((st) => st.n)).toEqual(refs.map((_, i) => (i === 7 ? 1 : 0)));
  });

  it("are made again, in a second round, for a process that handled a message while the others were tried", async () => {
    const refs = await spawnMany(130);
    const runs = { count: 0 };
    let first = true;
    // The first try outlasts a slice of tries (4 ms), and casts to process 10 through the API: that
    // cast is handled between slices, after process 10 was tried.
    const V2 = v2(runs, () => {
      if (!first) return;
      first = false;
      host.cast(refs[10]!, "bump");
      const until = performance.now() + 8;
      while (performance.now() < until);
    });
    const { drop } = await host.computeAhead(changesTo(refs, V2), null);
    expect(runs.count).toBe(131); // process 10 tried twice, before and after its message
    expect(host.swapAll(changesTo(refs, V2), options, false, tried)).not.toBeNull();
    drop();
    expect(host.triedAheadUsed()).toBe(130); // the pass called no codeChange itself
    expect(runs.count).toBe(131);
    const after = await statesOf(refs);
    expect(after[10]!.n).toBe(10);
    expect(after[11]!.n).toBe(0);
  });

  it("are used by the fused pass: each codeChange runs once, ahead, and the pass only swaps", async () => {
    const refs = await spawnMany(20);
    for (const r of refs.slice(0, 5)) host.cast(r, "bump");
    await statesOf(refs); // every cast handled
    const runs = { count: 0 };
    const V2 = v2(runs);
    const { drop } = await host.computeAhead(changesTo(refs, V2), null);
    expect(runs.count).toBe(20);
    expect(host.swapAll(changesTo(refs, V2), options, false, tried)).not.toBeNull();
    drop();
    expect(runs.count).toBe(20);
    expect(host.triedAheadUsed()).toBe(20);
    const after = await statesOf(refs);
    expect(after.map((s) => s.n)).toEqual(refs.map((_, i) => (i < 5 ? 10 : 0)));
  });

  it("are not used for a process that handled a message since: codeChange runs again, on what the message made of its state", async () => {
    const refs = await spawnMany(10);
    const runs = { count: 0 };
    const V2 = v2(runs);
    const { drop } = await host.computeAhead(changesTo(refs, V2), null);
    // After the try: process 3's state changes in place (the same object), process 6's by a call.
    host.cast(refs[3]!, "bump");
    host.cast(refs[3]!, "bump");
    await host.call(refs[3]!, "state", 1000);
    await host.call(refs[6]!, "state", 1000);
    expect(host.swapAll(changesTo(refs, V2), options, false, tried)).not.toBeNull();
    drop();
    expect(runs.count).toBe(12);
    expect(host.triedAheadUsed()).toBe(8);
    const after = await statesOf(refs);
    expect(after[3]).toEqual({ id: 3, n: 20 });
    expect(after[6]).toEqual({ id: 6, n: 0 });
  });

  it("a codeChange that uses its ctx is tried once, that try dropped, and what it does through ctx happens once, in the pass", async () => {
    const { name: collectorName, ref: collectorRef, seen } = await collector();
    const refs = await spawnMany(6);
    const runs = { count: 0 };
    const V2 = v2(runs, (s, ctx) => ctx.cast(collectorName, { migrated: s.id }));
    const { drop } = await host.computeAhead(changesTo(refs, V2), null);
    expect(runs.count).toBe(1); // the first, then no other process of the run is tried
    await host.call(collectorRef, "flush", 1000);
    expect(seen).toEqual([]);
    expect(host.swapAll(changesTo(refs, V2), options, false, tried)).not.toBeNull();
    drop();
    expect(runs.count).toBe(7);
    expect(host.triedAheadUsed()).toBe(0);
    await statesOf(refs);
    await host.call(collectorRef, "flush", 1000);
    expect(seen).toEqual(refs.map((_, i) => ({ migrated: i })));
  });

  it("reading ctx.self is no use of it, and a codeChange that keeps its ctx in the state keeps the process's own", async () => {
    const refs = await spawnMany(4);
    const runs = { count: 0 };
    const V2 = defineServer<Counter>({
      ...base,
      vsn: "2",
      codeChange(_old, s: Counter, _extra, ctx) {
        runs.count++;
        return { id: s.id, n: ctx.self === undefined ? -1 : 1, ctx };
      },
    });
    const { drop } = await host.computeAhead(changesTo(refs, V2), null);
    expect(host.swapAll(changesTo(refs, V2), options, false, tried)).not.toBeNull();
    drop();
    expect(runs.count).toBe(4);
    expect(host.triedAheadUsed()).toBe(4);
    for (const r of refs) expect(await host.call(r, "ctx", 1000)).toBe(true);
    expect((await statesOf(refs)).map((s) => s.n)).toEqual([1, 1, 1, 1]);
  });

  it("a codeChange that throws when tried stops the tries; the pass fails on it by name and puts every process back", async () => {
    const refs = await spawnMany(8);
    const before = await Promise.all(refs.map((r) => host.getState(r)));
    const runs = { count: 0 };
    const V2 = v2(runs, (s) => {
      if (s.id === 5) throw new Error("no salary for 5");
    });
    const { drop } = await host.computeAhead(changesTo(refs, V2), null);
    expect(runs.count).toBe(6);
    const thrown = thrownBy(() => host.swapAll(changesTo(refs, V2), options, false, tried));
    drop();
    expect(thrown?.code).toBe("RELX_CODE_CHANGE_FAILED");
    expect(thrown?.message).toContain("no salary for 5");
    expect(thrown?.message).toContain(host.nameOf(refs[5]!)!);
    const back = await Promise.all(refs.map((r) => host.getState(r)));
    back.forEach((s, i) => expect(s).toBe(before[i]));
    expect(await host.call(refs[2]!, "ctx", 1000)).toBe(false); // v1's state has no ctx: old code, old state
  });

  it("a try runs as a stand-in of its process: what it prints is its process's, and no stand-in is left current after the tries", async () => {
    trackProcesses("async");
    try {
      const refs = await spawnMany(200);
      const seen: { pid: unknown; tried: unknown; id: number }[] = [];
      const V2 = defineServer<Counter>({
        ...base,
        vsn: "2",
        codeChange(_old, s: Counter, _extra, ctx) {
          const who = currentProcess();
          seen.push({ pid: who?.pid === ctx.self, tried: who?.tried, id: s.id });
          return { id: s.id, n: 1 };
        },
      });
      const { drop } = await host.computeAhead(changesTo(refs, V2), null);
      expect(currentProcess()).toBeUndefined();
      drop();
      expect(seen).toHaveLength(200);
      expect(seen.every((w, i) => w.pid === true && w.tried === "ahead" && w.id === i)).toBe(true);
    } finally {
      trackProcesses("off");
    }
  });

  it("dropped tries are not used: the pass runs every codeChange itself", async () => {
    const refs = await spawnMany(5);
    const runs = { count: 0 };
    const V2 = v2(runs);
    const { drop } = await host.computeAhead(changesTo(refs, V2), null);
    drop();
    expect(host.swapAll(changesTo(refs, V2), options, false, tried)).not.toBeNull();
    expect(runs.count).toBe(10);
    expect(host.triedAheadUsed()).toBe(0);
  });
});
