// Hostile cases for the fused pass in two loops (src/runtime/bulk.ts swapAll: swapTried, then the
// codeChanges left) and for the rehearsal of its first loop after the tries (computeAhead).
// The reference is the suspend path (changeCodeAll): the same runs must end the same way, and a
// rehearsal must leave every process exactly as it was.
import { describe, expect, it } from "vitest";
import { defineServer, type Ctx, type RelxError, type ServerDef } from "../../src/index.js";
import type { Process } from "../../src/runtime/process.js";
import * as host from "../../src/runtime/host.js";
import { collector } from "../support/collector.js";
import { counterBase, thrownBy, throughSuspend as suspendPath } from "../support/pass.js";
import { gate } from "../support/wait.js";

type Counter = { id: number; n: number; v?: string };

const base = counterBase;
/** No codeChange, as a release's first vsn usually has none. */
const V1 = defineServer<Counter>({ ...base, vsn: "1" });

/** V2, with a codeChange both ways (up from "1", down to "1"), counting its runs. */
function v2(runs: { count: number }, also?: (s: Counter, ctx: Ctx) => void): ServerDef<Counter> {
  return defineServer<Counter>({
    ...base,
    vsn: "2",
    codeChange(old, s: Counter, _extra, ctx) {
      runs.count++;
      also?.(s, ctx);
      return typeof old === "string" ? { id: s.id, n: s.n * 10, v: "2" } : { id: s.id, n: s.n + 1, v: "down" };
    },
  });
}

const tag = () => Math.random().toString(36).slice(2);
const options = { extra: null, timeoutMs: 1000 };

async function spawnMany(n: number, def: ServerDef<Counter> = V1): Promise<host.ProcessRef[]> {
  const refs: host.ProcessRef[] = [];
  const t = tag();
  for (let i = 0; i < n; i++) refs.push(await host.spawn({ server: def, args: { id: i }, name: `two-${t}-${i}`, restart: "temporary", initTimeoutMs: 1000 }));
  return refs;
}

const proc = (r: host.ProcessRef): Process => r as unknown as Process;

/** What a rehearsal must not change: each process's code, state object and try. */
function snapshot(refs: host.ProcessRef[]): { def: unknown; state: unknown; ahead: unknown; phase: string }[] {
  return refs.map((r) => ({ def: proc(r).def, state: proc(r).state, ahead: proc(r).ahead, phase: proc(r).phase }));
}


/** Each process on the code and the very state object it had, with a try, but for those of `untried` (none). */
function expectAsBefore(after: ReturnType<typeof snapshot>, before: ReturnType<typeof snapshot>, untried: number[] = []): void {
  after.forEach((s, i) => {
    expect(s.def).toBe(before[i]!.def);
    expect(s.state).toBe(before[i]!.state);
    if (untried.includes(i)) expect(s.ahead).toBeNull();
    else expect(s.ahead).not.toBeNull();
  });
}

