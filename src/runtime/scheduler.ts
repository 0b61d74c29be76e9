/**
 * The run queue. Delivering a message to an idle process schedules it; the scheduler runs
 * ready processes one message at a time, round robin, in a trampoline: a handler that sends
 * to another process queues it here instead of recursing, so chains of any length use a
 * constant stack. After a slice of work it yields to the event loop (setImmediate), so a
 * ping-pong of synchronous handlers cannot starve sockets and timers.
 */
import { enter, leave, type Attributed } from "./attribution.js";
import { Queue } from "./queue.js";

export interface Runnable extends Attributed {
  scheduled: boolean;
  runOne(): void;
}

const SLICE = 20_000;
const ready = new Queue<Runnable>();
let draining = false;
let yielded = false;

export function schedule(p: Runnable): void {
  if (p.scheduled) return;
  p.scheduled = true;
  ready.push(p);
  if (!draining && !yielded) drain();
}

function drain(): void {
  draining = true;
  try {
    for (let budget = SLICE; budget > 0; budget--) {
      const p = ready.shift();
      if (!p) return;
      p.scheduled = false;
      const previous = enter(p);
      try {
        p.runOne();
      } finally {
        leave(previous);
      }
    }
    yielded = true;
    setImmediate(resume);
  } finally {
    draining = false;
  }
}

function resume(): void {
  yielded = false;
  drain();
}
