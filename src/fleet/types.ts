/** The `--json` shapes of `relx fleet` (SPEC §13). */
import type { WireError } from "../errors.js";

export interface HostStatus {
  name: string;
  ok: boolean;
  release?: string;
  vsn?: string;
  processes?: unknown[];
  error?: WireError;
}

export interface FleetStatusResult {
  ok: boolean;
  hosts: HostStatus[];
}

export interface HostPush {
  name: string;
  ok: boolean;
  vsn?: string;
  pushed?: "installed" | "present";
  error?: WireError;
}

export interface FleetPushResult {
  ok: boolean;
  vsn?: string;
  hosts: HostPush[];
}

export interface HostMove {
  name: string;
  ok: boolean;
  from?: string;
  to?: string;
  pauseMs?: number;
  skipped?: boolean;
  error?: WireError;
}

export interface FleetMoveResult {
  ok: boolean;
  vsn: string;
  mode: "rolling" | "sync";
  hosts: HostMove[];
  movedBack: string[];
  /** The hosts made permanent on `vsn` (fleet-file order): every host once all moved, else none. */
  permanent: string[];
}

export type Direction = "upgrade" | "downgrade";