describe("the rehearsal after the tries, attacked", () => {
  it("leaves a process listed twice in a downgrade run on its own code and state, with its try", async () => {
    const runs = { count: 0 };
    const V2 = v2(runs);
    const refs = await spawnMany(20, V2);
    const twice = refs[5]!;
    // Down to V1 (no codeChange): each process's running V2 codeChange runs; process 5 is listed
    // twice (as sys.*Many may be given a pid twice), its second change then V1's: none.
    const changes: host.CodeChange[] = [{ refs: [...refs, twice], def: V1, oldVsn: { down: "1" } }];
    const before = snapshot(refs);
    const { drop } = await host.computeAhead(changes, null);
    // Every process tried (process 5 twice, a second try on the same state): the rehearsal ran.
    expect(runs.count).toBe(21);
    const after = snapshot(refs);
    expectAsBefore(after, before);
    expect(after.map((s) => s.phase)).toEqual(after.map(() => "idle"));
    expect(host.info(twice).vsn).toBe("2");
    drop();
  });

  it("leaves a process listed in two runs (the second with no codeChange) as it was", async () => {
    const runs = { count: 0 };
    const V2 = v2(runs);
    const V3 = defineServer<Counter>({ ...base, vsn: "3" }); // no codeChange
    const refs = await spawnMany(20);
    const twice = refs[5]!;
    const changes: host.CodeChange[] = [
      { refs, def: V2, oldVsn: "1" },
      { refs: [twice], def: V3, oldVsn: "1" },
    ];
    const before = snapshot(refs);
    const { drop } = await host.computeAhead(changes, null);
    expect(runs.count).toBe(20);
    const after = snapshot(refs);
    expectAsBefore(after, before);
    drop();
  });

  it("stops at a process busy with a message and puts back every try it had taken, touching none after it", async () => {
    const runs = { count: 0 };
    const g = gate();
    // A V1 whose "hold" call awaits the gate: its process is busy until the test opens it.
    const Slow = defineServer<Counter>({
      ...base,
      vsn: "1",
      async handleCall(msg, _from, state) {
        if (msg === "hold") await g.promise;
        return { reply: state, state };
      },
    });
    const V2 = defineServer<Counter>({ ...v2(runs), handleCall: Slow.handleCall });
    const refs = await spawnMany(20, Slow);
    const inHand = host.call(refs[10]!, "hold", 5000);
    const changes: host.CodeChange[] = [{ refs, def: V2, oldVsn: "1" }];
    const before = snapshot(refs);
    const { drop } = await host.computeAhead(changes, null);
    expect(runs.count).toBe(19); // 19 of 20 tried: the rehearsal ran, and met process 10 busy
    const after = snapshot(refs);
    expectAsBefore(after, before, [10]);
    g.open();
    await inHand;
    expect(host.swapAll(changes, options, false, true)).not.toBeNull();
    drop();
    expect(host.triedAheadUsed()).toBe(19);
    expect(runs.count).toBe(20); // process 10's codeChange, called by the pass, and no other
  });
});

/** The same runs through the suspend path (suspend, changeCodeAll, resume): the reference. */
const throughSuspend = (changes: host.CodeChange[]): Promise<unknown> => suspendPath(changes, options);

describe("the two-loop pass and a process listed twice, against the suspend path", () => {
  it("a downgrade run listing a process twice: the second change is the target's, which has no codeChange", async () => {
    const runs = { count: 0 };
    const V2 = v2(runs);
    const [a, b] = await spawnMany(2, V2);
    // No tries: both listings are left for the pass's second loop.
    expect(thrownBy(() => host.swapAll([{ refs: [a!, a!], def: V1, oldVsn: { down: "1" } }], options, false, true))).toBeUndefined();
    expect(await throughSuspend([{ refs: [b!, b!], def: V1, oldVsn: { down: "1" } }])).toBeUndefined();
    expect(runs.count).toBe(2); // V2's down codeChange once each; V1 has none
    for (const r of [a!, b!]) {
      expect(host.info(r).vsn).toBe("1");
      expect(await host.call(r, "state", 1000)).toEqual({ id: r === a ? 0 : 1, n: 1, v: "down" });
    }
  });

  it("a process in two runs, the first left for the second loop and the second with no codeChange: changed in run order, and put back whole on a failure", async () => {
    const runs = { count: 0 };
    const V2 = v2(runs);
    const V3 = defineServer<Counter>({ ...base, vsn: "3" }); // no codeChange
    const Bad = defineServer<Counter>({
      ...base,
      vsn: "2",
      codeChange() {
        throw new Error("no migration");
      },
    });
    const [a, b, qa, qb] = await spawnMany(4);
    const twice = (p: host.ProcessRef): host.CodeChange[] => [
      { refs: [p], def: V2, oldVsn: "1" },
      { refs: [p], def: V3, oldVsn: "1" },
    ];
    // Succeeding: V2's codeChange, then V3 with that state, as the suspend path does.
    expect(host.swapAll(twice(a!), options, false, true)).not.toBeNull();
    expect(await throughSuspend(twice(b!))).toBeUndefined();
    for (const r of [a!, b!]) {
      expect(host.info(r).vsn).toBe("3");
      expect((await host.call(r, "state", 1000)) as Counter).toMatchObject({ n: 0, v: "2" });
    }
    // Failing on a later process: all or nothing, the process listed twice back on V1, its very state.
    const beforeA = await host.getState(qa!);
    const beforeB = await host.getState(qb!);
    const thrown = thrownBy(() => host.swapAll([...twice(qa!), { refs: [qb!], def: Bad, oldVsn: "1" }], options, false, true));
    expect(thrown?.code).toBe("RELX_CODE_CHANGE_FAILED");
    expect(((await throughSuspend([...twice(qb!), { refs: [qa!], def: Bad, oldVsn: "1" }])) as RelxError).code).toBe("RELX_CODE_CHANGE_FAILED");
    for (const [r, st] of [[qa!, beforeA], [qb!, beforeB]] as const) {
      expect(host.info(r).vsn).toBe("1");
      expect(await host.getState(r)).toBe(st);
    }
  });
});

