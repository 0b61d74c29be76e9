// Hostile cases for the one-loop fused pass taken a stretch of 4,096 processes at a time
// (src/runtime/bulk.ts swapEach, eachLoop) and for its rehearsal (rehearseEach): throws, promises
// and busy processes exactly at a stretch's edge, runs of no process there, a process listed on
// both sides of an edge, tries matched by run or by oldVsn. The reference is the suspend path
// (changeCodeAll): all or nothing, each codeChange run once per process and listing.
import { describe, expect, it } from "vitest";
import { defineServer, type RelxError, type ServerDef } from "../../src/index.js";
import { rehearseEach } from "../../src/runtime/bulk.js";
import * as host from "../../src/runtime/host.js";
import { cellBase as base, proc, runsOf, snapshot, thrownBy, throughSuspend as suspendPath, type Cell } from "../support/pass.js";
import { gate } from "../support/wait.js";

const V1 = defineServer<Cell>({ ...base, vsn: "1" });
const options = { extra: null, timeoutMs: 1000 };

function expectSame(refs: host.ProcessRef[], before: ReturnType<typeof snapshot>): void {
  const after = snapshot(refs);
  let wrong = -1;
  for (let i = 0; i < after.length && wrong < 0; i++) {
    const a = after[i]!;
    const b = before[i]!;
    if (a.def !== b.def || a.state !== b.state || a.ahead !== b.ahead) wrong = i;
  }
  expect(wrong, "the first process not as it was").toBe(-1);
}

/** `n` processes, ids from `first` on, of `def`. */
async function spawnMany(n: number, first = 0, def: ServerDef<Cell> = V1, init?: (id: number) => unknown): Promise<host.ProcessRef[]> {
  const tag = Math.random().toString(36).slice(2);
  const server = init === undefined ? def : defineServer<Cell>({ ...def, init: (args: unknown) => init((args as { id: number }).id) as Cell });
  const refs: host.ProcessRef[] = [];
  for (let i = 0; i < n; i++) refs.push(await host.spawn({ server, args: { id: first + i }, name: `each-${tag}-${i}`, restart: "temporary", initTimeoutMs: 1000 }));
  return refs;
}

/** Runs of these sizes (0 allowed), over processes whose ids are their place in the pass. */
async function runsOfSizes(sizes: number[]): Promise<host.ProcessRef[][]> {
  const groups: host.ProcessRef[][] = [];
  let first = 0;
  for (const n of sizes) {
    groups.push(await spawnMany(n, first));
    first += n;
  }
  return groups;
}

/** A v2 whose codeChange counts its calls per id, and does `hook` first. */
function v2(calls: Map<number, number>, hook: (s: Cell) => unknown = () => undefined): ServerDef<Cell> {
  return defineServer<Cell>({
    ...base,
    vsn: "2",
    codeChange(_old, s: Cell) {
      calls.set(s.id, (calls.get(s.id) ?? 0) + 1);
      const r = hook(s);
      if (r !== undefined) return r as Cell;
      return { id: s.id, n: s.n + 100 };
    },
  });
}

// Stretch edges at 4,096, 8,192 and 12,288: a run of no process first and last, runs of none
// beside each edge, a run of one process ending at the first edge and one starting at the second,
// the last process of the pass (12,192) inside the third stretch.
const SIZES = [0, 4095, 1, 0, 0, 4000, 96, 0, 1, 4000, 0];

