/** Commands that ask the running daemon: ping, status, call, cast, state (one, or --all), stop. */
import { readFileSync } from "node:fs";
import { closedUnanswered, request, socketOfRootDaemon } from "../../client/request.js";
import { pidFile } from "../../daemon/daemon-files.js";
import { RelxError } from "../../errors.js";
import type { StatusFields } from "../../protocol/ops.js";
import { parseCount, parseJsonArgument } from "../args.js";
import { nothingListens } from "../no-daemon.js";
import type { CommandOutput, CommonOptions } from "../output.js";
import { renderStates } from "../render-states.js";
import { renderStatus, SUMMARY_ABOVE } from "../render-status.js";
import { renderTable } from "../render-table.js";
import { resolveSocketPath } from "../socket-path.js";
import { waitForExit } from "../wait-exit.js";

export async function ping(options: CommonOptions): Promise<CommandOutput> {
  const result = await request(await resolveSocketPath(options), { op: "ping" });
  const vsn = result.vsn === undefined ? "" : `, vsn ${result.vsn}`;
  return { value: result, text: () => `pong (pid ${result.pid}${vsn})` };
}

export interface StatusOptions extends CommonOptions {
  /** Every process in the human table, however many. */
  all?: boolean;
  offset?: string;
  limit?: string;
  filter?: string;
}

/**
 * `relx status`: --json is the whole §6 shape unless a page is asked for (--offset, --limit,
 * --filter); the human table shows the first page above SUMMARY_ABOVE processes, unless --all.
 */
export async function status(options: StatusOptions): Promise<CommandOutput> {
  const page = statusPage(options);
  const paged = Object.keys(page).length > 0;
  const summarize = !paged && options.json !== true && options.all !== true;
  const result = await request(await resolveSocketPath(options), { op: "status", ...page, ...(summarize ? { limit: SUMMARY_ABOVE } : {}) });
  return { value: result, text: () => renderStatus(result, { firstPage: summarize && result.count > SUMMARY_ABOVE }) };
}

function statusPage(options: StatusOptions): StatusFields {
  const fields: StatusFields = {};
  if (options.offset !== undefined) fields.offset = parseCount(options.offset, "--offset");
  if (options.limit !== undefined) fields.limit = parseCount(options.limit, "--limit");
  if (options.filter !== undefined) fields.filter = options.filter;
  return fields;
}

export async function call(options: CommonOptions, processName: string, json: string): Promise<CommandOutput> {
  const msg = parseJsonArgument(json, "the message");
  const reply = await request(await resolveSocketPath(options), { op: "call", process: processName, msg });
  return jsonValue(reply);
}

export async function cast(options: CommonOptions, processName: string, json: string): Promise<CommandOutput> {
  const msg = parseJsonArgument(json, "the message");
  await request(await resolveSocketPath(options), { op: "cast", process: processName, msg });
  return { value: { ok: true }, text: () => `relx: cast to ${processName}` };
}

/** `relx state <process>`, or with `--all` every live process (the CLI refuses both or neither). */
export async function state(options: CommonOptions & { all?: boolean }, processName: string | undefined): Promise<CommandOutput> {
  const socket = await resolveSocketPath(options);
  if (options.all === true || processName === undefined) {
    const result = await request(socket, { op: "states" });
    return { value: result, text: () => renderStates(result) };
  }
  return jsonValue(await request(socket, { op: "state", process: processName }));
}

export async function config(options: CommonOptions): Promise<CommandOutput> {
  const result = await request(await resolveSocketPath(options), { op: "config" });
  const text = (): string => result.config.length === 0
    ? "relx: the app declares no config"
    : renderTable(["KEY", "ENV", "VALUE", "SOURCE"], result.config.map((c) => [c.key, c.env, JSON.stringify(c.value), c.source]));
  return { value: result, text };
}

export async function restart(options: CommonOptions, processName: string): Promise<CommandOutput> {
  const result = await request(await resolveSocketPath(options), { op: "restart", process: processName });
  return { value: result, text: () => `relx: restarted ${result.name} (${result.pid})` };
}

/**
 * Nothing listens on `socket`. When this root's daemon runs on another socket, it is not stopped,
 * so not exit 0: RELX_DAEMON_RUNNING naming that socket. Else `notRunning`.
 */
function notRunningHere(socket: string, notRunning: CommandOutput): CommandOutput {
  // The root's own lock, wherever the socket is (resolveSocketPath remembered it for `socket`).
  const elsewhere = socketOfRootDaemon(socket);
  if (elsewhere === null) return notRunning;
  throw new RelxError("RELX_DAEMON_RUNNING", `no daemon answers on ${socket}, but this root's daemon (pid ${elsewhere.pid}) runs on ${elsewhere.socket}; nothing was stopped`, {
    hint: `relx stop --socket ${elsewhere.socket}`,
  });
}

/**
 * Stops the daemon and returns once its process has exited. A node that is not running is not a
 * failure: stop exits 0 and says so (`stopped: false`), so that it can be run whatever the state.
 */
export async function stop(options: CommonOptions): Promise<CommandOutput> {
  const socket = await resolveSocketPath(options);
  const notRunning: CommandOutput = {
    value: { ok: true, stopped: false },
    text: () => `relx: no daemon is running on ${socket}; nothing to stop`,
  };
  // Read before asking: a daemon that another stop (or a signal) is already taking down may close
  // this connection unanswered, and removes its pid file before it does; this stop then waits for
  // that pid to exit, as if it had been answered.
  const seen = recordedPid(options.root);
  let result;
  for (let attempt = 0; ; attempt++) {
    try {
      // Resolves once the daemon has closed the connection, i.e. removed its socket and pid file.
      result = await request(socket, { op: "stop" }, { awaitClose: true });
      break;
    } catch (err) {
      if (nothingListens(err)) {
        if (attempt === 0 || seen === undefined) return notRunningHere(socket, notRunning);
        // It went away while this stop asked: stopped by whatever stopped it first.
        await waitForExit(seen);
        return { value: { ok: true, stopped: true, pid: seen }, text: () => `relx: stopped (pid ${seen})` };
      }
      // Closed unanswered (it was exiting): ask again, until it answers or nothing listens.
      if (!closedUnanswered(err) || attempt >= STOP_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  await waitForExit(result.pid);
  return { value: { ok: true, ...result }, text: () => `relx: stopped (pid ${result.pid})` };
}

/** How many times stop asks again a daemon that closed the connection unanswered. */
const STOP_ATTEMPTS = 50;

/** The pid in the root's pid file, if there is one to read. */
function recordedPid(root: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(root), "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A reply or a state: JSON either way, indented for people. */
function jsonValue(value: unknown): CommandOutput {
  return { value: value ?? null, text: () => JSON.stringify(value ?? null, null, 2) };
}
