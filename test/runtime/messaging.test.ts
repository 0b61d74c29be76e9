// Calls, casts, info messages, deferred replies, timers, spawn and stop (SPEC §2, §4).
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, cast, defineServer, send, start, stop, sys, whereis, type From, type Pid } from "../../src/index.js";
import { gate } from "../support/wait.js";
import { flush } from "./servers.js";

afterEach(() => vi.useRealTimers());

describe("messages", () => {
  it("handles one message at a time, in arrival order, even when callbacks are async", async () => {
    const log: string[] = [];
    const Ordered = defineServer({
      name: "Ordered",
      init: () => null,
      async handleCast(msg: string, state) {
        log.push(`start ${msg}`);
        await new Promise((r) => setTimeout(r, msg === "a" ? 20 : 1));
        log.push(`end ${msg}`);
        return state;
      },
      handleCall: (_m, _f, s) => ({ reply: "done", state: s }),
    });
    const pid = await start(Ordered, null);
    cast(pid, "a");
    cast(pid, "b");
    await call(pid, "sync");
    expect(log).toEqual(["start a", "end a", "start b", "end b"]);
  });

  it("answers a deferred reply given later with ctx.reply", async () => {
    let saved: From | null = null;
    const Deferred = defineServer({
      name: "Deferred",
      init: () => 0,
      handleCall(_msg, from, n) {
        saved = from;
        return { state: n + 1 };
      },
      handleInfo(msg: string, n, ctx) {
        if (saved) ctx.reply(saved, `later: ${msg}`);
        return n;
      },
    });
    const pid = await start(Deferred, null);
    const reply = call(pid, "ask");
    await flush();
    send(pid, "now");
    expect(await reply).toBe("later: now");
  });

  it("settles a call whose reply is a promise as it settles, and within the call's timeout", async () => {
    const Thenables = defineServer({
      name: "Thenables",
      init: () => 0,
      handleCall(msg: string, _from, n) {
        if (msg === "resolves") return { reply: Promise.resolve(7), state: n };
        if (msg === "rejects") return { reply: Promise.reject(new Error("no answer")), state: n };
        if (msg === "then throws") return { reply: { then() { throw new Error("then boom"); } }, state: n };
        // A thenable that never settles: taken for the answer, the call never settled, timeout or not.
        return { reply: { then() {} }, state: n + 1 };
      },
    });
    const pid = await start(Thenables, null);
    await expect(call(pid, "resolves")).resolves.toBe(7);
    await expect(call(pid, "rejects")).rejects.toThrow("no answer");
    await expect(call(pid, "then throws")).rejects.toThrow("then boom");
    const never = await Promise.race([call(pid, "never", 50).catch((e) => e.code), new Promise((r) => setTimeout(() => r("still waiting"), 2000))]);
    expect(never).toBe("RELX_CALL_TIMEOUT");
    await expect(call(pid, "resolves")).resolves.toBe(7); // the process carries on
    await stop(pid);
  });

  it("gives a caller RELX_NO_HANDLER and keeps the process and its state", async () => {
    const CastOnly = defineServer({ name: "CastOnly", init: () => 5, handleCast: (_m, s: number) => s + 1 });
    const pid = await start(CastOnly, null);
    await expect(call(pid, "x")).rejects.toMatchObject({ code: "RELX_NO_HANDLER" });
    cast(pid, "y");
    expect(await sys.getState(pid)).toBe(6);
  });

  it("delivers sendAfter to handleInfo, and cancels timers when the process stops", async () => {
    vi.useFakeTimers();
    const ticks: string[] = [];
    const Ticker = defineServer({
      name: "Ticker",
      init: (_a, ctx) => {
        ctx.sendAfter(100, "tick");
        return 0;
      },
      handleInfo(msg: string, n: number, ctx) {
        ticks.push(msg);
        ctx.sendAfter(100, "tick");
        return n + 1;
      },
    });
    const pid = await start(Ticker, null);
    await vi.advanceTimersByTimeAsync(350);
    expect(ticks).toEqual(["tick", "tick", "tick"]);
    await stop(pid);
    await vi.advanceTimersByTimeAsync(500);
    expect(ticks.length).toBe(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("routes ctx.bind callbacks through the mailbox to the current code", async () => {
    let emit: ((...a: unknown[]) => void) | null = null;
    const Bound = defineServer({
      name: "Bound",
      vsn: "1",
      init: (_a, ctx) => {
        emit = ctx.bind("event");
        return [] as string[];
      },
      handleInfo: (m: { tag: string; args: unknown[] }, s: string[]) => [...s, `v1 ${m.args[0]}`],
    });
    const V2 = { ...Bound, vsn: "2", handleInfo: (m: { args: unknown[] }, s: string[]) => [...s, `v2 ${m.args[0]}`] };
    const pid = await start(Bound, null);
    emit!("a");
    await sys.suspend(pid);
    await sys.changeCode(pid, V2, "1", null);
    emit!("b");
    await sys.resume(pid);
    expect(await sys.getState(pid)).toEqual(["v1 a", "v2 b"]);
  });
});

describe("processes", () => {
  it("spawns children from a callback and finds registered names with whereis", async () => {
    const Child = defineServer({ name: "Child", init: (n: number) => n, handleCall: (_m, _f, n: number) => ({ reply: n * 2, state: n }) });
    const Parent = defineServer({
      name: "Parent",
      init: () => null,
      async handleCall(n: number, _f, s, ctx) {
        const child: Pid = await ctx.spawn(Child, n, { name: `child-${n}` });
        return { reply: await ctx.call(child, "double"), state: s };
      },
    });
    const parent = await start(Parent, null, { name: "parent-1" });
    expect(whereis("parent-1")).toEqual(parent);
    expect(await call(parent, 21)).toBe(42);
    expect(await call("child-21", "x")).toBe(42);
  });

  it("stop waits for the message in hand, runs terminate, and fails what is still queued", async () => {
    const g = gate();
    const terminated: unknown[] = [];
    const Slow = defineServer({
      name: "Slow",
      init: () => "s",
      async handleCall(_m, _f, s) {
        await g.promise;
        return { reply: "first", state: s };
      },
      terminate: (reason) => void terminated.push(reason),
    });
    const pid = await start(Slow, null);
    const first = call(pid, 1);
    const stopping = stop(pid, "shutdown");
    const second = call(pid, 2).catch((e) => e);
    g.open();
    expect(await first).toBe("first");
    await stopping;
    expect(terminated).toEqual(["shutdown"]);
    expect(await second).toMatchObject({ code: "RELX_PROCESS_EXITED" });
  });

  it("rejects a call to an unknown name with RELX_NO_SUCH_PROCESS", async () => {
    await expect(call("nobody-here", 1)).rejects.toMatchObject({ code: "RELX_NO_SUCH_PROCESS" });
    expect(() => cast("nobody-here", 1)).toThrow(/no process nobody-here/);
  });
});
