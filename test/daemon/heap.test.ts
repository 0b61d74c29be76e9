// The scavenges at the start of an upgrade on a big node (src/daemon/upgrade/heap.ts): V8's gc, reached for a
// moment without --expose-gc, never seen by user code, and never a reason for an upgrade to fail.
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";

const BIG = 20_000;
/** heap.ts afresh: it keeps the collector it reached in a module variable. */
const freshHeap = () => import("../../src/daemon/upgrade/heap.js");

afterEach(() => {
  vi.doUnmock("node:v8");
  vi.doUnmock("node:vm");
  vi.resetModules();
  delete (globalThis as { gc?: unknown }).gc;
});

describe("the scavenges at the start of an upgrade on a big node", () => {
  it("leave no global gc behind, here or in a context user code makes later", async () => {
    const heap = await freshHeap();
    heap.beforePass(BIG);
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe("undefined");
    expect(runInNewContext("typeof gc")).toBe("undefined");
  });

  it("do not fail the upgrade when the flag cannot be set", async () => {
    const setFlagsFromString = vi.fn(() => {
      throw new Error("flags are frozen");
    });
    vi.doMock("node:v8", () => ({ setFlagsFromString }));
    const heap = await freshHeap();
    expect(() => heap.beforePass(BIG)).not.toThrow();
    expect(() => heap.beforePass(BIG)).not.toThrow();
  });

  it("do not fail the upgrade when the gc found throws (a global gc user code put there)", async () => {
    const gc = vi.fn(() => {
      throw new Error("not V8's");
    });
    (globalThis as { gc?: unknown }).gc = gc;
    const heap = await freshHeap();
    expect(() => heap.beforePass(BIG)).not.toThrow();
    expect(() => heap.beforePass(BIG)).not.toThrow();
  });

  it("look for a gc that cannot be reached once, not at every upgrade", async () => {
    const setFlagsFromString = vi.fn();
    vi.doMock("node:v8", () => ({ setFlagsFromString }));
    vi.doMock("node:vm", () => ({ runInNewContext: () => undefined }));
    const heap = await freshHeap();
    heap.beforePass(BIG);
    const calls = setFlagsFromString.mock.calls.length;
    expect(calls).toBeGreaterThan(0);
    heap.beforePass(BIG);
    expect(setFlagsFromString.mock.calls.length).toBe(calls);
    expect(setFlagsFromString.mock.calls.at(-1)).toEqual(["--no-expose-gc"]);
  });

  it("run as an upgrade starts on a node of 5,000 processes, and before a pass that changes 20,000", async () => {
    const gc = vi.fn();
    (globalThis as { gc?: unknown }).gc = gc;
    const heap = await freshHeap();
    heap.atStart(4_999);
    heap.beforePass(19_999);
    expect(gc).not.toHaveBeenCalled();
    heap.atStart(5_000);
    expect(gc).toHaveBeenCalledTimes(2);
    heap.beforePass(20_000);
    expect(gc.mock.calls).toEqual([[{ type: "minor" }], [{ type: "minor" }], [{ type: "minor" }], [{ type: "minor" }]]);
  });
});
