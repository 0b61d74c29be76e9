// What the rollback guarantee costs inside an upgrade's pause: every codeChange gets a copy of the
// state's plain data (copyState), so the state a rollback puts back is untouched. Measured on
// 100,000 DemoServer states ({ name, money }, the seed's shape) and on 100,000 nested ones.
import { copyState } from "../dist/runtime/copy-state.js";
import { figure, now } from "./lib.mjs";

const N = 100_000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(states) {
  const times = [];
  for (let r = 0; r < 15; r++) {
    const t = now();
    for (let i = 0; i < states.length; i++) copyState(states[i]);
    times.push(now() - t);
  }
  return median(times);
}

const flat = Array.from({ length: N }, (_, i) => ({ name: `emp${i}`, money: i }));
const nested = Array.from({ length: N }, (_, i) => ({ name: `emp${i}`, history: [i, i + 1], meta: { since: i } }));
figure("rollback copy: copyState of 100,000 DemoServer states (inside the pause)", time(flat), "ms", "printed; a few ms (the 100k pause target is 15 ms)");
figure("rollback copy: copyState of 100,000 nested states (an array and an object each)", time(nested), "ms", "printed");
