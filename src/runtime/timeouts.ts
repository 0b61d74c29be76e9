/**
 * Call deadlines without a timer per call. Calls are grouped by their timeout length; within a
 * group deadlines only grow, so each group is a FIFO with one timer armed for its head. A call
 * that settles first is skipped lazily when the head reaches it; once no call of a group is
 * outstanding its timer is cleared, so a finished script is not held open by old deadlines.
 * Node fires a timer longer than MAX_TIMER_MS after 1 ms, so a longer wait is armed in steps.
 */
import { Queue } from "./queue.js";

export interface Deadlined {
  settled: boolean;
  deadline: number;
  readonly timeoutMs: number;
  timeout(): void;
}

interface Group {
  queue: Queue<Deadlined>;
  timer: ReturnType<typeof setTimeout> | null;
  live: number;
}

/** The longest delay setTimeout honours (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const groups = new Map<number, Group>();

/** Starts watching `item`; returns false (and watches nothing) for an infinite timeout. */
export function watchDeadline(item: Deadlined): boolean {
  const ms = item.timeoutMs;
  if (!Number.isFinite(ms)) return false;
  item.deadline = Date.now() + ms;
  let group = groups.get(ms);
  if (!group) {
    group = { queue: new Queue(), timer: null, live: 0 };
    groups.set(ms, group);
  }
  group.queue.push(item);
  group.live++;
  if (!group.timer) arm(ms, group, ms);
  return true;
}

/** Called when a watched item settles before its deadline. */
export function unwatchDeadline(item: Deadlined): void {
  const group = groups.get(item.timeoutMs);
  if (!group || --group.live > 0) return;
  if (group.timer) clearTimeout(group.timer);
  groups.delete(item.timeoutMs);
}

function arm(ms: number, group: Group, delay: number): void {
  // A head deadline further off than one timer can wait wakes expire early, which re-arms for the rest.
  group.timer = setTimeout(() => expire(ms, group), Math.min(Math.max(0, delay), MAX_TIMER_MS));
}

function expire(ms: number, group: Group): void {
  group.timer = null;
  const now = Date.now();
  const q = group.queue;
  for (let item = q.peek(); item; item = q.peek()) {
    if (item.settled) {
      q.shift();
      continue;
    }
    if (item.deadline > now) {
      arm(ms, group, item.deadline - now);
      return;
    }
    q.shift();
    group.live--;
    item.timeout();
  }
  groups.delete(ms);
}