describe("the second round of tries, attacked", () => {
  it("a try made again that uses its ctx is dropped: the pass calls that codeChange, what it sends through ctx is sent once, and the try is not counted as kept", async () => {
    const sink = await collector();
    const refs = await spawnMany(130);
    const runs = { count: 0 };
    let first = true;
    // The first try outlasts a slice (4 ms) and casts to process 10, tried in that slice: process 10
    // handles it between slices, so its try goes stale; made again, on n = 1, it uses its ctx.
    const V2 = v2(runs, (s, ctx) => {
      if (s.n > 0) ctx.cast(sink.name, { migrated: s.id });
      if (!first) return;
      first = false;
      host.cast(refs[10]!, "bump");
      const until = performance.now() + 8;
      while (performance.now() < until);
    });
    const changes: host.CodeChange[] = [{ refs, def: V2, oldVsn: "1" }];
    const { drop, made, kept } = await host.computeAhead(changes, null);
    expect(runs.count).toBe(131); // process 10 tried twice; the second try dropped
    expect(made).toBe(131);
    expect(kept).toBe(129);
    await host.call(sink.ref, "flush", 1000);
    expect(sink.seen).toEqual([]); // the tries' ctx did nothing
    expect(host.swapAll(changes, options, false, true)).not.toBeNull();
    drop();
    expect(host.triedAheadUsed()).toBe(129);
    expect(runs.count).toBe(132);
    await host.call(sink.ref, "flush", 1000);
    expect(sink.seen).toEqual([{ migrated: 10 }]);
    expect(((await host.call(refs[10]!, "state", 1000)) as Counter).n).toBe(10);
  });
});

