// Shared by the benchmarks: the seed's DemoServer, timing, and figure printing.
import { performance } from "node:perf_hooks";
import { defineServer } from "../dist/index.js";

export const DemoServerV1 = defineServer({
  name: "DemoServer",
  vsn: "1",
  init: (employee) => employee,
  handleCall(msg, _from, state) {
    return { reply: `${msg.add} added to ${state.name} `, state: { name: state.name, money: state.money + msg.add } };
  },
});

export const DemoServerV2 = defineServer({
  name: "DemoServer",
  vsn: "2",
  init: (employee) => employee,
  handleCall(msg, _from, state) {
    const next = { name: state.name, salary: state.salary + msg.add };
    return { reply: next, state: next };
  },
  codeChange(oldVsn, state) {
    if (oldVsn === "1") return { name: state.name, salary: state.money };
    return { name: state.name, money: state.salary };
  },
});

export const now = () => performance.now();

/** Prints one figure as a JSON line the runner collects: name, value, unit, target. */
export function figure(name, value, unit, target) {
  console.log(JSON.stringify({ figure: name, value: Math.round(value * 1000) / 1000, unit, target }));
}
