/**
 * PendingCall: one outstanding call. It is the `from` a server's handleCall receives, and it
 * settles exactly once: by a reply, by an error (crash, no handler, exit), or by its timeout.
 * A call answered before `call()` returns never creates a timer or a promise executor.
 */
import { RelxError } from "../errors.js";
import type { Pid } from "./pid.js";
import type { From } from "./types.js";
import { unwatchDeadline, watchDeadline } from "./timeouts.js";

let nextRef = 1;

export class PendingCall implements From {
  readonly ref = nextRef++;
  settled = false;
  deadline = 0;
  private ok = false;
  private value: unknown = undefined;
  private resolveFn: ((v: unknown) => void) | null = null;
  private rejectFn: ((e: unknown) => void) | null = null;
  private watched = false;
  /** Set while a thenable reply settles (adopt). */
  private adopting = false;

  constructor(
    readonly pid: Pid | null,
    /** Who was called, for the timeout message. */
    readonly target: { readonly label: string },
    readonly timeoutMs: number,
  ) {}

  resolve(value: unknown): void {
    if (this.settled || this.adopting) return;
    // A reply that is a promise (or any thenable) settles the call as it settles, and within the
    // call's timeout: taken for the answer itself, one that never settled left the caller waiting
    // for good, past its timeout. The first reply wins, as for any reply.
    if ((typeof value === "object" && value !== null) || typeof value === "function") {
      let then: unknown;
      try {
        then = (value as { then?: unknown }).then;
      } catch (err) {
        return this.reject(err);
      }
      if (typeof then === "function") return this.adopt(value);
    }
    this.settle(value);
  }

  private adopt(thenable: unknown): void {
    this.adopting = true;
    let settles: Promise<unknown>;
    try {
      settles = Promise.resolve(thenable);
    } catch (err) {
      settles = Promise.reject(err);
    }
    settles.then(
      (v) => {
        this.adopting = false;
        this.settle(v);
      },
      (e) => {
        this.adopting = false;
        this.reject(e);
      },
    );
  }

  private settle(value: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.ok = true;
    this.value = value;
    if (this.watched) unwatchDeadline(this);
    if (this.resolveFn) this.resolveFn(value);
  }

  reject(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.value = error;
    if (this.watched) unwatchDeadline(this);
    if (this.rejectFn) this.rejectFn(error);
  }

  /** The caller's promise; a timer is armed only when the answer is not already there. */
  promise(): Promise<unknown> {
    if (this.settled) return this.ok ? Promise.resolve(this.value) : Promise.reject(this.value);
    return new Promise((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
      this.watched = watchDeadline(this);
    });
  }

  timeout(): void {
    this.watched = false;
    this.reject(
      new RelxError("RELX_CALL_TIMEOUT", `call to ${this.target.label} timed out after ${this.timeoutMs} ms`, {
        hint: "the process may be suspended, busy or stuck: see `relx status`; to wait longer, raise callTimeoutMs in relx.config.json (relx call) or pass call()'s timeoutMs",
      }),
    );
  }
}
