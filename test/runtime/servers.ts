/** Server definitions shared by the runtime tests: the seed's DemoServer v1 and v2, and helpers. */
import { defineServer } from "../../src/index.js";

export interface MoneyState {
  name: string;
  money: number;
}
export interface SalaryState {
  name: string;
  salary: number;
}

export const DemoServerV1 = defineServer<MoneyState>({
  name: "DemoServer",
  vsn: "1",
  init: (employee: MoneyState) => employee,
  handleCall(msg: { add: number }, _from, state) {
    return { reply: `${msg.add} added to ${state.name} `, state: { ...state, money: state.money + msg.add } };
  },
});

export const DemoServerV2 = defineServer<SalaryState>({
  name: "DemoServer",
  vsn: "2",
  init: (employee: SalaryState) => employee,
  handleCall(msg: { add: number }, _from, state) {
    const next = { ...state, salary: state.salary + msg.add };
    return { reply: next, state: next };
  },
  codeChange(oldVsn, state) {
    if (oldVsn === "1") return { name: state.name, salary: state.money };
    if (typeof oldVsn === "object" && oldVsn.down === "1") return { name: state.name, money: state.salary };
    return state;
  },
});

/** A deferred promise: a handler awaits `gate.promise` until the test calls `gate.open()`. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

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
