/**
 * Wires a process to the modules that sit above it (its ctx, crash handling, its end), so that
 * process.ts imports none of them. Imported for its effect by every entry into the runtime.
 */
import { handleCrash } from "./crash.js";
import { ProcessCtx } from "./ctx.js";
import { finishExit } from "./exit.js";
import { installProcessHooks } from "./process.js";

installProcessHooks({
  ctx: (p) => new ProcessCtx(p),
  crash: handleCrash,
  exit: finishExit,
});
