/** The results of the ops whose shapes scripts rely on: the `--json` shapes of SPEC §6. */
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

export interface ProcessStatus {
  name: string;
  pid: string | number;
  server: string;
  /** The server's declared vsn; null when it declares none. */
  vsn: string | null;
  status: "running" | "suspended";
  queue: number;
}

export interface LastUpgrade {
  from: string;
  to: string;
  pauseMs: number;
  at: string;
}

export interface StatusResult {
  name: string;
  vsn: string;
  permanent: string | null;
  daemon: { pid: number; uptimeMs: number };
  releases: ReleaseRecord[];
  processes: ProcessStatus[];
  lastUpgrade: LastUpgrade | null;
}

export interface ChangedProcess {
  name: string;
  server: string;
  fromVsn: string;
  toVsn: string;
}

/** The result of `upgrade` / `downgrade`, dry runs included (a dry run adds per-process results). */
export interface UpgradeResult {
  ok: boolean;
  from: string;
  to: string;
  changed: ChangedProcess[];
  started: string[];
  stopped: string[];
  pauseMs: number;
  durationMs: number;
  dryRun?: boolean;
  [extra: string]: unknown;
}
