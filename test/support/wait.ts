/** The one wait helper (poll until a condition holds; never a timing assertion) and a gate. */

export interface WaitOptions {
  /** Pause between checks. Default 25 ms; 1 suits conditions on this process's own sockets. */
  intervalMs?: number;
  /**
   * A guard against hangs, not a timing check: far longer than anything should take even on a
   * loaded machine, and shorter than the test timeout so the failure names what it waited for.
   */
  giveUpMs?: number;
}

/** Resolves with the first truthy value `check` returns; throws "gave up waiting for <what>". */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  options: WaitOptions = {},
): Promise<T> {
  const { intervalMs = 25, giveUpMs = 30_000 } = options;
  const giveUpAt = Date.now() + giveUpMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what} (after ${giveUpMs} ms)`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A deferred promise: a handler awaits `gate.promise` until the test calls `gate.open()`. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}
