/** Runtime events: crash reports, restarts, exits. By default crashes go to stderr; the daemon logs them all. */
import { textOf, type RelxError } from "../errors.js";
import type { Pid } from "./pid.js";

/** What an event says about its process (a Process is one). */
export interface EventSubject {
  readonly pid: Pid;
  readonly name: string | null;
  readonly label: string;
  readonly restarts: number;
}

export type RuntimeEvent =
  | { type: "crash"; process: EventSubject; error: unknown; callback: string }
  | { type: "restart"; process: EventSubject }
  | { type: "exit"; process: EventSubject; reason: unknown }
  | { type: "giveup"; process: EventSubject; error: unknown }
  | { type: "unhandled"; process: EventSubject; error: RelxError; msg: unknown };

let observer: (e: RuntimeEvent) => void = defaultObserver;

export function setRuntimeObserver(fn: ((e: RuntimeEvent) => void) | null): void {
  observer = fn ?? defaultObserver;
}

export function emitRuntimeEvent(e: RuntimeEvent): void {
  try {
    observer(e);
  } catch {
    // An observer's own failure must never take a process down.
  }
}

function defaultObserver(e: RuntimeEvent): void {
  if (e.type === "crash") {
    const err = textOf(e.error);
    console.error(`relx: ${e.process.label} crashed in ${e.callback}: ${err}`);
  } else if (e.type === "giveup") {
    console.error(`relx: ${e.process.label} restarted too often; giving up`);
  } else if (e.type === "unhandled") {
    console.error(`relx: ${e.error.message}`);
  }
}
