/** `relx upgrade` and `relx downgrade`: hot code change of the running release (SPEC §7). */
import { request } from "../../client/request.js";
import { parseVsn } from "../../release/vsn.js";
import { parseJsonArgument } from "../args.js";
import { EXIT_FAILED, type CommandOutput, type CommonOptions } from "../output.js";
import { renderUpgrade } from "../render-upgrade.js";
import { resolveSocketPath } from "../socket-path.js";

export interface UpgradeOptions extends CommonOptions {
  extra?: string;
  dryRun?: boolean;
  /** --no-permanent sets it false (upgrade only). */
  permanent?: boolean;
}

export function upgrade(options: UpgradeOptions, vsn: string): Promise<CommandOutput> {
  return changeRelease("upgrade", options, vsn);
}

export function downgrade(options: UpgradeOptions, vsn: string): Promise<CommandOutput> {
  return changeRelease("downgrade", options, vsn);
}

async function changeRelease(op: "upgrade" | "downgrade", options: UpgradeOptions, vsn: string): Promise<CommandOutput> {
  parseVsn(vsn, { what: "the version", retry: (v) => `relx ${op} ${v}` });
  const extra = options.extra === undefined ? undefined : parseJsonArgument(options.extra, "--extra");
  const socket = await resolveSocketPath(options);
  const result = await request(socket, {
    op,
    vsn,
    ...(extra === undefined ? {} : { extra }),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(op === "upgrade" && options.permanent === false ? { permanent: false } : {}),
  });
  return {
    value: result,
    text: () => renderUpgrade(op, result),
    exitCode: result.ok === false ? EXIT_FAILED : 0,
  };
}
