/**
 * Empties V8's young generation just before an upgrade's fused pass, so that the pass does not
 * stop halfway for a scavenge. The pass allocates two small objects per process (the copy its
 * codeChange gets, and the state it returns): about 8 MB at 100,000 processes, which fits in an
 * empty young generation (16 MB a semi-space by default) but, with the upgrade's own garbage
 * (the target's release.json read, the plan), rarely in a half-full one. A scavenge in the daemon's
 * heap took 10–28 ms, as long as the pass itself. The scavenge here does the same work the
 * next allocation would have made V8 do anyway, only before the pause instead of inside it.
 *
 * The collector is V8's `gc`, reached without starting Node with --expose-gc: the flag is set for
 * a moment, one new context is made (where `gc` then exists), and the flag is put back, so user
 * code never sees a global `gc` it did not ask for.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Fewer processes than this, and the pass is too short for a scavenge to matter. */
const MIN_PROCESSES = 5000;

type Collect = (options: { type: "minor" }) => void;
let collect: Collect | null | undefined;

export function emptyYoungGeneration(processes: number): void {
  if (processes < MIN_PROCESSES) return;
  collect ??= reach();
  collect?.({ type: "minor" });
}

function reach(): Collect | null {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === "function") return own as Collect;
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    return typeof gc === "function" ? (gc as Collect) : null;
  } catch {
    return null; // without it the pass still runs, a scavenge maybe inside it
  } finally {
    setFlagsFromString("--no-expose-gc");
  }
}
