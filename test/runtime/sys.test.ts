// One test per sys transition (SPEC §4).
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, cast, defineServer, start, sys, type RelxError } from "../../src/index.js";
import { gate } from "../support/wait.js";
import { counterServer, flush } from "./servers.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("sys.suspend", () => {
  it("resolves only after the handler in hand has settled", async () => {
    const g = gate();
    const Slow = defineServer({
      name: "Slow",
      init: () => ({ done: false }),
      async handleCall(_msg, _from, _state) {
        await g.promise;
        return { reply: "ok", state: { done: true } };
      },
    });
    const pid = await start(Slow, null);
    const reply = call(pid, "go");
    let suspended = false;
    const suspending = sys.suspend(pid).then(() => (suspended = true));
    await flush();
    expect(suspended).toBe(false);
    expect((await sys.getStatus(pid)).status).toBe("suspended");
    g.open();
    await suspending;
    expect(suspended).toBe(true);
    expect(await reply).toBe("ok");
    expect(await sys.getState(pid)).toEqual({ done: true });
  });

  it("queues calls made while suspended and answers them in order with the new code after resume", async () => {
    const pid = await start(counterServer("v1"), null);
    await sys.suspend(pid);
    const replies = [call(pid, { n: 1 }), call(pid, { n: 2 }), call(pid, { n: 3 })];
    cast(pid, { n: 4 });
    await flush();
    expect((await sys.getStatus(pid)).queue).toBe(4);
    await sys.changeCode(pid, counterServer("v2"), "v1", null);
    await sys.resume(pid);
    expect(await Promise.all(replies)).toEqual([
      { handledBy: "v2", n: 1 },
      { handledBy: "v2", n: 2 },
      { handledBy: "v2", n: 3 },
    ]);
    expect(await sys.getState(pid)).toEqual({ n: 4, seen: [1, 2, 3, 4] });
  });
});

describe("sys.changeCode", () => {
  it("is refused on a running process with RELX_NOT_SUSPENDED", async () => {
    const pid = await start(counterServer("v1"), null);
    await expect(sys.changeCode(pid, counterServer("v2"), "v1", null)).rejects.toMatchObject({ code: "RELX_NOT_SUSPENDED" });
    expect(await call(pid, { n: 1 })).toEqual({ handledBy: "v1", n: 1 });
  });

  it("keeps the old state and old code, and stays suspended, when codeChange throws", async () => {
    const pid = await start(counterServer("v1"), null);
    await call(pid, { n: 7 });
    const Broken = { ...counterServer("v2"), codeChange: () => { throw new Error("migration bug"); } };
    await sys.suspend(pid);
    const err = (await sys.changeCode(pid, Broken, "v1", null).catch((e) => e)) as RelxError;
    expect(err.code).toBe("RELX_CODE_CHANGE_FAILED");
    expect(err.message).toContain("migration bug");
    expect(await sys.getStatus(pid)).toMatchObject({ status: "suspended", vsn: "v1" });
    expect(await sys.getState(pid)).toEqual({ n: 1, seen: [7] });
    await sys.resume(pid);
    expect(await call(pid, { n: 8 })).toEqual({ handledBy: "v1", n: 8 });
  });

  it("waits for an async codeChange and applies its result", async () => {
    const pid = await start(counterServer("v1"), null);
    const Async = { ...counterServer("v2"), codeChange: async (_o: unknown, s: { n: number }) => ({ ...s, n: s.n + 100 }) };
    await sys.suspend(pid);
    await sys.changeCode(pid, Async, "v1", null);
    expect(await sys.getState(pid)).toMatchObject({ n: 100 });
  });

  it("fails an async codeChange that outlives its timeout, keeping old code and state", async () => {
    const pid = await start(counterServer("v1"), null);
    const Hung = { ...counterServer("v2"), codeChange: () => new Promise(() => {}) };
    await sys.suspend(pid);
    const err = (await sys.changeCode(pid, Hung, "v1", null, { timeoutMs: 20 }).catch((e) => e)) as RelxError;
    expect(err.code).toBe("RELX_CODE_CHANGE_FAILED");
    expect((await sys.getStatus(pid)).vsn).toBe("v1");
  });
});

describe("while suspended", () => {
  it("a call times out on schedule, its timeout running while it waits", async () => {
    vi.useFakeTimers();
    const pid = await start(counterServer("v1"), null);
    await sys.suspend(pid);
    const outcome = call(pid, { n: 1 }, 1000).catch((e) => e);
    await vi.advanceTimersByTimeAsync(999);
    await vi.advanceTimersByTimeAsync(2);
    expect(await outcome).toMatchObject({ code: "RELX_CALL_TIMEOUT" });
  });

  it("getState and replaceState still run", async () => {
    const pid = await start(counterServer("v1"), null);
    await sys.suspend(pid);
    expect(await sys.getState(pid)).toEqual({ n: 0, seen: [] });
    expect(await sys.replaceState(pid, (s) => ({ ...s, n: 41 }))).toEqual({ n: 41, seen: [] });
    await sys.resume(pid);
    await call(pid, { n: 1 });
    expect(await sys.getState(pid)).toMatchObject({ n: 42 });
  });
});

describe("sys.changeCodeMany", () => {
  it("is all or nothing: one failing codeChange puts every process back", async () => {
    const pids = [await start(counterServer("v1"), null), await start(counterServer("v1"), null)];
    await call(pids[1]!, { n: 5 });
    let calls = 0;
    const FailsSecond = { ...counterServer("v2"), codeChange: (_o: unknown, s: object) => { if (++calls === 2) throw new Error("second fails"); return { ...s, n: -1 }; } };
    await sys.suspendMany(pids);
    await expect(sys.changeCodeMany(pids, FailsSecond, "v1", null)).rejects.toMatchObject({ code: "RELX_CODE_CHANGE_FAILED" });
    expect((await sys.getState(pids[0]!)) as object).toEqual({ n: 0, seen: [] });
    expect((await sys.getState(pids[1]!)) as object).toEqual({ n: 1, seen: [5] });
    await sys.resumeMany(pids);
    expect(await call(pids[0]!, { n: 1 })).toEqual({ handledBy: "v1", n: 1 });
  });

  it("puts a process listed twice back to what it had before the first change", async () => {
    const pid = await start(counterServer("v1"), null);
    const other = await start(counterServer("v1"), null);
    let calls = 0;
    const FailsThird = { ...counterServer("v2"), codeChange: (_o: unknown, s: { n: number }) => { if (++calls === 3) throw new Error("third fails"); return { ...s, n: s.n + 10 }; } };
    await sys.suspendMany([pid, other]);
    await expect(sys.changeCodeMany([pid, pid, other], FailsThird, "v1", null)).rejects.toMatchObject({ code: "RELX_CODE_CHANGE_FAILED" });
    expect((await sys.getState(pid)) as object).toEqual({ n: 0, seen: [] });
    await sys.resumeMany([pid, other]);
    expect(await call(pid, { n: 1 })).toEqual({ handledBy: "v1", n: 1 });
  });
});
