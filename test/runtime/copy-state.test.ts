// copyState copies plain data (and Maps, Sets, Dates) deeply, keeps sharing and cycles, and passes
// handles as they are; codeChange gets such a copy, so an in-place edit cannot leak into a rollback.
import { EventEmitter } from "node:events";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { defineServer, start, sys, call } from "../../src/index.js";
import { copyState } from "../../src/runtime/copy-state.js";

describe("copyState", () => {
  it("copies plain data deeply and keeps shared references and cycles", () => {
    const shared = { x: 1 };
    const sym = Symbol("s");
    const state: any = { a: [shared, shared], m: new Map([["k", { v: 2 }]]), s: new Set([shared]), d: new Date(5), [sym]: { y: 1 } };
    state.self = state;
    const copy = copyState(state);
    expect(copy).not.toBe(state);
    expect(copy.a[0]).not.toBe(shared);
    expect(copy.a[0]).toBe(copy.a[1]);
    expect(copy.self).toBe(copy);
    expect(copy.m.get("k")).toEqual({ v: 2 });
    expect(copy.m.get("k")).not.toBe(state.m.get("k"));
    expect([...copy.s][0]).toBe(copy.a[0]);
    expect(copy.d).toEqual(new Date(5));
    expect(copy.d).not.toBe(state.d);
    // Symbol-keyed properties are kept; what they hold is shared, like a handle.
    expect(copy[sym]).toBe(state[sym]);
  });

  it("copies a flat object or array (the fast path) and a null-prototype object", () => {
    const flat = { name: "blackode", money: 30000, ok: true, none: null };
    expect(copyState(flat)).toEqual(flat);
    expect(copyState(flat)).not.toBe(flat);
    const list = [1, "two", null];
    expect(copyState(list)).toEqual(list);
    expect(copyState(list)).not.toBe(list);
    const bare = Object.assign(Object.create(null), { k: 1 });
    const copy = copyState(bare);
    expect(copy).not.toBe(bare);
    expect(Object.getPrototypeOf(copy)).toBe(null);
    expect(copy.k).toBe(1);
  });

  it("passes handles and class instances as the same object, and primitives as they are", () => {
    class Account { balance = 1; }
    const handle = new EventEmitter();
    const account = new Account();
    const fn = () => 1;
    const copy = copyState({ handle, account, fn, big: 10n, n: null });
    expect(copy.handle).toBe(handle);
    expect(copy.account).toBe(account);
    expect(copy.fn).toBe(fn);
    expect(copy.big).toBe(10n);
    expect(copyState(7)).toBe(7);
    const bare = Object.create(null);
    bare.k = [1];
    expect(Object.getPrototypeOf(copyState(bare))).toBe(null);
  });
  it("tells objects of one prototype apart as it did each alone: handles shared, a subclass's Maps copied, its non-Maps shared", () => {
    class Socket extends EventEmitter {}
    const sockets = Array.from({ length: 3 }, () => new Socket());
    const copies = sockets.map((ws) => copyState({ ws, room: "r" }));
    copies.forEach((c, i) => expect(c.ws).toBe(sockets[i]));
    class Tags extends Map<string, { v: number }> {}
    const real = new Tags([["a", { v: 1 }]]);
    const notAMap = Object.create(Tags.prototype) as object;
    const [first, fake, second] = [real, notAMap, new Tags([["b", { v: 2 }]])].map((m) => copyState({ m }).m as Tags);
    expect(first).not.toBe(real);
    expect(first.get("a")).toEqual({ v: 1 });
    expect(first.get("a")).not.toBe(real.get("a"));
    expect(fake).toBe(notAMap);
    expect(second.get("b")).toEqual({ v: 2 });
  });
});

describe("copyState and subclasses of Array, Map, Set and Date", () => {
  class Registry extends Map<string, { kind: number }> {
    label = "reg";
    ofKind(kind: number) { return [...this.values()].filter((x) => x.kind === kind).length; }
  }
  class Stack extends Array<number> { peek() { return this[this.length - 1]; } }
  class Tags extends Set<string> { list() { return [...this].join(","); } }
  class Stamp extends Date { day() { return this.getUTCDate(); } }

  it("copies each as an instance of its class, with its own fields, deeply, at the top too", () => {
    const entry = { kind: 1 };
    const state = { reg: new Registry([["a", entry]]), stack: Stack.from([1, 2]) as Stack, tags: new Tags(["x"]), at: new Stamp(Date.UTC(2020, 0, 5)) };
    const copy = copyState(state);
    expect(copy.reg).toBeInstanceOf(Registry);
    expect(copy.reg).not.toBe(state.reg);
    expect(copy.reg.get("a")).not.toBe(entry);
    expect([copy.reg.ofKind(1), copy.reg.label]).toEqual([1, "reg"]);
    expect(copy.stack).toBeInstanceOf(Stack);
    expect([copy.stack.peek(), copy.stack.length]).toEqual([2, 2]);
    expect(copy.tags.list()).toBe("x");
    expect(copy.at.day()).toBe(5);
    expect(copyState(state.reg)).toBeInstanceOf(Registry);
    expect(copyState(state.stack)).toBeInstanceOf(Stack);
  });

  it("lets a codeChange that returns the state it was given keep them working after the change", async () => {
    const V1 = defineServer({
      name: "Reg", vsn: "1",
      init: () => ({ reg: new Registry([["a", { kind: 1 }], ["b", { kind: 2 }]]), stack: Stack.from([7]) as Stack }),
      handleCall: (_m, _f, s: any) => ({ reply: [s.reg.ofKind(1), s.stack.peek()], state: s }),
    });
    const V2 = defineServer({ ...V1, vsn: "2", codeChange: (_old, s: any) => s });
    const p = await start(V1, null);
    await sys.suspend(p);
    await sys.changeCode(p, V2, "1", null);
    await sys.resume(p);
    expect(await call(p, "count")).toEqual([1, 7]);
  });
});

