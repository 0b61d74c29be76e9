// renderValue shows any state without failing and without a handle's insides.
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { Pid } from "../../src/index.js";
import { renderValue } from "../../src/runtime/render.js";

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
});
