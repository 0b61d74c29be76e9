/**
 * ctx.own: resources tied to a process, as OTP ties a port to its owner. When the process exits or
 * crashes (after terminate, and before a restart's init), what it still owns is closed, newest
 * first: close(), else destroy(), else Symbol.asyncDispose / Symbol.dispose, each awaited for up
 * to OWN_CLOSE_TIMEOUT_MS. An owned emitter's "error" event that nobody else listens to crashes
 * the owner instead of reaching the daemon.
 */
import type { Process } from "./process.js";

export const OWN_CLOSE_TIMEOUT_MS = 5000;

interface Emitter {
  on(event: string, fn: (...args: unknown[]) => void): unknown;
  listenerCount(event: string): number;
}

/** An EventEmitter, or anything with its on and listenerCount. */
export function isEmitter(v: object): v is Emitter {
  return typeof (v as Emitter).on === "function" && typeof (v as Emitter).listenerCount === "function";
}

export function own<T>(p: Process, resource: T): T {
  if (resource === null || (typeof resource !== "object" && typeof resource !== "function")) return resource;
  const r = resource as object;
  ((p.ensureExtras().owned ??= [])).push(r);
  if (isEmitter(r)) {
    r.on("error", (err: unknown) => {
      // Ours is the only listener: without it the error would have been thrown into the daemon.
      if (r.listenerCount("error") === 1) p.crashSoon({ error: err, message: null, callback: "an owned resource" });
    });
  }
  return resource;
}

/**
 * Closes what `p` owns, newest first; the promise resolves when each closed or timed out, and
 * never rejects. Undefined when it owns nothing, so a process that owns nothing restarts at once.
 */
export function releaseOwned(p: Process): Promise<void> | undefined {
  const owned = p.extras?.owned;
  if (!owned || owned.length === 0) return undefined;
  p.extras!.owned = null;
  return closeAll(owned);
}

/** Closes each of `resources`, newest first, each as releaseOwned does; never rejects. */
export async function closeAll(resources: readonly object[]): Promise<void> {
  for (let i = resources.length - 1; i >= 0; i--) await closeOne(resources[i]!);
}

/** Runs `next` once what `p` owns is closed: at once when it owns nothing. */
export function afterReleasing(p: Process, next: () => void): void {
  const released = releaseOwned(p);
  if (released === undefined) next();
  else void released.then(next);
}

async function closeOne(r: object): Promise<void> {
  const x = r as Record<string | symbol, unknown>;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    // Looked up inside the try: a getter or proxy trap that throws is a close that failed, not a
    // rejection that would leave the owner never exiting nor restarting.
    const fn = typeof x.close === "function" ? x.close
      : typeof x.destroy === "function" ? x.destroy
      : typeof x[Symbol.asyncDispose] === "function" ? x[Symbol.asyncDispose]
      : typeof x[Symbol.dispose] === "function" ? x[Symbol.dispose] : undefined;
    if (typeof fn !== "function") return;
    const result = fn.call(r);
    if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function" && result !== r) {
      await Promise.race([result, new Promise((done) => (timer = setTimeout(done, OWN_CLOSE_TIMEOUT_MS)))]);
    }
  } catch {
    // A resource that fails to close is as closed as relx can make it.
  } finally {
    clearTimeout(timer);
  }
}
