/** Helpers shared by the runtime tests: a flush and a counter server (the gate is test/support's). */
import { defineServer } from "../../src/index.js";

/** Lets queued microtasks and promise callbacks run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await Promise.resolve();
}

/** A log of calls, answered with `{ handledBy, n }` so tests can see which code handled what. */
export function counterServer(tag: string) {
  return defineServer<{ n: number; seen: number[] }>({
    name: "Counter",
    vsn: tag,
    init: () => ({ n: 0, seen: [] }),
    handleCall(msg: { n: number }, _from, state) {
      const next = { n: state.n + 1, seen: [...state.seen, msg.n] };
      return { reply: { handledBy: tag, n: msg.n }, state: next };
    },
    handleCast(msg: { n: number }, state) {
      return { n: state.n + 1, seen: [...state.seen, msg.n] };
    },
    codeChange: (_old, state) => state,
  });
}
