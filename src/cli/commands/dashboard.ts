/**
 * `relx dashboard [--port <n>] [--allow-actions]` (SPEC §12): serves a live page of the node until
 * interrupted. Exits 3 when no daemon answers at start; later the page shows the daemon's absence.
 */
import { randomBytes } from "node:crypto";
import { request } from "../../client/request.js";
import { RelxError } from "../../errors.js";
import { parseCount } from "../args.js";
import { startDashboard } from "../dashboard/server.js";
import type { CommandOutput, CommonOptions } from "../output.js";
import { resolveSocketPath } from "../socket-path.js";

export interface DashboardCommandOptions extends CommonOptions {
  port?: string;
  allowActions?: boolean;
}

export async function dashboard(options: DashboardCommandOptions): Promise<CommandOutput> {
  const port = options.port === undefined ? 0 : parseCount(options.port, "--port");
  if (port > 65535) throw new RelxError("RELX_BAD_ARGUMENT", `--port expects a port from 0 to 65535, got ${port}`, { hint: "e.g. --port 8080, or none for a free port" });
  const socket = await resolveSocketPath(options);
  await request(socket, { op: "ping" });
  const token = randomBytes(24).toString("base64url");
  const server = await startDashboard({ socket, token, port, allowActions: options.allowActions === true });
  // Listened for before the address is printed: whoever reads it may stop the dashboard at once,
  // before the next line of this function would run (a SIGTERM then killed it with no exit code).
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  // The address first, on one line; with --json as the command's one document.
  const listening = Number(new URL(server.url).port);
  process.stdout.write(options.json ? `${JSON.stringify({ ok: true, url: server.url, port: listening })}\n` : `dashboard: ${server.url}\n`);
  const signal = await stopped;
  await server.close();
  return { value: { stopped: true, signal }, text: () => "", jsonLines: [] };
}
