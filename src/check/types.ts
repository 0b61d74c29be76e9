/**
 * The shapes of a check (the `relx check-upgrade --json` document, which `checkUpgrade` of
 * "relx/testing" returns) and the typed messages between the check and its worker thread.
 */
import type { RelxConfig } from "../release/config.js";
import type { StatesResult } from "../protocol/results.js";

/** A step's outcome: ok, or the error with its code and message. */
export interface CheckStep {
  ok: boolean;
  error?: { code: string; message: string };
}

/** One recorded process whose server changed between the two releases. */
export interface CheckProcessResult {
  /** Its registered name, else its pid. */
  name: string;
  server: string;
  /** The new code's codeChange(fromVsn, state, extra) (or, without recorded states, init first). */
  up: CheckStep;
  /** The new code's codeChange({ down: fromVsn }, newState, extra); only after an up that succeeded. */
  down?: CheckStep;
  /** down(up(state)) renders as the same JSON as the state; only after a down that succeeded. */
  roundTrip?: boolean;
}

export interface CheckResult {
  /** Every codeChange succeeded (a round trip that differs does not make it false). */
  ok: boolean;
  from: string;
  to: string;
  results: CheckProcessResult[];
}

export interface CheckUpgradeOptions {
  /** The app's root (default: the current directory). */
  root?: string;
  from: string;
  to: string;
  /**
   * Recorded states: the `relx state --all --json` document, or the path of a file holding it
   * (relative to the current directory). Without them, each boot process's init under `from`.
   */
  states?: StatesResult | string;
  /** Passed to every codeChange as `extra` (default null). */
  extra?: unknown;
}

/**
 * What one check starts from: a recorded state, or init with the args the old release's boot spec
 * gives that process (evaluated in the worker, where the release's code runs).
 */
export type TaskSource = { kind: "state"; state: unknown } | { kind: "init" };

/** One process to check, as the worker receives it. */
export interface CheckTask {
  name: string;
  /** Its pid as recorded ("<0.12.0>"), when there is one: what ctx.self is. */
  pid: string | null;
  server: string;
  fromVsn: string;
  source: TaskSource;
}

/** One task's outcome, by its index in the batch. */
export interface TaskResult {
  index: number;
  up: CheckStep;
  down?: CheckStep;
  roundTrip?: boolean;
}

/** Given to the worker when it starts. */
export interface WorkerInit {
  config: RelxConfig;
  from: string;
  to: string;
  /** Load the old release's code too and evaluate its boot spec: the states come from init. */
  loadFrom: boolean;
  timeoutMs: number;
  /** A ProgressBoard's buffer. */
  board: SharedArrayBuffer;
}

/**
 * Tasks and results cross as JSON text: recorded states are JSON already, and one
 * string is far cheaper to pass between threads than 10,000 objects cloned one by one.
 */
export type ToWorker = { type: "run"; tasks: string; extra: unknown };

/** A boot process of the old release, as its boot spec evaluates where the check runs. */
export interface BootEntry {
  name: string;
  server: string;
}

export type FromWorker =
  | { type: "ready"; boot: BootEntry[] }
  | { type: "load-failed"; error: { code: string; message: string; hint?: string } }
  | { type: "results"; results: string }
  | { type: "done" }
  /** The worker's own code failed between tasks: a bug in relx. */
  | { type: "bug"; message: string };