describe("the one-loop pass at its stretches' edges", () => {
  it.each([0, 4095, 4096, 8191, 8192, 12_192])("a codeChange that throws at process %i puts every process back and names it", async (failAt) => {
    const calls = new Map<number, number>();
    const V2 = v2(calls, (s) => {
      if (s.id === failAt) throw new Error("no");
    });
    const groups = await runsOfSizes(SIZES);
    const all = groups.flat();
    const changes: host.CodeChange[] = groups.map((refs) => ({ refs, def: V2, oldVsn: "1" }));
    const before = snapshot(all);
    const err = thrownBy(() => host.swapAll(changes, options, false, false));
    expect(err?.code).toBe("RELX_CODE_CHANGE_FAILED");
    expect(err?.message).toContain(host.nameOf(all[failAt]!));
    expectSame(all, before);
    // Every codeChange up to it ran once, none after.
    expect(calls.size).toBe(failAt + 1);
    expect([...calls.values()].every((c) => c === 1)).toBe(true);
  });

  it.each([0, 4095, 4096, 8191, 8192, 12_192])("a codeChange that returns a promise at process %i: nothing changed, and the suspend path runs each codeChange once", async (at) => {
    const calls = new Map<number, number>();
    const V2 = v2(calls, (s) => (s.id === at ? Promise.resolve({ id: s.id, n: 7 }) : undefined));
    const groups = await runsOfSizes(SIZES);
    const all = groups.flat();
    const changes: host.CodeChange[] = groups.map((refs) => ({ refs, def: V2, oldVsn: "1" }));
    const before = snapshot(all);
    const computed = host.computedChanges();
    expect(host.swapAll(changes, { ...options, computed }, false, false)).toBeNull();
    expectSame(all, before);
    expect(computed.size).toBe(at + 1);
    await host.suspendWithin(all, 5000);
    await host.changeCodeAll(changes, { ...options, computed });
    host.resumeAll(all);
    expect(calls.size).toBe(all.length);
    expect([...calls.entries()].filter(([, c]) => c !== 1)).toEqual([]);
    expect(all.map((r) => (proc(r).state as Cell).n)).toEqual(all.map((_, i) => (i === at ? 7 : 100)));
    expect(all.every((r) => proc(r).def === V2)).toBe(true);
  });

  it.each([
    [4095, "busy"],
    [4096, "busy"],
    [8192, "busy"],
    [4096, "suspended"],
    [12_192, "suspended"],
  ] as const)("a process %i %s: nothing changed, codeChanges before it run once in all", async (at, how) => {
    const calls = new Map<number, number>();
    const V2 = v2(calls);
    const groups = await runsOfSizes(SIZES);
    const all = groups.flat();
    const changes: host.CodeChange[] = groups.map((refs) => ({ refs, def: V2, oldVsn: "1" }));
    const g = gate();
    const inHand = how === "busy" ? host.call(all[at]!, g.promise, 5000) : host.suspendWithin([all[at]!], 1000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(proc(all[at]!).phase).toBe(how === "busy" ? "busy" : "suspended");
    const before = snapshot(all);
    const computed = host.computedChanges();
    expect(host.swapAll(changes, { ...options, computed }, false, false)).toBeNull();
    expectSame(all, before);
    expect(computed.size).toBe(at);
    g.open();
    await inHand;
    if (how === "suspended") host.resumeAll([all[at]!]);
    await host.suspendWithin(all, 5000);
    await host.changeCodeAll(changes, { ...options, computed });
    host.resumeAll(all);
    expect([...calls.entries()].filter(([, c]) => c !== 1)).toEqual([]);
    expect(calls.size).toBe(all.length);
  });

  it.each([["one loop", false], ["two loops", true]] as const)("a process listed twice, the pass (%s) giving up after both listings: the suspend path takes both changes and calls neither codeChange again", async (_form, tried) => {
    const calls = new Map<number, number>();
    // The last process's codeChange returns a promise: the pass gives up there, after both of 3's listings.
    const V2 = v2(calls, (s) => (s.id === 9 ? Promise.resolve({ id: 9, n: 7 }) : undefined));
    const refs = await spawnMany(10);
    const changes: host.CodeChange[] = [{ refs: [...refs.slice(0, 5), refs[3]!, ...refs.slice(5)], def: V2, oldVsn: "1" }];
    const computed = host.computedChanges();
    expect(host.swapAll(changes, { ...options, computed }, false, tried)).toBeNull();
    expect(calls.get(3)).toBe(2);
    await host.suspendWithin(refs, 5000);
    await host.changeCodeAll(changes, { ...options, computed });
    host.resumeAll(refs);
    // Twice for process 3 (once a listing), once for every other: none called again.
    expect([...calls.entries()].sort((x, y) => x[0] - y[0])).toEqual(refs.map((_, i) => [i, i === 3 ? 2 : 1]));
    expect((proc(refs[3]!).state as Cell).n).toBe(200);
    expect((proc(refs[9]!).state as Cell).n).toBe(7);
  });

  it("a process listed on both sides of an edge (the last of one stretch, the first of the next) ends as the suspend path leaves it, and a throw after it puts back its first state", async () => {
    const calls = new Map<number, number>();
    let failAt: number | null = null;
    const V2 = v2(calls, (s) => {
      if (s.id === failAt) throw new Error("no");
    });
    const a = await spawnMany(4095, 0);
    const b = await spawnMany(10, 4095);
    const twice = a[4094]!;
    const changes: host.CodeChange[] = [{ refs: [...a, b[0]!, twice], def: V2, oldVsn: "1" }, { refs: [], def: V2, oldVsn: "1" }, { refs: [twice, ...b.slice(1)], def: V2, oldVsn: "1" }];
    const all = [...a, ...b];
    const before = snapshot(all);
    failAt = 4097; // b[2], the third process of the next stretch
    expect(thrownBy(() => host.swapAll(changes, options, false, false))?.code).toBe("RELX_CODE_CHANGE_FAILED");
    expectSame(all, before);
    failAt = null;
    calls.clear();
    expect(host.swapAll(changes, options, false, false)).not.toBeNull();
    // Three changes of it, each on what the last left: +100 each.
    expect((proc(twice).state as Cell).n).toBe(300);
    expect(calls.get(4094)).toBe(3);
    expect(all.filter((r) => r !== twice).every((r) => (proc(r).state as Cell).n === 100)).toBe(true);
  });
});

describe("the one-loop pass's tries: by run, else by oldVsn", () => {
  it("a downgrade tried on one plan, the pass given rebuilt runs (other objects, the same oldVsn), uses every try; a rebuilt run with another oldVsn uses none", async () => {
    const calls = new Map<number, number>();
    const downCalls: unknown[] = [];
    const V2 = defineServer<Cell>({
      ...base,
      vsn: "2",
      codeChange(old, s: Cell) {
        calls.set(s.id, (calls.get(s.id) ?? 0) + 1);
        downCalls.push(old);
        return typeof old === "string" ? { id: s.id, n: s.n + 100 } : { id: s.id, n: s.n - 100 + (old.down === "0" ? 1000 : 0) };
      },
    });
    const refs = await spawnMany(5000, 0, V2);
    const plan: host.CodeChange[] = [{ refs: refs.slice(0, 4096), def: V1, oldVsn: { down: "1" } }, { refs: refs.slice(4096), def: V1, oldVsn: { down: "1" } }];
    const { drop, kept } = await host.computeAhead(plan, null);
    expect(kept).toBe(5000);
    const made = calls.size;
    // The pass plans again: new run objects, a new oldVsn object of the same down.
    const rebuilt: host.CodeChange[] = plan.map((c) => ({ refs: [...c.refs], def: c.def, oldVsn: { down: "1" } }));
    calls.clear();
    downCalls.length = 0;
    const rollback = host.swapAll(rebuilt, options, false, false);
    expect(rollback).not.toBeNull();
    expect(host.triedAheadUsed()).toBe(5000);
    expect(calls.size).toBe(0);
    expect(refs.every((r) => (proc(r).state as Cell).n === -100 && proc(r).def === V1)).toBe(true);
    rollback!();
    drop();
    expect(made).toBe(5000);

    // Tried down to "1", the pass down to "0": no try holds.
    await host.computeAhead(plan, null);
    calls.clear();
    const other: host.CodeChange[] = plan.map((c) => ({ refs: c.refs, def: c.def, oldVsn: { down: "0" } }));
    expect(host.swapAll(other, options, false, false)).not.toBeNull();
    expect(host.triedAheadUsed()).toBe(0);
    expect(calls.size).toBe(5000);
    expect(refs.every((r) => (proc(r).state as Cell).n === 900)).toBe(true);
  });

  it("a process in two runs of the same code and oldVsn: its one try (the second run's) serves the first listing, the second is called on what the first made", async () => {
    const calls = new Map<number, number>();
    const V2 = v2(calls);
    const refs = await spawnMany(4100);
    const twice = refs[4095]!;
    const changes: host.CodeChange[] = [{ refs: refs.slice(0, 4096), def: V2, oldVsn: "1" }, { refs: [twice, ...refs.slice(4096)], def: V2, oldVsn: "1" }];
    const { drop } = await host.computeAhead(changes, null);
    calls.clear();
    expect(host.swapAll(changes, options, false, false)).not.toBeNull();
    drop();
    expect((proc(twice).state as Cell).n).toBe(200);
    expect([...calls.entries()]).toEqual([[4095, 1]]);
  });

  it("a try for another run of the process (other code) is not used for this one", async () => {
    const calls = new Map<number, number>();
    const V2 = v2(calls);
    const V3 = defineServer<Cell>({ ...base, vsn: "3", codeChange: (_old, s: Cell) => ({ id: s.id, n: s.n + 1 }) });
    const refs = await spawnMany(4097);
    const twice = refs[4096]!;
    const changes: host.CodeChange[] = [{ refs, def: V2, oldVsn: "1" }, { refs: [twice], def: V3, oldVsn: "2" }];
    const { drop } = await host.computeAhead(changes, null);
    calls.clear();
    expect(host.swapAll(changes, options, false, false)).not.toBeNull();
    drop();
    // V2 on 0, then V3 on 100: 101, as the suspend path does.
    expect((proc(twice).state as Cell).n).toBe(101);
    expect(proc(twice).def).toBe(V3);
    expect([...calls.keys()]).toEqual([4096]);
  });
});

describe("the rehearsal of the one-loop pass, attacked", () => {
  async function tried(sizes: number[], def: ServerDef<Cell>, init?: (id: number) => unknown) {
    const groups: host.ProcessRef[][] = [];
    let first = 0;
    for (const n of sizes) {
      groups.push(await spawnMany(n, first, V1, init));
      first += n;
    }
    const changes: host.CodeChange[] = groups.map((refs) => ({ refs, def, oldVsn: "1" }));
    const tries = await host.computeAhead(changes, null);
    return { all: groups.flat(), changes, tries };
  }

  it("a try gone stale at the second stretch's first process, runs of no process at the edge: nothing changed, nothing called", async () => {
    const calls = new Map<number, number>();
    const { all, changes, tries } = await tried([0, 4096, 0, 0, 3000, 0], v2(calls));
    host.cast(all[4096]!, "bump");
    await host.call(all[4096]!, "state", 1000);
    const before = snapshot(all);
    calls.clear();
    for (const upTo of [4095, 4096, 4097, 8192, 20_000]) {
      rehearseEach(runsOf(changes), upTo);
      expectSame(all, before);
    }
    expect(calls.size).toBe(0);
    expect(host.swapAll(changes, options, false, false)).not.toBeNull();
    tries.drop();
    expect([...calls.keys()]).toEqual([4096]);
  });

  it("a run with no codeChange across the edge, a process of it busy at 4,096, one listed twice, states undefined, a try of undefined: every process as it was", async () => {
    const calls = new Map<number, number>();
    const V2 = v2(calls);
    const NoChange = defineServer<Cell>({ ...base, vsn: "2" });
    const a = await spawnMany(4095, 0, V1, (id) => (id % 3 === 0 ? undefined : { id, n: 0 }));
    const c = await spawnMany(10, 4095);
    const b = await spawnMany(3000, 4105);
    const twice = b[0]!;
    const changes: host.CodeChange[] = [
      // Its codeChange gives back what it got: undefined for an undefined state, a try that holds.
      { refs: a, def: defineServer<Cell>({ ...base, vsn: "2", codeChange: (_o, s: Cell | undefined) => s as Cell }), oldVsn: "1" },
      { refs: [], def: V2, oldVsn: "1" },
      { refs: c, def: NoChange, oldVsn: "1" },
      { refs: b, def: V2, oldVsn: "1" },
      // Listed again last: its try taken by the first listing, the rehearsal stops here.
      { refs: [twice], def: V2, oldVsn: "1" },
    ];
    const { drop, kept } = await host.computeAhead(changes, null);
    // The process listed twice holds one try, its second run's (tried last; of the same code and
    // oldVsn, so it serves the first listing): a process's try each.
    expect(kept).toBe(4095 + 3000);
    const all = [...a, ...c, ...b];
    calls.clear();
    let before = snapshot(all);
    for (const upTo of [4095, 4096, 4097, 7105, 7106, 9000]) {
      rehearseEach(runsOf(changes), upTo);
      expectSame(all, before);
    }
    const g = gate();
    const inHand = host.call(c[1]!, g.promise, 5000);
    await new Promise((resolve) => setImmediate(resolve));
    before = snapshot(all);
    for (const upTo of [4096, 4097, 9000]) {
      rehearseEach(runsOf(changes), upTo);
      expectSame(all, before);
    }
    expect(calls.size).toBe(0);
    g.open();
    await inHand;
    // The pass: every try used; the second listing of the process listed twice called.
    expect(host.swapAll(changes, options, false, false)).not.toBeNull();
    drop();
    expect(host.triedAheadUsed()).toBe(4095 + 3000);
    expect([...calls.entries()]).toEqual([[4105, 1]]);
    expect(all.every((r) => proc(r).def.vsn === "2")).toBe(true);
    expect(a.every((r, i) => (i % 3 === 0 ? proc(r).state === undefined : (proc(r).state as Cell).n === 0))).toBe(true);
    expect((proc(twice).state as Cell).n).toBe(200);
  });
});

describe("a pass over more than 24,000 processes, tried and rehearsed (computeAhead), while processes run", () => {
  it("computeAhead changes nothing, whatever runs between its stretches; the pass then calls each stale process's codeChange once, and uses the other tries", async () => {
    const calls = new Map<number, number>();
    const V2 = v2(calls);
    const a = await spawnMany(4096, 0);
    const b = await spawnMany(21_000, 4096);
    const twice = a[100]!;
    // A run of none first, one listing a process twice (inside the rehearsal's first 12,000), one of none last.
    const changes: host.CodeChange[] = [{ refs: [], def: V2, oldVsn: "1" }, { refs: [...a, twice], def: V2, oldVsn: "1" }, { refs: b, def: V2, oldVsn: "1" }, { refs: [], def: V2, oldVsn: "1" }];
    const all = [...a, ...b];
    const bumped = new Set<number>();
    let ticks = 0;
    let running = true;
    const bump = (): void => {
      if (!running) return;
      const i = (ticks++ * 997) % all.length;
      bumped.add(i);
      host.cast(all[i]!, "bump");
      setImmediate(bump);
    };
    setImmediate(bump);
    const defsBefore = all.map((r) => proc(r).def);
    const tries = await host.computeAhead(changes, null);
    running = false;
    await Promise.all([...bumped].map((i) => host.call(all[i]!, "state", 5000)));
    expect(all.every((r, i) => proc(r).def === defsBefore[i])).toBe(true);
    expect(all.every((r, i) => (proc(r).state as Cell).n === (bumped.has(i) ? (proc(r).state as Cell).n : 0))).toBe(true);
    const ns = all.map((r) => (proc(r).state as Cell).n);
    calls.clear();
    expect(host.swapAll(changes, options, false, true)).not.toBeNull();
    tries.drop();
    // In the pause: each codeChange at most once (process 100 twice, once per listing).
    expect([...calls.entries()].filter(([id, c]) => c > (id === 100 ? 2 : 1))).toEqual([]);
    expect(all.map((r) => (proc(r).state as Cell).n)).toEqual(ns.map((n, i) => n + (i === 100 ? 200 : 100)));
    expect(all.every((r) => proc(r).def === V2)).toBe(true);
  });
});

describe("the one-loop pass against the suspend path, across stretches", () => {
  /** Two sets of processes alike: one through the fused pass, one through suspend, changeCodeAll, resume. */
  async function twins(sizes: number[], init?: (id: number) => unknown, def: ServerDef<Cell> = V1) {
    const make = async () => {
      const groups: host.ProcessRef[][] = [];
      let first = 0;
      for (const n of sizes) {
        groups.push(await spawnMany(n, first, def, init));
        first += n;
      }
      return groups;
    };
    return [await make(), await make()] as const;
  }
  const throughSuspend = (changes: host.CodeChange[], all: host.ProcessRef[]): Promise<unknown> => suspendPath(changes, options, all);

  const view = (refs: host.ProcessRef[]) => refs.map((r) => ({ vsn: proc(r).def.vsn, state: proc(r).state }));

  it("undefined states across the edges, a codeChange that returns undefined for them: the same as the suspend path; one that returns undefined for a state fails both, all put back", async () => {
    const init = (id: number) => (id % 2 === 0 ? undefined : { id, n: 0 });
    let malformedAt: number | null = null;
    const V2 = defineServer<Cell>({ ...base, vsn: "2", codeChange: (_o, s: Cell | undefined) => (s === undefined ? undefined : s.id === malformedAt ? undefined : { id: s.id, n: s.n + 1 }) as Cell });
    const sizes = [4096, 0, 4097];
    const [fused, ref] = await twins(sizes, init);
    const fusedAll = fused.flat();
    const refAll = ref.flat();
    const changesOf = (groups: host.ProcessRef[][]): host.CodeChange[] => groups.map((refs) => ({ refs, def: V2, oldVsn: "1" }));
    malformedAt = 4097;
    const before = snapshot(fusedAll);
    const err = thrownBy(() => host.swapAll(changesOf(fused), options, false, false));
    expect(err?.code).toBe("RELX_CODE_CHANGE_FAILED");
    expect(err?.message).toContain("returned undefined");
    expectSame(fusedAll, before);
    expect(((await throughSuspend(changesOf(ref), refAll)) as RelxError).code).toBe("RELX_CODE_CHANGE_FAILED");
    expect(view(refAll)).toEqual(view(fusedAll));
    malformedAt = null;
    const rollback = host.swapAll(changesOf(fused), options, false, false);
    expect(rollback).not.toBeNull();
    expect(await throughSuspend(changesOf(ref), refAll)).toBeUndefined();
    expect(view(fusedAll)).toEqual(view(refAll));
    // The rollback the pass returned puts back every process, across every stretch.
    rollback!();
    expectSame(fusedAll, before);
  });

  it("a downgrade then an upgrade of one process listed twice across the edge, beside runs of no process: the same as the suspend path, tried or not", async () => {
    const V2 = defineServer<Cell>({ ...base, vsn: "2", codeChange: (old, s: Cell) => ({ id: s.id, n: typeof old === "string" ? s.n * 2 + 1 : s.n - 7 }) });
    const V3 = defineServer<Cell>({ ...base, vsn: "3", codeChange: (old, s: Cell) => ({ id: s.id, n: s.n * 10 + (typeof old === "string" ? 3 : 5) }) });
    for (const tryFirst of [false, true]) {
      const [fused, ref] = await twins([4095, 4097], undefined, V2);
      const changesOf = (g: host.ProcessRef[][]): host.CodeChange[] => [
        { refs: [], def: V1, oldVsn: { down: "1" } },
        { refs: [...g[0]!.slice(0, 4094), g[0]![4094]!], def: V1, oldVsn: { down: "1" } },
        { refs: [], def: V3, oldVsn: "1" },
        { refs: [g[0]![4094]!, ...g[1]!], def: V3, oldVsn: "1" },
        { refs: [], def: V3, oldVsn: "1" },
      ];
      const tries = tryFirst ? await host.computeAhead(changesOf(fused), null) : null;
      expect(host.swapAll(changesOf(fused), options, false, false)).not.toBeNull();
      tries?.drop();
      expect(await throughSuspend(changesOf(ref), ref.flat())).toBeUndefined();
      expect(view(fused.flat())).toEqual(view(ref.flat()));
      expect((proc(fused[0]![4094]!).state as Cell).n).toBe(-67);
    }
  });
});