describe("a pass that gives up after its first loop swapped the tried processes", () => {
  it("hands the tries it swapped to the suspend path, which uses those very results and calls no codeChange twice", async () => {
    const g = gate();
    const Slow = defineServer<Counter>({
      ...base,
      vsn: "1",
      async handleCall(msg, _from, state) {
        if (msg === "hold") await g.promise;
        return { reply: state, state };
      },
    });
    const results = new Map<number, Counter>();
    const runs = { count: 0 };
    const V2 = defineServer<Counter>({
      ...base,
      vsn: "2",
      codeChange(_old, s: Counter) {
        runs.count++;
        const r = { id: s.id, n: s.n * 10, v: "2" };
        results.set(s.id, r);
        return r;
      },
    });
    const refs = await spawnMany(20, Slow);
    const changes: host.CodeChange[] = [{ refs, def: V2, oldVsn: "1" }];
    const { drop } = await host.computeAhead(changes, null);
    expect(runs.count).toBe(20);
    const tried = new Map(results);
    const inHand = host.call(refs[19]!, "hold", 5000); // the last one busy: the first loop swaps 0–18, then gives up
    const computed = host.computedChanges();
    expect(host.swapAll(changes, { ...options, computed }, false, true)).toBeNull();
    expect(runs.count).toBe(20); // the busy one found before any codeChange was called
    expect(refs.map((r) => host.info(r).vsn)).toEqual(refs.map(() => "1"));
    expect(computed.size).toBe(19);
    // The suspend path, as prepareUpgrade takes it: suspend (the busy one finishes), change, resume.
    const suspending = host.suspendWithin(refs, 5000);
    g.open();
    await suspending;
    await inHand;
    await host.changeCodeAll(changes, { ...options, computed });
    host.resumeAll(refs);
    drop();
    expect(runs.count).toBe(21); // only the busy one's codeChange, on what its message left
    for (let i = 0; i < 19; i++) expect(await host.getState(refs[i]!)).toBe(tried.get(i));
    expect(refs.map((r) => host.info(r).vsn)).toEqual(refs.map(() => "2"));
  });

  it("a codeChange of the second loop that suspends a process listed after it: the pass gives up, and the suspend path calls each codeChange once, what each sent through ctx sent once", async () => {
    const sink = await collector();
    const refs = await spawnMany(10);
    const runs = { count: 0 };
    const V2 = v2(runs, (s, ctx) => {
      ctx.cast(sink.name, s.id);
      if (s.id === 2) void host.suspendWithin([refs[6]!], 1000);
    });
    const changes: host.CodeChange[] = [{ refs, def: V2, oldVsn: "1" }];
    const before = await Promise.all(refs.map((r) => host.getState(r)));
    // No tries: every process is left for the second loop, which gives up at process 6.
    const computed = host.computedChanges();
    expect(host.swapAll(changes, { ...options, computed }, false, true)).toBeNull();
    expect(runs.count).toBe(6);
    expect(host.info(refs[6]!).status).toBe("suspended");
    for (let i = 0; i < 10; i++) expect(await host.getState(refs[i]!)).toBe(before[i]);
    await host.suspendWithin(refs, 1000);
    await host.changeCodeAll(changes, { ...options, computed });
    host.resumeAll(refs);
    expect(runs.count).toBe(10);
    await host.call(sink.ref, "flush", 1000);
    expect([...sink.seen].sort((a, b) => (a as number) - (b as number))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe("the two-loop pass, more", () => {
  it("a codeChange of the second loop that returns a promise, after the first loop swapped the tries: the suspend path uses the tries and that promise, calling nothing again", async () => {
    const refs = await spawnMany(20);
    const runs = { count: 0 };
    const V2 = defineServer<Counter>({
      ...base,
      vsn: "2",
      codeChange(_old, s: Counter) {
        runs.count++;
        const next = { id: s.id, n: s.n * 10, v: "2" };
        return s.n === 1 ? (Promise.resolve(next) as unknown as Counter) : next;
      },
    });
    const changes: host.CodeChange[] = [{ refs, def: V2, oldVsn: "1" }];
    // Read before the tries: a system operation (getState) counts as something run, and would leave every try stale.
    const before = await Promise.all(refs.map((r) => host.getState(r)));
    const { drop } = await host.computeAhead(changes, null);
    host.cast(refs[15]!, "bump"); // its try stale (its state changed in place): the pass calls it, and it returns a promise
    await host.call(refs[15]!, "state", 1000);
    const computed = host.computedChanges();
    expect(host.swapAll(changes, { ...options, computed }, false, true)).toBeNull();
    expect(runs.count).toBe(21);
    expect(computed.size).toBe(20);
    for (let i = 0; i < 20; i++) expect(await host.getState(refs[i]!)).toBe(before[i]);
    await host.suspendWithin(refs, 1000);
    await host.changeCodeAll(changes, { ...options, computed });
    host.resumeAll(refs);
    drop();
    expect(runs.count).toBe(21);
    const after = (await Promise.all(refs.map((r) => host.getState(r)))) as Counter[];
    expect(after.map((s) => s.n)).toEqual(refs.map((_, i) => (i === 15 ? 10 : 0)));
    expect(after.every((s) => s.v === "2")).toBe(true);
  });

  it("a downgrade tried ahead: the pass uses every try, and a failure puts back the very states", async () => {
    const runs = { count: 0 };
    const V2 = v2(runs);
    const refs = await spawnMany(30, V2);
    const down: host.CodeChange[] = [
      { refs: refs.slice(0, 10), def: V1, oldVsn: { down: "1" } },
      { refs: refs.slice(10), def: V1, oldVsn: { down: "1" } },
    ];
    const { drop } = await host.computeAhead(down, null);
    expect(runs.count).toBe(30);
    expect(host.swapAll(down, options, false, true)).not.toBeNull();
    drop();
    expect(host.triedAheadUsed()).toBe(30);
    expect(runs.count).toBe(30);
    expect(refs.map((r) => host.info(r).vsn)).toEqual(refs.map(() => "1"));
    expect(((await host.getState(refs[29]!)) as Counter).v).toBe("down");
  });
});
