/** `relx upgrade` and `relx downgrade`: hot code change of the running release (SPEC §7). */
import { parseVsn } from "../../release/vsn.js";
import type { CommandOutput } from "../output.js";
import { changeRelease, type UpgradeOptions } from "./change-release.js";

export type { UpgradeOptions };

export async function upgrade(options: UpgradeOptions, vsn: string): Promise<CommandOutput> {
  parseVsn(vsn, { what: "the version", retry: (v) => `relx upgrade ${v}` });
  return changeRelease("upgrade", options, vsn);
}

export async function downgrade(options: UpgradeOptions, vsn: string): Promise<CommandOutput> {
  parseVsn(vsn, { what: "the version", retry: (v) => `relx downgrade ${v}` });
  return changeRelease("downgrade", options, vsn);
}
