// Issue 9, finding 7, in the runtime: Node fires a timer longer than 2^31 - 1 ms after 1 ms. The
// deadline groups (src/runtime/timeouts.ts) arm such a wait in steps, so a long deadline neither
// fires early nor re-arms every millisecond; call() refuses a timeout above the limit (Infinity
// stays allowed). Fake timers emulate Node's overflow, so nothing here waits on the clock.
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, defineServer, start } from "../../src/index.js";
import { MAX_TIMER_MS, watchDeadline, type Deadlined } from "../../src/runtime/timeouts.js";
import { gate } from "../support/wait.js";

afterEach(() => vi.useRealTimers());

function deadlined(timeoutMs: number): Deadlined & { timedOut: number } {
  const item = { settled: false, deadline: 0, timeoutMs, timedOut: 0, timeout: () => void item.timedOut++ };
  return item;
}

describe("deadlines longer than one timer can wait", () => {
  it("fire once, at their deadline, after arming a handful of timers", () => {
    vi.useFakeTimers();
    const armed = vi.spyOn(globalThis, "setTimeout");
    const item = deadlined(3e9);
    expect(watchDeadline(item)).toBe(true);
    vi.advanceTimersByTime(10_000);
    expect(item.timedOut).toBe(0);
    expect(armed).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(3e9 - 10_000 - 1);
    expect(item.timedOut).toBe(0);
    vi.advanceTimersByTime(1);
    expect(item.timedOut).toBe(1);
    expect(armed.mock.calls.length).toBeLessThanOrEqual(3);
    expect(armed.mock.calls.every(([, delay]) => (delay ?? 0) <= MAX_TIMER_MS)).toBe(true);
  });
});

describe("call timeouts", () => {
  it("refuses a timeout above 2147483647 ms, naming the limit; accepts the limit and Infinity", async () => {
    const held = gate<void>();
    const Slow = defineServer({
      name: "Slow",
      init: () => 0,
      async handleCall(msg: string, _from, n) {
        if (msg === "wait") await held.promise;
        return { reply: n, state: n };
      },
    });
    const pid = await start(Slow, null);
    await expect(call(pid, "now", 3e9)).rejects.toMatchObject({
      code: "RELX_BAD_ARGUMENT",
      message: "expected a timeout in ms greater than 0 and at most 2147483647 (or Infinity), got number 3000000000",
    });
    const waiting = call(pid, "wait", Infinity);
    const longest = call(pid, "now", MAX_TIMER_MS);
    held.open();
    await expect(waiting).resolves.toBe(0);
    await expect(longest).resolves.toBe(0);
  });
});
