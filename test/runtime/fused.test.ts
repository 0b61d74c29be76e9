// The fused pass (src/runtime/bulk.ts swapAll): one synchronous loop that changes every idle
// process, all or nothing, instead of suspend all, change all, resume all.
import { describe, expect, it } from "vitest";
import { defineServer, type ServerDef } from "../../src/index.js";
import * as host from "../../src/runtime/host.js";
import { thrownBy } from "../support/pass.js";
import { gate } from "../support/wait.js";

type Emp = { name: string; money?: number; salary?: number; tags: string[] };

function demo(vsn: string, codeChange?: ServerDef<Emp>["codeChange"]): ServerDef<Emp> {
  return defineServer<Emp>({
    name: "Demo",
    vsn,
    init: (e) => e as Emp,
    handleCall(_msg, _from, state) {
      return { reply: { vsn, state }, state };
    },
    ...(codeChange ? { codeChange } : {}),
  });
}

const V1 = demo("1");

async function spawnMany(n: number, def: ServerDef<Emp> = V1): Promise<host.ProcessRef[]> {
  const refs: host.ProcessRef[] = [];
  for (let i = 0; i < n; i++) {
    refs.push(await host.spawn({ server: def, args: { name: `e${i}`, money: i, tags: [`t${i}`] }, name: `fused-${Math.random().toString(36).slice(2)}-${i}`, restart: "temporary", initTimeoutMs: 1000 }));
  }
  return refs;
}

/** The changes to `def`, in runs of 1, 2, 3, 1, 2, 3, … processes: a pass and its undo cross runs. */
function changesTo(refs: host.ProcessRef[], def: ServerDef<Emp>): host.CodeChange[] {
  const runs: host.CodeChange[] = [];
  for (let i = 0, size = 1; i < refs.length; i += size, size = (size % 3) + 1) runs.push({ refs: refs.slice(i, i + size), def, oldVsn: "1" });
  return runs;
}
const options = { extra: null, timeoutMs: 1000 };

async function replyOf(ref: host.ProcessRef): Promise<{ vsn: string; state: Emp }> {
  return (await host.call(ref, "who", 1000)) as { vsn: string; state: Emp };
}

/** Every process answers with its old code and the very state it had before. */
async function expectAllBack(refs: host.ProcessRef[], before: unknown[]): Promise<{ vsn: string; state: Emp }[]> {
  const replies = await Promise.all(refs.map(replyOf));
  replies.forEach((r, i) => {
    expect(r.vsn).toBe("1");
    expect(r.state).toBe(before[i]);
  });
  return replies;
}

