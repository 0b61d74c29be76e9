// The round trip's comparison: rendered JSON values, object keys in any order.
import { describe, expect, it } from "vitest";
import { sameJson } from "../../src/check/same-json.js";

describe("sameJson", () => {
  it("is true for the same values, whatever the key order", () => {
    expect(sameJson({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 })).toBe(true);
    expect(sameJson("x", "x")).toBe(true);
  });

  it("is false for a missing, extra or different value, and tells arrays from objects", () => {
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson([], {})).toBe(false);
    expect(sameJson({ a: null }, { a: 0 })).toBe(false);
    expect(sameJson(null, {})).toBe(false);
  });
});
