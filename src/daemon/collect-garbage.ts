/**
 * A full garbage collection on demand, run just before an upgrade suspends anything: loading a
 * release (hashing, parsing its manifest) leaves garbage behind, and a major GC that lands inside
 * the pause would stretch it. Collecting first moves that cost to the upgrade's wall time.
 * Uses global.gc when Node runs with --expose-gc, else V8's flag set at run time.
 */
import v8 from "node:v8";
import vm from "node:vm";

let gc: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (gc === undefined) gc = findGc();
  gc?.();
}

function findGc(): (() => void) | null {
  const global = (globalThis as { gc?: () => void }).gc;
  if (typeof global === "function") return global;
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
  } catch {
    return null;
  }
}
