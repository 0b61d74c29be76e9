// Hostile cases for codeChanges tried ahead of an upgrade's pause (src/runtime/bulk.ts computeAhead):
// what a try lets run, and what it leaves running, must not do through a ctx what the pause would not.
import { afterEach, describe, expect, it } from "vitest";
import { call, defineServer, send, start, whereis, type Ctx, type ServerDef } from "../../src/index.js";
import * as host from "../../src/runtime/host.js";
import { collector } from "../support/collector.js";
import { counterBase as base, type Cell as Counter } from "../support/pass.js";


const V1 = defineServer<Counter>({ ...base, vsn: "1" });

const tag = () => Math.random().toString(36).slice(2);
const options = { extra: null, timeoutMs: 1000 };

async function spawnCounters(n: number): Promise<host.ProcessRef[]> {
  const refs: host.ProcessRef[] = [];
  const t = tag();
  for (let i = 0; i < n; i++) refs.push(await host.spawn({ server: V1, args: { id: i }, name: `hostile-${t}-${i}`, restart: "temporary", initTimeoutMs: 1000 }));
  return refs;
}

afterEach(() => host.trackProcesses("off"));

describe.each([["one loop", false], ["two loops", true]] as const)("codeChanges tried ahead of the pause, attacked, the pass in %s", (_form, tried) => {
  it("a process a tried codeChange sends to (through the API, not its ctx) does not run inside the try, where every ctx is inert", async () => {
    const sink = await collector();
    // The relay forwards what it gets through its own ctx: a ctx that must work.
    let relayed = 0;
    const Relay = defineServer<null>({
      name: "Relay",
      init: () => null,
      handleInfo(msg, state, ctx) {
        relayed++;
        ctx.cast(sink.name, msg);
        return state;
      },
      handleCall: (_msg, _from, state) => ({ reply: "flushed", state }),
    });
    const relayName = `relay-${tag()}`;
    const relay = await host.spawn({ server: Relay, args: null, name: relayName, restart: "temporary", initTimeoutMs: 1000 });
    const refs = await spawnCounters(1);
    const V2: ServerDef<Counter> = defineServer<Counter>({
      ...base,
      vsn: "2",
      codeChange(_old, s: Counter) {
        send(relayName, { migrated: s.id }); // the public API, as a module of the app would
        return { id: s.id, n: s.n + 100 };
      },
    });
    const changes = [{ refs, def: V2, oldVsn: "1" }];
    const { drop } = await host.computeAhead(changes, null);
    expect(host.swapAll(changes, options, false, tried)).not.toBeNull();
    drop();
    await host.call(relay, "flush", 1000);
    await host.call(sink.ref, "flush", 1000);
    // Whatever the relay handled, it forwarded: its ctx.cast was never a silent no-op.
    expect(relayed).toBeGreaterThan(0);
    expect(sink.seen.length).toBe(relayed);
  });

  it("a codeChange that is no async function but returns a promise: what its continuation does through ctx, after the try, is not done", async () => {
    host.trackProcesses("async"); // as the daemon runs
    const sink = await collector();
    const refs = await spawnCounters(1);
    let runs = 0;
    const V2: ServerDef<Counter> = defineServer<Counter>({
      ...base,
      vsn: "2",
      codeChange(_old, s: Counter, _extra, ctx: Ctx) {
        runs++;
        return Promise.resolve().then(() => {
          ctx.cast(sink.name, { migrated: s.id });
          return { id: s.id, n: s.n + 100 };
        });
      },
    });
    const changes = [{ refs, def: V2, oldVsn: "1" }];
    const { drop } = await host.computeAhead(changes, null);
    expect(runs).toBe(1);
    await host.call(sink.ref, "flush", 1000);
    // The try ran ahead of the pause; nothing it does through ctx may happen (docs/services.md).
    expect(sink.seen).toEqual([]);
    // The pass finds the promise and gives up; the suspend path uses what the pass's call returned.
    const computed = host.computedChanges();
    expect(host.swapAll(changes, { ...options, computed }, false, tried)).toBeNull();
    drop();
    await host.suspendWithin(refs, 1000);
    await host.changeCodeAll(changes, { ...options, computed });
    host.resumeAll(refs);
    expect(runs).toBe(2);
    await host.call(sink.ref, "flush", 1000);
    expect(sink.seen).toEqual([{ migrated: 0 }]); // once, from the pause's run
    expect(host.getState(refs[0]!)).toEqual({ id: 0, n: 100 });
  });

  it("a codeChange that is no async function but returns a promise: what its continuation sends its own process through the API, after the try, is not delivered", async () => {
    host.trackProcesses("async"); // as the daemon runs
    type Bumped = { id: number; n: number; by?: number };
    const Bump1 = defineServer<Bumped>({
      name: "Bump",
      vsn: "1",
      init: (args: unknown) => ({ id: (args as { id: number }).id, n: 0 }),
      handleInfo: (msg, s) => (msg === "inc" ? { ...s, n: s.n + 1, by: 1 } : s),
      handleCall: (_msg, _from, s) => ({ reply: s, state: s }),
    });
    const Bump2: ServerDef<Bumped> = defineServer<Bumped>({
      ...Bump1,
      vsn: "2",
      handleInfo: (msg, s) => (msg === "inc" ? { ...s, n: s.n + 1, by: 2 } : s),
      codeChange(_old, s: Bumped, _extra, ctx: Ctx) {
        return Promise.resolve().then(() => {
          send(ctx.self, "inc"); // the public API, not ctx
          return { ...s };
        });
      },
    });
    const ref = await host.spawn({ server: Bump1, args: { id: 0 }, name: `bump-${tag()}`, restart: "temporary", initTimeoutMs: 1000 });
    const changes = [{ refs: [ref], def: Bump2, oldVsn: "1" }];
    const { drop } = await host.computeAhead(changes, null);
    // The try's continuation has run by now; had its message got through, the old code handled it.
    expect(await host.call(ref, "get", 1000)).toEqual({ id: 0, n: 0 });
    const computed = host.computedChanges();
    expect(host.swapAll(changes, { ...options, computed }, false, tried)).toBeNull();
    drop();
    await host.suspendWithin([ref], 1000);
    await host.changeCodeAll(changes, { ...options, computed });
    host.resumeAll([ref]);
    // Once, from the pause's run, handled by the new code.
    expect(await host.call(ref, "get", 1000)).toEqual({ id: 0, n: 1, by: 2 });
  });

  it("a process a tried codeChange starts through the API (start) gets a working ctx in its init: only the tried process's ctx is inert", async () => {
    const booted: string[] = [];
    const Helper = defineServer<null>({
      name: "Helper",
      init(_args, ctx) {
        ctx.send(ctx.self, "boot"); // its own first message, through its own ctx
        return null;
      },
      handleInfo(msg, state) {
        booted.push(msg as string);
        return state;
      },
      handleCall: (_msg, _from, state) => ({ reply: "flushed", state }),
    });
    const helperName = `helper-${tag()}`;
    const refs = await spawnCounters(1);
    const V2: ServerDef<Counter> = defineServer<Counter>({
      ...base,
      vsn: "2",
      codeChange(_old, s: Counter) {
        // v2's helper, started once, whichever run of codeChange gets there first.
        if (whereis(helperName) === undefined) void start(Helper, null, { name: helperName, restart: "temporary" });
        return { id: s.id, n: s.n + 100 };
      },
    });
    const changes = [{ refs, def: V2, oldVsn: "1" }];
    const { drop } = await host.computeAhead(changes, null);
    expect(host.swapAll(changes, options, false, tried)).not.toBeNull();
    drop();
    expect(whereis(helperName)).toBeDefined();
    await call(helperName, "flush", 1000);
    expect(booted).toEqual(["boot"]);
    expect(host.getState(refs[0]!)).toEqual({ id: 0, n: 100 });
  });

  it("nothing is tried when an upgrade's changes hold an async codeChange: the fused pass cannot apply, and each try would be a second run", async () => {
    const sync = await spawnCounters(3);
    const other = await spawnCounters(1);
    let runs = 0;
    const V2: ServerDef<Counter> = defineServer<Counter>({
      ...base,
      vsn: "2",
      codeChange(_old, s: Counter) {
        runs++; // what it prints, or does to a module variable, would happen twice
        return { id: s.id, n: s.n + 100 };
      },
    });
    const Async2: ServerDef<Counter> = defineServer<Counter>({
      ...base,
      vsn: "2",
      async codeChange(_old, s: Counter) {
        return { id: s.id, n: s.n + 1 };
      },
    });
    const changes = [
      { refs: sync, def: V2, oldVsn: "1" },
      { refs: other, def: Async2, oldVsn: "1" },
    ];
    const { drop } = await host.computeAhead(changes, null);
    expect(runs).toBe(0);
    expect(host.swapAll(changes, options, false, tried)).toBeNull(); // as the upgrade's own check says (warmUp)
    drop();
    await host.suspendWithin([...sync, ...other], 1000);
    await host.changeCodeAll(changes, options);
    host.resumeAll([...sync, ...other]);
    expect(runs).toBe(3); // once per process, in the pause
    expect(host.getState(sync[1]!)).toEqual({ id: 1, n: 100 });
  });
});
