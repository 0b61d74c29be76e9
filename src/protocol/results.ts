/** The results of the ops whose shapes scripts rely on: the `--json` shapes of SPEC §6. */
import type { WireError } from "../errors.js";
import type { ReleaseRecord } from "../release/manifest.js";

export interface PingResult {
  pong: true;
  pid: number;
  /** The running release, once the daemon has booted. */
  vsn?: string;
}

export interface StopResult {
  stopped: true;
  pid: number;
}

/** `permanent`: the running release made permanent. */
export interface PermanentResult {
  ok: true;
  vsn: string;
  /** The release that was permanent before (now old); `vsn` itself when it already was; null: none. */
  previous: string | null;
  releases: ReleaseRecord[];
}

export interface CastResult {
  ok: true;
}

export interface ProcessStatus {
  name: string;
  pid: string;
  server: string;
  /** The server's vsn (the effective one the build recorded); null when it has none. */
  vsn: string | null;
  status: "running" | "suspended" | "down";
  queue: number;
  restarts: number;
  handled: number;
  /** A boot process that gave up (status "down"): the error it last crashed with. */
  error?: WireError;
}

export interface LastUpgrade {
  from: string;
  to: string;
  pauseMs: number;
  at: string;
}

/** One entry of the upgrade history: the last 20 upgrades and downgrades, failed ones included. */
export interface UpgradeRecord {
  from: string;
  to: string;
  at: string;
  ok: boolean;
  pauseMs?: number;
  error?: WireError;
}

export interface StatusResult {
  name: string;
  vsn: string;
  permanent: string | null;
  daemon: { pid: number; uptimeMs: number };
  releases: ReleaseRecord[];
  /** Every process, or the page asked for (offset, limit, filter, sort). */
  processes: ProcessStatus[];
  /** How many processes matched the filter (all of them without one), whatever the page. */
  count: number;
  /** The matching processes by status. */
  counts: { running: number; suspended: number; down: number };
  lastUpgrade: LastUpgrade | null;
  upgrades: UpgradeRecord[];
}

export interface ChangedProcess {
  name: string;
  server: string;
  fromVsn: string;
  toVsn: string;
}

/** One live process and its state, as `relx state --all` records it (the state rules of `relx state`). */
export interface ProcessState {
  /** Its registered name; null for an unnamed spawned process. */
  name: string | null;
  pid: string;
  server: string;
  vsn: string | null;
  state: unknown;
}

/** The `states` op: every live process's state, in start order (`relx state --all --json`). */
export interface StatesResult {
  processes: ProcessState[];
}

/** A successful `upgrade` / `downgrade`. A failure is an error answer with `rolledBack`. */
export interface UpgradeResult {
  ok: true;
  from: string;
  to: string;
  changed: ChangedProcess[];
  started: string[];
  stopped: string[];
  pauseMs: number;
  durationMs: number;
  /** afterUpgrade failed (logged; nothing was rolled back). */
  hookError?: WireError;
}

/** What one process's codeChange made of a copy of its state, in a dry run. */
export interface DryRunProcessResult {
  name: string;
  server: string;
  ok: boolean;
  state?: unknown;
  error?: WireError;
}

/** A dry run: the plan, and every codeChange's result; `ok` is false if any would fail, with `error` naming the first. */
export interface DryRunResult {
  ok: boolean;
  dryRun: true;
  error?: WireError;
  from: string;
  to: string;
  changed: ChangedProcess[];
  started: string[];
  stopped: string[];
  results: DryRunProcessResult[];
  /** The hooks a real run would call (a dry run calls none). */
  hooks: string[];
  pauseMs: number;
  durationMs: number;
}

/** `restart`: the boot process started again from the running release's boot spec. */
export interface RestartResult {
  ok: true;
  name: string;
  pid: string;
}

/** `config`: the app's config as the daemon resolved it at its boot or last upgrade. */
export interface ConfigResult {
  config: { key: string; env: string; value: unknown; source: "env" | "env-file" | "default" }[];
}

/** A prepared two-phase upgrade, holding. */
export interface PrepareResult {
  prepared: true;
  from: string;
  to: string;
  changed: ChangedProcess[];
  started: string[];
  stopped: string[];
  /** How long after its arrival the host is committed to roll back by itself. */
  deadlineMs: number;
}

export interface AbortResult {
  ok: true;
  rolledBack: true;
}

/** `eval`: the last expression statement's value, a promise awaited. */
export interface EvalResult {
  /** The value rendered by the state rules (what `--json` prints). */
  value: unknown;
  /** The value as Node's REPL shows it. */
  text: string;
  /** The names in scope after the entry, for a console's completion. */
  names: string[];
}

/** `logTail`: the last lines of the daemon's log (.relx/log/daemon.log), oldest first. */
export interface LogTailResult {
  file: string;
  lines: string[];
}
