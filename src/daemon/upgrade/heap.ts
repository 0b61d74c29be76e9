/**
 * Keeps V8's young-generation collections out of an upgrade's pause, on a node of many processes.
 *
 * The pass allocates at least two objects per changed process (the copy its codeChange gets, and
 * the state it returns), and a codeChange that rebuilds a room's members and history far more:
 * about 8 MB at 100,000 DemoServers, 3 MB for the chat example's 10,000 connections and 100 rooms.
 * A scavenge that lands inside the pass costs 2–28 ms there (what is young and alive is copied).
 * So, two scavenges each time (the first leaves what survives it for the first time in the young
 * generation, the second moves it on):
 *
 * - `atStart`, on a node of START_PROCESSES or more, as the upgrade starts (once its codeChanges
 *   are tried ahead, what they made then moved out of the young generation): before it awaits the
 *   record's write and fsync, and before it plans, while the node still runs. Planning makes no object per process, so a pass of a few megabytes then finds room.
 * - `beforePass`, when PASS_PROCESSES or more are changed: right before the fused pass, inside the
 *   stretch planning holds the node, because the pass's 8 MB or more needs the young generation
 *   (16 MB a semi-space) empty of the plan too. Not when nine in ten of its codeChanges or more were
 *   tried ahead of the pause (upgrade.ts tryAhead): the pass then allocates little, and `atStart`
 *   runs after the tries.
 *
 * They are the scavenges the next allocations would have caused, done before the pause instead of
 * inside it (a collection's own stop, 1–4 ms each). Measured, the chat example with 10,000
 * connections, 5 runs each: pause medians 14.3 / 11.6 ms (up / down) with neither, 11.0 / 9.9 ms
 * with `atStart`, and the longest stretch held went down too (26 / 22 -> 23 / 15 ms); the same two
 * just before the pass instead gave 11.7 / 9.6 ms but held it 28 / 23 ms. At 100,000 processes,
 * `atStart` alone left the downgrades' pauses 1–5 ms longer than `beforePass` did.
 *
 * No full collection: relx ran one before every big upgrade while planning made five objects per
 * process; since planning makes none per process (plan runs), the pass measured as fast or faster
 * without it (docs/decisions.md), and it cost 35–240 ms of the upgrade's time.
 *
 * The collector is V8's `gc`, reached without starting Node with --expose-gc: the flag is set for
 * a moment, one new context is made (where `gc` then exists) and the flag is put back, so user
 * code never sees a global `gc` it did not ask for. Without it, upgrades run as they would anyway.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Fewer live processes than this, and the pass is too short for a collection to matter. */
const START_PROCESSES = 5_000;
/** From this many changed processes, the pass needs the young generation empty of the plan too. */
const PASS_PROCESSES = 20_000;

/** V8's gc, called for a scavenge. */
type Collect = (options: { type: "minor" }) => void;
/** Undefined: not looked for yet; null: looked for, not there (or it threw once), not looked for again. */
let collect: Collect | null | undefined;

/** Two scavenges as an upgrade starts on a node of `liveProcesses`. */
export function atStart(liveProcesses: number): void {
  if (liveProcesses >= START_PROCESSES) emptyYoungGeneration();
}

/** Two scavenges right before a fused pass that changes `changedProcesses`. */
export function beforePass(changedProcesses: number): void {
  if (changedProcesses >= PASS_PROCESSES) emptyYoungGeneration();
}

function emptyYoungGeneration(): void {
  // Twice: a scavenge keeps what survives it for the first time (the plan, just made) in the
  // young generation; the second moves that to the old one, leaving the pass all of it.
  run({ type: "minor" });
  run({ type: "minor" });
}

/** A collection is an optimization: one that cannot be made, or throws, never fails an upgrade. */
function run(options: { type: "minor" }): void {
  if (collect === undefined) collect = reach();
  if (collect === null) return;
  try {
    collect(options);
  } catch {
    collect = null;
  }
}

function reach(): Collect | null {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === "function") return own as Collect;
  let gc: unknown = null;
  try {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc");
  } catch {
    gc = null;
  }
  try {
    setFlagsFromString("--no-expose-gc");
  } catch {
    // Nothing more to do: the flag only matters to contexts made later.
  }
  return typeof gc === "function" ? (gc as Collect) : null;
}
