/**
 * The health checks of a rolling run, after each host of a batch moved (SPEC §13):
 *
 * - `--health '<command>'`: a shell command run with /bin/sh in the host's root directory, through
 *   ssh for an ssh host (the same options, so the same shared connection) or locally for a local
 *   root. Exit 0 is healthy.
 * - `--health-call '<process> [<json>]'`: a `call` to that process through the host's session
 *   (no other connection). Healthy when it answers, and the reply is neither `false` nor an
 *   object whose `ok` is `false`. The message defaults to `{}`.
 *
 * A check that fails throws RELX_HEALTH_FAILED naming the host, the check and what it got.
 */
import { execFile } from "node:child_process";
import { RelxError, toRelxError } from "../errors.js";
import type { Session } from "../client/session.js";
import { hostArgv, shellQuote } from "./connect.js";
import type { Fleet, FleetHost } from "./fleet-file.js";

const MOVED_BACK = "the host was moved back with the others; fix what the check found, then run the fleet command again";

/** Resolves when the command exits 0; throws RELX_HEALTH_FAILED with its exit status and last line otherwise. */
export function runHealth(fleet: Fleet, host: FleetHost, command: string): Promise<void> {
  const remote = `cd ${shellQuote(host.root)} && exec /bin/sh -c ${shellQuote(command)}`;
  const [cmd, ...args] = host.ssh === undefined ? ["/bin/sh", "-c", command] : hostArgv(fleet, host, remote);
  return new Promise((resolve, reject) => {
    execFile(cmd!, args, { cwd: host.ssh === undefined ? host.root : undefined, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const e = err as { code?: unknown; signal?: unknown };
      const status = typeof e.code === "number" ? `exit ${e.code}` : e.signal ? `killed by ${String(e.signal)}` : String(e.code ?? "did not run");
      const last = `${stderr}${stdout}`.trim().split("\n").pop();
      const via = host.ssh !== undefined && e.code === 255 ? " (255: ssh itself may have failed)" : "";
      reject(new RelxError("RELX_HEALTH_FAILED", `host ${host.name}: the health check \`${command}\` failed (${status}${via})${last ? `: ${last}` : ""}`, {
        hint: MOVED_BACK,
        cause: err,
      }));
    });
  });
}

export interface HealthCall {
  process: string;
  msg: unknown;
  /** As the user wrote it, for messages. */
  text: string;
}

/** Parses `--health-call '<process> [<json>]'`. Throws RELX_BAD_ARGUMENT. */
export function parseHealthCall(text: string): HealthCall {
  const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(text);
  if (!m) {
    throw new RelxError("RELX_BAD_ARGUMENT", `--health-call: expected '<process> [<json message>]', got ${JSON.stringify(text)}`, {
      hint: `e.g. --health-call 'counter {"health":true}'`,
    });
  }
  let msg: unknown = {};
  if (m[2]!.trim() !== "") {
    try {
      msg = JSON.parse(m[2]!);
    } catch (err) {
      throw new RelxError("RELX_BAD_ARGUMENT", `--health-call: the message after "${m[1]}" is not valid JSON: ${JSON.stringify(m[2]!.trim())} (${(err as Error).message})`, {
        hint: `quote the whole option for the shell, e.g. --health-call 'counter {"health":true}'`,
        cause: err,
      });
    }
  }
  return { process: m[1]!, msg, text: text.trim() };
}

/** Resolves when the call's reply is healthy; throws RELX_HEALTH_FAILED with the reply or the error otherwise. */
export async function callHealth(session: Session, host: FleetHost, check: HealthCall): Promise<void> {
  let reply: unknown;
  try {
    reply = await session.send({ op: "call", process: check.process, msg: check.msg });
  } catch (err) {
    const e = toRelxError(err);
    throw new RelxError("RELX_HEALTH_FAILED", `host ${host.name}: the health call \`${check.text}\` failed: ${e.code}: ${e.message}`, { hint: MOVED_BACK, cause: err });
  }
  const unhealthy = reply === false || (typeof reply === "object" && reply !== null && (reply as { ok?: unknown }).ok === false);
  if (unhealthy) {
    throw new RelxError("RELX_HEALTH_FAILED", `host ${host.name}: the health call \`${check.text}\` answered ${clip(JSON.stringify(reply))}`, { hint: MOVED_BACK });
  }
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