describe.each([["one loop", false], ["two loops", true]] as const)("the fused pass in %s", (_form, tried) => {
  it("changes every idle process and gives a rollback that puts the very old states back", async () => {
    const refs = await spawnMany(50);
    const before = await Promise.all(refs.map((r) => host.getState(r)));
    const V2 = demo("2", (_old, s) => ({ name: s.name, salary: s.money, tags: s.tags }));
    const rollback = host.swapAll(changesTo(refs, V2), options, false, tried);
    expect(rollback).not.toBeNull();
    const after = await Promise.all(refs.map(replyOf));
    expect(after.map((r) => r.vsn)).toEqual(refs.map(() => "2"));
    expect(after[7]!.state).toEqual({ name: "e7", salary: 7, tags: ["t7"] });
    rollback!();
    const back = await Promise.all(refs.map((r) => host.getState(r)));
    back.forEach((s, i) => expect(s).toBe(before[i]));
    expect((await replyOf(refs[3]!)).vsn).toBe("1");
  });

  it("a throw in the middle puts every process back: old code, the very old state, its contents untouched", async () => {
    const refs = await spawnMany(1000);
    const before = (await Promise.all(refs.map((r) => host.getState(r)))) as Emp[];
    let n = 0;
    // Edits its copy in place, as much JavaScript does, and throws at the 500th process.
    const V2 = demo("2", (_old, s) => {
      s.salary = s.money;
      delete s.money;
      s.tags.push("migrated");
      if (++n === 500) throw new Error("no salary for e499");
      return s;
    });
    const thrown = thrownBy(() => host.swapAll(changesTo(refs, V2), options, false, tried));
    expect(thrown?.code).toBe("RELX_CODE_CHANGE_FAILED");
    expect(thrown?.message).toContain("no salary for e499");
    expect(n).toBe(500); // it stopped at the throw
    const replies = await expectAllBack(refs, before);
    replies.forEach((r, i) => {
      expect(r.state).toEqual({ name: `e${i}`, money: i, tags: [`t${i}`] });
    });
  });

  it("does not apply, and changes nothing, when a process is busy", async () => {
    const g = gate();
    const Slow = defineServer<Emp>({ ...V1, async handleCall(msg, _f, state) { if (msg === "go") await g.promise; return { reply: { vsn: "1", state }, state }; } });
    const refs = await spawnMany(10, Slow);
    const before = await Promise.all(refs.map((r) => host.getState(r)));
    const inHand = host.call(refs[4]!, "go", 5000);
    let called = 0;
    const V2 = demo("2", (_old, s) => (called++, { ...s, salary: 1 }));
    expect(host.swapAll(changesTo(refs, V2), options, false, tried)).toBeNull();
    // One loop: those before the busy one ran on copies, their results dropped. Two: every
    // process is found idle or not before any codeChange is called.
    expect(called).toBe(tried ? 0 : 4);
    g.open();
    expect(await inHand).toMatchObject({ vsn: "1" });
    await expectAllBack(refs, before);
  });

  it("giving up on a busy process touches no live state: a thenable state left by a server with no codeChange is not awaited", async () => {
    const g = gate();
    let thens = 0;
    const Odd = defineServer<unknown>({
      name: "Odd",
      vsn: "1",
      init: () => ({}),
      async handleCall(msg, _f, state) {
        if (msg === "thenable") return { reply: null, state: { then: () => void thens++ } };
        if (msg === "go") await g.promise;
        return { reply: null, state };
      },
    });
    const a = await host.spawn({ server: Odd, args: null, name: `odd-${Math.random().toString(36).slice(2)}`, restart: "temporary", initTimeoutMs: 1000 });
    const b = await host.spawn({ server: Odd, args: null, name: `odd-${Math.random().toString(36).slice(2)}`, restart: "temporary", initTimeoutMs: 1000 });
    await host.call(a, "thenable", 1000);
    const inHand = host.call(b, "go", 5000);
    const Odd2 = defineServer<unknown>({ ...Odd, vsn: "2" }); // no codeChange: the state is kept as it is
    expect(host.swapAll([{ refs: [a, b], def: Odd2, oldVsn: "1" }], options, false, tried)).toBeNull();
    await new Promise((resolve) => setImmediate(resolve));
    expect(thens).toBe(0);
    g.open();
    await inHand;
  });

  it("does not apply to an async codeChange, and gives up on one that returns a promise, putting back those it changed", async () => {
    const refs = await spawnMany(10);
    const before = await Promise.all(refs.map((r) => host.getState(r)));
    let asyncCalled = 0;
    const Async = demo("2", async (_old, s) => (asyncCalled++, s));
    expect(host.swapAll(changesTo(refs, Async), options, false, tried)).toBeNull();
    expect(asyncCalled).toBe(0);

    let n = 0;
    const Late = demo("2", (_old, s) => (++n === 3 ? (Promise.resolve(s) as unknown as Emp) : { ...s, salary: 1 }));
    expect(host.swapAll(changesTo(refs, Late), options, false, tried)).toBeNull();
    expect(n).toBe(3);
    await expectAllBack(refs, before);
  });

  it("a codeChange that returns no state in the middle fails the pass, names the process, and puts every one back", async () => {
    const refs = await spawnMany(20);
    const before = await Promise.all(refs.map((r) => host.getState(r)));
    let n = 0;
    const V2 = demo("2", (_old, s) => (++n === 12 ? (undefined as unknown as Emp) : { ...s, salary: 1 }));
    expect(host.warmUp(changesTo(refs, V2))).toBe(true);
    const thrown = thrownBy(() => host.swapAll(changesTo(refs, V2), options, true, tried));
    expect(thrown?.code).toBe("RELX_CODE_CHANGE_FAILED");
    expect(thrown?.message).toContain("returned undefined");
    expect(thrown?.process).toBe(host.nameOf(refs[11]!));
    await expectAllBack(refs, before);
    // warmUp tells an async codeChange apart, so the caller does not try the pass at all.
    expect(host.warmUp(changesTo(refs, demo("2", async (_old, s) => s)))).toBe(false);
  });
});

