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
  dispatch(kind: number, msg: unknown, from: unknown): void;
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

/**
 * Holds the run queue for a synchronous stretch in which no process may run (the fused upgrade
 * pass, bulk.ts swapAll): a message delivered meanwhile is queued, as to a suspended process, and
 * runs from the event loop after `release`. False when a drain is in progress (it holds the queue).
 */
export function hold(): boolean {
  if (draining) return false;
  draining = true;
  return true;
}

export function release(held: boolean): void {
  if (!held) return;
  draining = false;
  if (ready.length > 0 && !yielded) {
    yielded = true;
    setImmediate(resume);
  }
}

/**
 * Runs one message on `p` at once, as drain would, when nothing else runs (no drain in progress,
 * none waiting on the event loop): the common call to an idle process skips the run queue. Then
 * drains whatever that message made ready. False, having done nothing, when it cannot run now.
 */
export function runNow(p: Runnable, kind: number, msg: unknown, from: unknown): boolean {
  if (draining || yielded) return false;
  draining = true;
  const previous = enter(p);
  try {
    p.dispatch(kind, msg, from);
  } finally {
    leave(previous);
    draining = false;
  }
  if (ready.length > 0) drain();
  return true;
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
