/**
 * The request half of `relx upgrade` / `relx downgrade`, without the vsn check (upgrade.ts makes
 * it with semver; the fast path takes only the plainest vsns, fast-path.ts). With --json the
 * daemon's result is printed as the daemon wrote it, never parsed: at 100,000 processes it is
 * megabytes, and parsing and stringifying it again cost more than the rest of the command.
 */
import { requestText } from "../../client/request.js";
import type { DryRunResult, UpgradeResult } from "../../protocol/results.js";
import { parseJsonArgument } from "../args.js";
import { EXIT_FAILED, EXIT_OK, type CommandOutput, type CommonOptions } from "../output.js";
import { renderUpgrade } from "../render-upgrade.js";
import { resolveSocketPath } from "../socket-path.js";

export interface UpgradeOptions extends CommonOptions {
  extra?: string;
  dryRun?: boolean;
  /** --no-permanent sets it false (upgrade only). */
  permanent?: boolean;
}

/** `vsn` is a valid semver version already. */
export async function changeRelease(op: "upgrade" | "downgrade", options: UpgradeOptions, vsn: string): Promise<CommandOutput> {
  const extra = options.extra === undefined ? undefined : parseJsonArgument(options.extra, "--extra");
  const socket = await resolveSocketPath(options);
  const answer = await requestText(socket, {
    op,
    vsn,
    ...(extra === undefined ? {} : { extra }),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(op === "upgrade" && options.permanent === false ? { permanent: false } : {}),
  });
  let parsed: UpgradeResult | DryRunResult | undefined = answer.value;
  const result = (): UpgradeResult | DryRunResult => (parsed ??= JSON.parse(answer.text!.toString("utf8")) as UpgradeResult | DryRunResult);
  return {
    get value() {
      return result();
    },
    ...(answer.text === undefined || options.json !== true ? {} : { jsonText: answer.text }),
    text: () => renderUpgrade(op, result()),
    exitCode: exitCodeOf(answer.text, result),
  };
}

/**
 * 1 when the result says ok: false (a dry run that would fail), else 0. Both results begin with
 * `ok` as the daemon builds them, so the text's first bytes tell; any other text is parsed.
 */
function exitCodeOf(text: Buffer | undefined, result: () => { ok: boolean }): number {
  const head = text?.toString("utf8", 0, 12);
  if (head?.startsWith('{"ok":true,')) return EXIT_OK;
  if (head?.startsWith('{"ok":false,')) return EXIT_FAILED;
  return result().ok === false ? EXIT_FAILED : EXIT_OK;
}
