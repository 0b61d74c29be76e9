// ctx.own, ctx.monitor / ctx.demonitor and ctx.bind with bound values, against the real runtime.
import { once, EventEmitter } from "node:events";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { call, cast, defineServer, restartLimits, send, start, stop, sys, type Ctx } from "../../src/index.js";

const saved = { ...restartLimits };
afterEach(() => Object.assign(restartLimits, saved));

/** A watcher that records every handleInfo message it gets. */
const Watcher = defineServer({
  name: "Watcher",
  init: () => ({ seen: [] as unknown[], refs: {} as Record<string, number> }),
  handleCall(msg: any, _from, state, ctx: Ctx) {
    if (msg.watch) {
      const ref = ctx.monitor(msg.watch);
      return { reply: ref, state };
    }
    if (msg.unwatch) {
      ctx.demonitor(msg.unwatch);
      return { reply: true, state };
    }
    return { reply: state.seen, state };
  },
  handleInfo: (msg, state) => ({ ...state, seen: [...state.seen, msg] }),
});

const Worker = defineServer({
  name: "Worker",
  init: () => 0,
  handleCall(msg: any, _from, state, ctx: Ctx) {
    if (msg === "crash") throw new Error("boom");
    if (msg === "stop") ctx.stop("normal");
    return { reply: state, state };
  },
});

const settle = () => new Promise((r) => setImmediate(r));

describe("ctx.monitor", () => {
  it("fires once for a stop, with the reason, and not for a restart in place", async () => {
    const w = await start(Watcher, null);
    const target = await start(Worker, null, { restart: "transient" });
    const ref = await call(w, { watch: target });
    await expect(call(target, "crash")).rejects.toThrow(/boom/); // restarted in place: no DOWN
    await settle();
    expect(await call(w, "seen")).toEqual([]);
    await call(target, "stop");
    await settle();
    expect(await call(w, "seen")).toEqual([{ down: ref, pid: target, reason: "normal" }]);
  });

  it("fires for a crash of a temporary process with the error's message, and for a give-up", async () => {
    const w = await start(Watcher, null);
    const temp = await start(Worker, null, { restart: "temporary" });
    const r1 = await call(w, { watch: temp });
    await expect(call(temp, "crash")).rejects.toThrow(/boom/);
    Object.assign(restartLimits, { maxRestarts: 0 });
    const perm = await start(Worker, null);
    const r2 = await call(w, { watch: perm });
    await expect(call(perm, "crash")).rejects.toThrow(/boom/);
    await settle();
    expect(await call(w, "seen")).toEqual([
      { down: r1, pid: temp, reason: "boom" },
      { down: r2, pid: perm, reason: "boom" },
    ]);
  });

  it("fires at once for a process already gone, and not after demonitor", async () => {
    const w = await start(Watcher, null);
    const gone = await start(Worker, null);
    await stop(gone);
    const r1 = await call(w, { watch: gone });
    const live = await start(Worker, null);
    const r2 = await call(w, { watch: live });
    await call(w, { unwatch: r2 });
    await stop(live);
    await settle();
    expect(await call(w, "seen")).toEqual([{ down: r1, pid: gone, reason: "noproc" }]);
  });
});

describe("ctx.own", () => {
  it("closes what a crashed process owns before its init runs again, so a listener rebinds its port", async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const Listener = defineServer({
      name: "Listener",
      async init(_a, ctx: Ctx) {
        const server = ctx.own(net.createServer());
        server.listen(port, "127.0.0.1");
        await once(server, "listening");
        return { inits: 1 };
      },
      handleCall(msg) {
        if (msg === "crash") throw new Error("listener crash");
        return { reply: "ok", state: {} };
      },
    });
    const p = await start(Listener, null);
    for (let i = 0; i < 3; i++) await expect(call(p, "crash")).rejects.toThrow(/listener crash/);
    expect(await call(p, "ping")).toBe("ok");
    expect((await sys.getStatus(p)).restarts).toBe(3);
    await stop(p);
    // Stopped for good: the port is free again.
    const again = net.createServer();
    await new Promise<void>((r, j) => again.once("error", j).listen(port, "127.0.0.1", r));
    await new Promise((r) => again.close(r));
  });

  it("closes newest first, trying close, destroy, then dispose", async () => {
    const order: string[] = [];
    const Owner = defineServer({
      name: "Owner",
      init(_a, ctx: Ctx) {
        ctx.own({ close: () => order.push("close") });
        ctx.own({ destroy: () => order.push("destroy") });
        ctx.own({ [Symbol.dispose]: () => order.push("dispose") });
        return null;
      },
    });
    await stop(await start(Owner, null));
    expect(order).toEqual(["dispose", "destroy", "close"]);
  });

  it("crashes the owner on an owned emitter's unhandled error, not the host", async () => {
    const emitters: EventEmitter[] = [];
    const Owner = defineServer({
      name: "Owner",
      init(_a, ctx: Ctx) {
        emitters.push(ctx.own(new EventEmitter()));
        return "fresh";
      },
      handleCast: () => "used",
      handleCall: (_m, _f, s) => ({ reply: s, state: s }),
    });
    const p = await start(Owner, null);
    cast(p, "x");
    expect(await call(p, "get")).toBe("used");
    emitters[0]!.emit("error", new Error("socket reset"));
    await settle();
    expect(await call(p, "get")).toBe("fresh"); // restarted from init
    expect((await sys.getStatus(p)).restarts).toBe(1);
  });
});

describe("ctx.bind", () => {
  it("delivers { tag, args: [...bound, ...args] }, and nothing to a restarted process", async () => {
    const fns: ((...a: unknown[]) => void)[] = [];
    const Room = defineServer({
      name: "Room",
      init: (_a, ctx: Ctx) => (fns.push(ctx.bind("msg", "socket-7")), [] as unknown[]),
      handleInfo: (msg, state) => [...state, msg],
      handleCall(msg, _f, state) {
        if (msg === "crash") throw new Error("x");
        return { reply: state, state };
      },
    });
    const p = await start(Room, null);
    fns[0]!("hello", 1);
    expect(await call(p, "get")).toEqual([{ tag: "msg", args: ["socket-7", "hello", 1] }]);
    await expect(call(p, "crash")).rejects.toThrow();
    fns[0]!("late");
    fns[1]!("new");
    send(p, { direct: true });
    expect(await call(p, "get")).toEqual([{ tag: "msg", args: ["socket-7", "new"] }, { direct: true }]);
  });
});
