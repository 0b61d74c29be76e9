/** `relx check-upgrade <from> <to>`: every changed server's codeChange, up and back down, on recorded states; no daemon. */
import { runCheckUpgrade } from "../../check/check-upgrade.js";
import { parseJsonArgument } from "../args.js";
import { EXIT_FAILED, type CommandOutput, type CommonOptions } from "../output.js";
import { renderCheck } from "../render-check.js";

export interface CheckUpgradeCliOptions extends CommonOptions {
  states?: string;
  extra?: string;
}

export async function checkUpgrade(options: CheckUpgradeCliOptions, from: string, to: string): Promise<CommandOutput> {
  const extra = options.extra === undefined ? null : parseJsonArgument(options.extra, "--extra");
  const report = await runCheckUpgrade({ root: options.root, from, to, states: options.states, extra });
  return { value: report.result, text: () => renderCheck(report), exitCode: report.result.ok ? 0 : EXIT_FAILED };
}
