/** The shapes of an upgrade plan (plan.ts makes them; release.json records them). */
import type { OldVsn, RestartPolicy } from "../runtime/types.js";

/** A server whose code (sha256) or vsn differs between two releases. */
export interface PlanChange {
  /** Server name. */
  name: string;
  fromVsn: string;
  toVsn: string;
}

export type Direction = "up" | "down";

/** What the plan needs to know of one live process; `ref` is the caller's handle, passed through. */
export interface PlanProcess<R> {
  ref: R;
  /** How results name it: its registered name, else its pid. */
  name: string;
  server: string;
  /** The vsn of the code it runs (the effective vsn its release recorded). */
  vsn: string | null;
  /** It is the running release's boot process of that name. */
  boot: boolean;
}

/** What a plan reads of a manifest (a Manifest is one). */
export interface PlanManifest {
  vsn: string;
  servers: readonly { name: string; vsn: string; sha256: string }[];
  /** Names unique (the manifest's check and the boot spec's evaluation both refuse two alike). */
  boot: { processes: readonly { name: string; server: string; restart?: RestartPolicy }[] };
}

/**
 * A walk over the live processes, in start order: `visit` once for each, with its handle, server,
 * vsn and, for the running release's boot process of that name, the name (else null). The
 * daemon's form: 100,000 processes planned with no record made for each.
 */
export type WalkProcesses<R> = (visit: (ref: R, server: string, vsn: string | null, bootName: string | null) => void) => void;

export interface PlanInput<R> {
  direction: Direction;
  from: PlanManifest;
  to: PlanManifest;
  /** Live processes, in start order: a list, or a walk over them. */
  processes: readonly PlanProcess<R>[] | WalkProcesses<R>;
  /** Names of the boot processes the node has, running or not (one that gave up is not restarted). */
  boot: readonly string[];
}

/**
 * One step of a plan. A change-code or rebind step is a run of processes (`refs`, in start order)
 * that come one after another and share a server and vsns: 100,000 processes of one server are one
 * step. Steps hold handles, not names: the caller names a process when it reports it.
 */
export type PlanStep<R> =
  | { op: "change-code"; refs: R[]; server: string; fromVsn: string; toVsn: string; oldVsn: OldVsn }
  | { op: "rebind"; refs: R[]; server: string; vsn: string }
  | { op: "stop"; ref: R; server: string; vsn: string | null }
  | { op: "start"; process: string; server: string; restart: RestartPolicy | undefined };

export type StepOp = PlanStep<unknown>["op"];

export interface UpgradePlan<R> {
  direction: Direction;
  from: string;
  to: string;
  /** Servers changed (code or vsn), added and removed, by name. */
  changed: PlanChange[];
  added: string[];
  removed: string[];
  steps: PlanStep<R>[];
}

/**
 * A plan as release.json records it: for the source release's boot processes, no handles; the
 * change-code and rebind steps of processes that share a server and vsns are one step naming them all.
 */
export type RecordedStep =
  | { op: "change-code"; processes: string[]; server: string; fromVsn: string; toVsn: string; oldVsn: OldVsn }
  | { op: "rebind"; processes: string[]; server: string; vsn: string }
  | { op: "stop"; process: string; server: string; vsn: string | null }
  | { op: "start"; process: string; server: string; restart: RestartPolicy | undefined };
export type RecordedPlan = Omit<UpgradePlan<unknown>, "steps" | "from" | "to" | "direction"> & { steps: RecordedStep[] };