describe("copyState and states nested deeper than the stack", () => {
  /** A linked list of `n` cells, newest first, each holding `shared` in a Map and an array. */
  function list(n: number, shared: object): any {
    let head: any = null;
    for (let i = 0; i < n; i++) head = { v: i, m: new Map([[i, shared]]), a: [shared], next: head };
    return head;
  }

  it("copies a linked list of 100,000 cells, keeping what is shared shared and the cycle a cycle", () => {
    const shared = { s: 1 };
    const state: any = { head: list(100_000, shared), tags: new Set([shared]) };
    state.self = state;
    const copy = copyState(state);
    // Compared by hand, as booleans: expect() on so deep an object would itself run out of stack.
    const sharedCopy = copy.head.a[0];
    expect([copy.self === copy, sharedCopy !== shared, sharedCopy.s, [...copy.tags][0] === sharedCopy]).toEqual([true, true, 1, true]);
    let cells = 0;
    for (let x = state.head, y = copy.head; x !== null; x = x.next, y = y.next, cells++) {
      if (y === x || y.m === x.m || y.v !== x.v || y.m.get(x.v) !== sharedCopy || y.a[0] !== sharedCopy) throw new Error(`cell ${cells} was not copied as it was`);
    }
    expect(cells).toBe(100_000);
  });

  it("lets a codeChange edit such a state in place and throw, and the old one stays as it was", async () => {
    const V1 = defineServer({ name: "Deep", vsn: "1", init: () => ({ head: list(20_000, { s: 1 }) }), handleCall: (_m, _f, s: any) => ({ reply: s.head.v, state: s }) });
    const V2 = defineServer({
      name: "Deep", vsn: "2", init: () => ({}),
      codeChange(_old, s: any) {
        s.head.v = -1;
        throw new Error("half way");
      },
    });
    const V3 = defineServer({ name: "Deep", vsn: "3", init: () => ({}), handleCall: (_m, _f, s: any) => ({ reply: s.head.v, state: s }), codeChange: (_old, s: any) => ({ head: s.head.next }) });
    const p = await start(V1, null);
    await sys.suspend(p);
    const failed = sys.changeCode(p, V2, "1", null);
    await expect(failed).rejects.toThrow("half way");
    await sys.changeCode(p, V3, "1", null);
    await sys.resume(p);
    expect(await call(p, "get")).toBe(19_998);
  });
});

describe("copyState and another realm's data (what `relx eval` makes lives in its own context)", () => {
  it("copies another realm's Maps, Sets and Dates as it copies that realm's arrays and objects", () => {
    const state = runInNewContext("({ list: [{ n: 1 }], m: new Map([['k', { v: 2 }]]), s: new Set([1]), d: new Date(5) })");
    const copy = copyState(state);
    expect(copy.list).not.toBe(state.list);
    expect(copy.m).not.toBe(state.m);
    expect(copy.m.get("k")).toEqual({ v: 2 });
    expect(copy.m.get("k")).not.toBe(state.m.get("k"));
    expect(copy.s).not.toBe(state.s);
    expect([...copy.s]).toEqual([1]);
    expect(copy.d).not.toBe(state.d);
    expect(copy.d.getTime()).toBe(5);
  });

  it("leaves such a state untouched when a codeChange edits it in place and then throws", async () => {
    const V1 = defineServer({
      name: "Hist", vsn: "1", init: () => ({}),
      handleCall: (msg: string, _f, s: any) => (msg === "set" ? { reply: null, state: runInNewContext("({ seen: new Map([['a', 1]]), tags: new Set(['x']) })") } : { reply: { seen: [...s.seen], tags: [...s.tags] }, state: s }),
    });
    const V2 = defineServer({
      name: "Hist", vsn: "2", init: () => ({}),
      codeChange(_old, s: any) {
        s.seen.set("b", 2);
        s.tags.add("y");
        throw new Error("half way");
      },
    });
    const p = await start(V1, null);
    await call(p, "set");
    await sys.suspend(p);
    await expect(sys.changeCode(p, V2, "1", null)).rejects.toMatchObject({ code: "RELX_CODE_CHANGE_FAILED" });
    await sys.resume(p);
    expect(await call(p, "get")).toEqual({ seen: [["a", 1]], tags: ["x"] });
  });
});

describe("sys.changeCode on a copy", () => {
  it("leaves the old state as it was when a codeChange edits it in place and then throws", async () => {
    const V1 = defineServer({ name: "Acct", vsn: "1", init: () => ({ money: 10 }), handleCall: (_m, _f, s) => ({ reply: s, state: s }) });
    const V2 = defineServer({
      name: "Acct", vsn: "2", init: () => ({ salary: 0 }),
      codeChange(_old, s) {
        s.salary = s.money;
        delete s.money;
        throw new Error("half way");
      },
    });
    const p = await start(V1, null);
    await sys.suspend(p);
    await expect(sys.changeCode(p, V2, "1", null)).rejects.toMatchObject({ code: "RELX_CODE_CHANGE_FAILED" });
    await sys.resume(p);
    expect(await call(p, "get")).toEqual({ money: 10 });
  });
});
