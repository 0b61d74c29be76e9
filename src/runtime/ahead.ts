/**
 * A codeChange tried ahead of an upgrade's pause (bulk.ts computeAhead) runs with its process's own
 * ctx, so that a codeChange that keeps its ctx in the state it returns keeps the real one. While it
 * runs, `trying.on` is set and every ctx method (ctx.ts) does nothing but set `trying.used`: what
 * reaches other processes, starts, owns or stops is the pause's to do, so a codeChange that uses
 * its ctx is run again there, and its try is dropped. `self` is read as ever.
 */
import { RelxError } from "../errors.js";
import { currentProcess } from "./attribution.js";

/**
 * `late`: how many tries returned a promise that has not settled yet (their results are dropped).
 * What such a promise's continuations do runs after the try, as its stand-in (attribution.ts, with
 * the daemon's async tracking), and its ctx is as inert then as during the try: the pause runs that
 * codeChange again, so what it does through ctx happens once, there.
 */
export const trying = { on: false, used: false, late: 0 };

/** A ctx method does nothing now: a try runs, or code a dropped try started does. */
export function inert(): boolean {
  return trying.on || (trying.late !== 0 && currentProcess()?.tried === "ahead");
}

/** What a ctx method that returns a promise gives while trying: a handled rejection, never awaited for long. */
export function notNow(method: string): Promise<never> {
  trying.used = true;
  const refused = Promise.reject(new RelxError("RELX_BUG", `ctx.${method} ran while a codeChange was tried ahead of the pause; that try is dropped and the codeChange runs again in the pause`));
  refused.catch(() => undefined);
  return refused;
}