describe.each([["one loop", false], ["two loops", true]] as const)("the fused pass in %s and what a codeChange throws", (_form, tried) => {
  it("names the process and puts every one back whatever is thrown, even a value with no string form", async () => {
    const refs = await spawnMany(4);
    const before = await Promise.all(refs.map((r) => host.getState(r)));
    const unprintable = [Object.create(null), { toString: () => { throw new Error("no string"); } }, "plain text", undefined, Symbol("why")];
    for (const value of unprintable) {
      let n = 0;
      const V2 = demo("2", (_old, s) => {
        if (++n === 3) throw value;
        return { ...s, salary: 1 };
      });
      const thrown = thrownBy(() => host.swapAll(changesTo(refs, V2), options, false, tried));
      expect(thrown?.code).toBe("RELX_CODE_CHANGE_FAILED");
      expect(thrown?.process).toBe(host.nameOf(refs[2]!));
      await expectAllBack(refs, before);
    }
  });
});

describe.each([["one loop", false], ["two loops", true]] as const)("the fused pass in %s and what its codeChanges send", (_form, tried) => {
  type Log = { got: string[] };
  const logger = (vsn: string, codeChange?: ServerDef<Log>["codeChange"]): ServerDef<Log> =>
    defineServer<Log>({
      name: "Logger",
      vsn,
      init: () => ({ got: [] }),
      handleInfo: (msg, s) => ({ got: [...s.got, `${vsn}:${String(msg)}`] }),
      handleCall: (_msg, _from, s) => ({ reply: s, state: s }),
      ...(codeChange ? { codeChange } : {}),
    });
  const spawnLoggers = async (n: number) => {
    const refs: host.ProcessRef[] = [];
    for (let i = 0; i < n; i++) refs.push(await host.spawn({ server: logger("1"), args: null, name: `logger-${Math.random().toString(36).slice(2)}`, restart: "temporary", initTimeoutMs: 1000 }));
    return refs;
  };

  it("queues a message a codeChange sends to its own process: the new code handles it after the pass, as after sys.resume", async () => {
    const refs = await spawnLoggers(3);
    const V2 = logger("2", (_old, s, _extra, ctx) => (ctx.send(ctx.self, "hello"), s));
    const rollback = host.swapAll([{ refs, def: V2, oldVsn: "1" }], options, false, tried);
    expect(rollback).not.toBeNull();
    for (const ref of refs) expect(await host.call(ref, "state", 1000)).toEqual({ got: ["2:hello"] });
  });

  it("loses no message a codeChange sent to a process the pass had changed, when a later one fails", async () => {
    const refs = await spawnLoggers(3);
    const first = refs[0]!;
    let n = 0;
    const V2 = logger("2", (_old, s, _extra, ctx) => {
      n++;
      if (n === 2) ctx.send(host.info(first).pid, "from the second");
      if (n === 3) throw new Error("the third fails");
      return s;
    });
    expect(() => host.swapAll([{ refs, def: V2, oldVsn: "1" }], options, false, tried)).toThrow("the third fails");
    // Every process is back on the old code, and the first still gets the message, handled by that code.
    expect(await host.call(first, "state", 1000)).toEqual({ got: ["1:from the second"] });
    expect(host.info(first).vsn).toBe("1");
  });
});
