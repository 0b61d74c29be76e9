// Where a TypeError met its null: the tracked copy's last read, reported only when it bears the
// error out.
import { describe, expect, it } from "vitest";
import { isNullError, nullPath, track } from "../../src/check/locate-null.js";

/** Runs `fn` on a tracked state the way the check does after a first failure; the path it reports. */
function pathOf(state: unknown, fn: (s: any) => unknown): string {
  let first: unknown;
  try {
    fn(structuredClone(state));
  } catch (err) {
    first = err;
  }
  if (!isNullError(first)) return "(no null error)";
  const tracked = track(structuredClone(state));
  let again: unknown;
  try {
    fn(tracked.value);
  } catch (err) {
    again = err;
  }
  return nullPath(first, again, tracked.last());
}

describe("the path to the null a codeChange tripped on", () => {
  it("names a top-level field, a nested one and an array element", () => {
    expect(pathOf({ money: null }, (s) => s.money.toFixed(2))).toBe(" (at state.money, which is null)");
    expect(pathOf({ a: { list: [{ x: 1 }, {}] } }, (s) => s.a.list.map((e: any) => e.x.y))).toBe(" (at state.a.list[1].x, which is undefined)");
    expect(pathOf({ "first name": null }, (s) => s["first name"].trim())).toBe(` (at state["first name"], which is null)`);
  });

  it("names nothing when the null did not come from the state, or the second run fails otherwise", () => {
    expect(pathOf({ money: 5 }, (s) => (s.money, (null as any).x))).toBe("");
    let runs = 0;
    expect(pathOf({ money: null }, (s) => (++runs === 1 ? s.money.x : s.money.y))).toBe("");
  });

  it("leaves other errors alone", () => {
    expect(isNullError(new TypeError("x is not a function"))).toBe(false);
    expect(isNullError(new Error("null"))).toBe(false);
    expect(isNullError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(true);
  });

  it("keeps the identity of what it wraps, so a codeChange comparing objects behaves the same", () => {
    const state = { a: { b: 1 } };
    const t = track(state);
    const s = t.value as typeof state;
    expect(s.a).toBe(s.a);
    expect(JSON.stringify(s)).toBe(JSON.stringify(state));
    expect(t.last()).toEqual({ path: "state.a.b", value: 1 });
  });
});
