/**
 * Pid: a process identifier as plain data. It holds only a number; every delivery resolves it
 * through the registry, so a reference never pins a process's code or state.
 */
/** How a pid is written: `<0.` + its id + `.0>` (the form OTP prints). */
export const PID_OPEN = "<0.";
export const PID_CLOSE = ".0>";

export class Pid {
  constructor(readonly id: number) {}

  toString(): string {
    return PID_OPEN + this.id + PID_CLOSE;
  }

  toJSON(): string {
    return this.toString();
  }

  /** How util.inspect shows it (relx eval and remote, console.log in a server): `<0.N.0>`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** Parses "<0.12.0>" (or "12") back into a Pid; null when it is not one. */
  static parse(text: string): Pid | null {
    const m = /^(?:<0\.(\d+)\.0>|(\d+))$/.exec(text);
    if (!m) return null;
    return new Pid(Number(m[1] ?? m[2]));
  }
}

/** How errors, logs and results name a process: its registered name, else its pid. */
export function processName(p: { readonly name: string | null; readonly pid: Pid }): string {
  return p.name ?? String(p.pid);
}
