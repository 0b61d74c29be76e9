/** What a mailbox holds, and the small helpers every runtime module shares. */
import type { PendingCall } from "./pending-call.js";

export const CALL = 0;
export const CAST = 1;
export const INFO = 2;

export interface Message {
  kind: number;
  msg: unknown;
  from: PendingCall | null;
}

/**
 * A promise, or an object with a `then` method. Never throws: what a callback returns is user
 * data, and an object whose `then` getter (or proxy trap) throws is no thenable, not a reason for
 * relx to fail with a process busy for good.
 */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  if (v instanceof Promise) return true;
  if (v === null || typeof v !== "object") return false;
  try {
    return typeof (v as any).then === "function";
  } catch {
    return false;
  }
}

export function callbackName(kind: number): "handleCall" | "handleCast" | "handleInfo" {
  return kind === CALL ? "handleCall" : kind === CAST ? "handleCast" : "handleInfo";
}

/** Why a process's callback ended badly, or that it asked to stop (see crash.ts). */
export interface CrashInfo {
  error: unknown;
  message: Message | null;
  callback: string;
  /** true for ctx.stop(reason): an exit the process asked for, not a crash. */
  requested?: boolean;
}
