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

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v instanceof Promise || (v !== null && typeof v === "object" && typeof (v as any).then === "function");
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
