/**
 * A codeChange tried ahead of an upgrade's pause (bulk.ts computeAhead) runs with its process's own
 * ctx, so that a codeChange that keeps its ctx in the state it returns keeps the real one. While it
 * runs, `trying.of` is that process, and every method of its ctx (ctx.ts) does nothing but set
 * `trying.used`: what reaches other processes, starts, owns or stops is the pause's to do, so a
 * codeChange that uses its ctx is run again there, and its try is dropped. `self` is read as ever.
 * Only that process's ctx: another process that runs meanwhile (one the codeChange starts through
 * the API, whose init runs at once, or stops, whose terminate does) has its own ctx working.
 */
import { RelxError } from "../errors.js";
import { currentProcess } from "./attribution.js";
import type { Pid } from "./pid.js";

/** The process a try is for: compared by identity, and by pid for a dropped try's continuation (its stand-in). */
type Tried = { readonly pid: Pid };

/**
 * `late`: how many tries returned a promise that has not settled yet (their results are dropped).
 * What such a promise's continuations do runs after the try, as its stand-in (attribution.ts, with
 * the daemon's async tracking), and its ctx is as inert then as during the try: the pause runs that
 * codeChange again, so what it does through ctx happens once, there.
 */
export const trying: { of: Tried | null; used: boolean; late: number } = { of: null, used: false, late: 0 };

/** A method of `p`'s ctx does nothing now: `p`'s codeChange is tried, or code a dropped try of it started runs. */
export function inert(p: Tried): boolean {
  return trying.of === p || (trying.late !== 0 && lateTry(p));
}

function lateTry(p: Tried): boolean {
  const who = currentProcess();
  return who !== undefined && who.tried === "ahead" && who.pid === p.pid;
}

/** What a ctx method that returns a promise gives while trying: a handled rejection, never awaited for long. */
export function notNow(method: string): Promise<never> {
  trying.used = true;
  const refused = Promise.reject(new RelxError("RELX_TRIED_AHEAD", `ctx.${method} ran while a codeChange was tried ahead of the pause; that try is dropped and the codeChange runs again in the pause`));
  refused.catch(() => undefined);
  return refused;
}
