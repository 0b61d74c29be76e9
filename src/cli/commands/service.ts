/**
 * `relx service`: a systemd unit for this root, printed for the user to install. It runs the node
 * in the foreground (logs to the journal), stops it with SIGTERM (a graceful stop: every process's
 * terminate, newest first) and restarts it on failure, so that `onGiveUp: "exit"` brings the node
 * back on its permanent release. Needs no daemon.
 */
import { userInfo } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CommandOutput, CommonOptions } from "../output.js";

export interface ServiceOptions extends CommonOptions {
  envFile?: string;
}

const RELX_BIN = fileURLToPath(new URL("../../../bin/relx", import.meta.url));

export async function service(options: ServiceOptions): Promise<CommandOutput> {
  const { loadConfig } = await import("../../release/config.js");
  const config = await loadConfig(resolve(options.root));
  // --env-file is relative to the current directory (as for `relx start`); the config's is absolute already.
  const envFile = options.envFile !== undefined ? resolve(options.envFile) : config.envFile;
  // "--" first: Node would otherwise take relx's --env-file for its own and exit on a missing file.
  const execStart = [process.execPath, "--", RELX_BIN, "start", "--foreground", "--root", config.root];
  if (envFile !== null) execStart.push("--env-file", envFile);
  const unitName = `${config.name.replace(/^@/, "").replace(/[^A-Za-z0-9:_.\\-]/g, "-")}.service`;
  const unit = renderUnit({ name: config.name, root: config.root, execStart, user: userInfo().username, unitName });
  return {
    value: { unit, unitName, root: config.root, execStart, envFile },
    text: () => unit,
  };
}

interface UnitSpec {
  name: string;
  root: string;
  execStart: string[];
  user: string;
  unitName: string;
}

/** The unit file's text. */
export function renderUnit(spec: UnitSpec): string {
  return [
    `# The relx node of ${spec.name} at ${spec.root}. Install it with:`,
    `#   relx service --root ${spec.root} | sudo tee /etc/systemd/system/${spec.unitName}`,
    `#   sudo systemctl daemon-reload && sudo systemctl enable --now ${spec.unitName}`,
    "# Then relx status, relx upgrade and relx logs work as before (as the same user);",
    "# journalctl -u " + spec.unitName + " shows the same log lines.",
    "[Unit]",
    `Description=relx node ${escapeValue(spec.name)} (${escapeValue(spec.root)})`,
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `User=${escapeValue(spec.user)}`,
    `WorkingDirectory=${quoteArg(spec.root)}`,
    `ExecStart=${spec.execStart.map(quoteArg).join(" ")}`,
    // SIGTERM to the node only; its processes terminate in order, within relx's own bound (15 s).
    "KillSignal=SIGTERM",
    "KillMode=mixed",
    "TimeoutStopSec=30",
    // A node that gives up (onGiveUp: "exit") or dies comes back on its permanent release.
    "Restart=on-failure",
    "RestartSec=1",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/** systemd expands %specifiers everywhere and $VARIABLES in ExecStart: both are doubled to stay literal. */
function escapeValue(text: string): string {
  return text.replace(/%/g, "%%");
}

/** One ExecStart argument: quoted when it holds a space, a quote or a backslash. */
export function quoteArg(arg: string): string {
  const literal = escapeValue(arg).replace(/\$/g, "$$$$");
  if (!/[\s"'\\]/.test(literal)) return literal;
  return `"${literal.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}
