// renderValue shows any state without failing and without a handle's insides.
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { Pid } from "../../src/index.js";
import { RENDER_DEPTH, renderValue } from "../../src/runtime/render.js";

describe("renderValue", () => {
  it("shows plain data as it is", () => {
    const data = { name: "blackode", money: 30000, tags: ["a", 1, true, null], nested: { deep: [{}] } };
    expect(renderValue(data)).toEqual(data);
  });

  it("renders what JSON cannot carry by the rules", () => {
    class Account {}
    function handler() {}
    const cyclic: any = { name: "loop" };
    cyclic.self = cyclic;
    const shared = { x: 1 };
    expect(renderValue({
      map: new Map([["k", 1]]), set: new Set([1, 2]), when: new Date(0), big: 12345678901234567890n,
      pid: new Pid(7), err: new Error("boom"), nothing: undefined, nan: NaN, inf: Infinity,
      account: new Account(), emitter: new EventEmitter(), fn: handler, cyclic, twice: [shared, shared],
    })).toEqual({
      map: [["k", 1]], set: [1, 2], when: "1970-01-01T00:00:00.000Z", big: "12345678901234567890",
      pid: "<0.7.0>", err: "boom", nothing: null, nan: null, inf: null,
      account: "[Account]", emitter: "[EventEmitter]", fn: "[handler]",
      cyclic: { name: "loop", self: "[Circular]" }, twice: [{ x: 1 }, { x: 1 }],
    });
    expect(JSON.parse(JSON.stringify(renderValue(10n)))).toBe("10");
  });

  it("shows what cannot be read by its name, and what is nested past RENDER_DEPTH as \"[Too deep]\", never failing", () => {
    class Registry { get [Symbol.toStringTag]() { return "Map"; } }
    class Stamp { get [Symbol.toStringTag]() { return "Date"; } }
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(renderValue({
      getter: { get x() { throw new Error("unreadable"); } },
      keys: new Proxy({}, { ownKeys() { throw new Error("no keys"); } }),
      revoked,
      fakeMap: new Registry(),
      fakeDate: new Stamp(),
      notAMap: Object.create(Map.prototype),
    })).toEqual({ getter: "[Object]", keys: "[Object]", revoked: "[Object]", fakeMap: "[Registry]", fakeDate: "[Stamp]", notAMap: "[Map]" });
    let head: any = null;
    for (let i = 0; i < 50_000; i++) head = { v: i, next: head };
    const shown = renderValue({ head }) as any;
    let depth = 1;
    let at = shown.head;
    for (; typeof at === "object" && at !== null; at = at.next) depth++;
    expect(at).toBe("[Too deep]");
    expect(depth).toBe(RENDER_DEPTH);
    expect(shown.head.v).toBe(49_999);
    expect(() => JSON.stringify(shown)).not.toThrow();
  });
});
