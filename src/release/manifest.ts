/**
 * The release manifest (`releases/<vsn>/release.json`) and the RELEASES store's types.
 * The build writes them; the daemon, `unpack` and `releases` read them. docs/release-format.md
 * describes every field.
 */

import type { BootProcessSpec, RestartPolicy } from "../runtime/types.js";
import type { ConfigKey } from "./app-config.js";
import type { RecordedPlan } from "./plan-types.js";

export type { PlanChange } from "./plan-types.js";

export type { RestartPolicy };

export const MANIFEST_FORMAT = 1;

/** A boot spec entry, as the build recorded it (restart always present). */
export type BootProcess = BootProcessSpec;

export interface ServerEntry {
  /** The server's `name`: its identity across releases. */
  name: string;
  /** Effective vsn: the declared one, else the release vsn in which its code last changed. */
  vsn: string;
  /** The `vsn` the module declares, or null when it declares none. */
  declaredVsn: string | null;
  /** The compiled module, relative to the release directory (e.g. "lib/demo_server.cjs"). */
  file: string;
  /** The source it was compiled from, relative to the app root (e.g. "src/demo_server.ts"). */
  source: string;
  /** sha256 (hex) of `file`: the server's code, its own imports included. */
  sha256: string;
  hasCodeChange: boolean;
}


export interface Manifest {
  format: number;
  name: string;
  vsn: string;
  createdAt: string;
  /** Node version range the release runs on (package.json engines.node, else ">=20.10"). */
  node: string;
  app: { file: string; source: string; sha256: string };
  /** Each boot process's name, server and restart: args are evaluated where the release runs. */
  boot: { processes: BootProcess[] };
  /** The app's config schema (keys, types, env names, non-sensitive defaults); absent before relx 0.2. */
  config?: ConfigKey[];
  /** The version of relx that built it; absent before relx 0.2. */
  relx?: string;
  servers: ServerEntry[];
  /** Every file of the release but release.json, relative path → sha256 (hex). */
  files: Record<string, string>;
  /** For each older release present at build time: the plans in both directions (plan.ts recordPlan). */
  plans: Record<string, { up: RecordedPlan; down: RecordedPlan }>;
}

/**
 * What a running node keeps of a checked manifest (read-manifest.ts loadedManifest): no plans (the
 * daemon plans from the live processes), and of the boot processes only their names, in order,
 * unique (parseManifest checked): their servers, restarts and args are what the boot spec
 * evaluates to where the release runs. Small enough to cross from the read-ahead worker cheaply.
 */
export interface LoadedManifest extends Omit<Manifest, "boot" | "plans"> {
  boot: { names: readonly string[] };
}

export type ReleaseState = "unpacked" | "current" | "permanent" | "old";

export interface ReleaseRecord {
  vsn: string;
  state: ReleaseState;
}
