/**
 * Keeps V8's young-generation collections out of an upgrade's fused pass, for an upgrade that
 * changes many processes.
 *
 * The pass allocates two small objects per process (the copy its codeChange gets, and the state
 * it returns): about 8 MB at 100,000 processes. Measured in the daemon at that size, a scavenge
 * landed inside the pass more often than not (10–28 ms each: what planning made just before is
 * young and alive, and is copied). So, for an upgrade that changes MIN_PROCESSES or more, just
 * before the pass (`emptyYoungGeneration`), two scavenges (the first leaves what survives it for
 * the first time in the young generation; the second moves it on), so the pass's allocations fit
 * in an empty young generation (16 MB a semi-space by default). It is the scavenge the next
 * allocations would have caused, done before the pause instead of inside it, and one more of
 * about 2 ms.
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

/** Fewer processes changed than this, and the pass is too short for a collection to matter. */
const MIN_PROCESSES = 20_000;

/** V8's gc, called for a scavenge. */
type Collect = (options: { type: "minor" }) => void;
/** Undefined: not looked for yet; null: looked for, not there (or it threw once), not looked for again. */
let collect: Collect | null | undefined;

/** Two scavenges, now. */
export function emptyYoungGeneration(processes: number): void {
  if (processes < MIN_PROCESSES) return;
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
