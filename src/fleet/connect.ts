/**
 * Reaching a host: `ssh <host sshArgs> <fleet sshArgs> <dest> '<relx> bridge --root <root>'`, or
 * for a host without `ssh` the local relx's bridge on that root. Either way a Session over the
 * child's stdin/stdout, checked with `bridge.hello` before it is handed out.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { RelxError } from "../errors.js";
import { Session } from "../client/session.js";
import type { Fleet, FleetHost } from "./fleet-file.js";

const BIN = fileURLToPath(new URL("../../bin/relx", import.meta.url));

export interface HostLink {
  host: FleetHost;
  session: Session;
  /** Ends the session (the bridge closes its daemon connection) and waits for the child. */
  close(): Promise<void>;
}

/** POSIX shell quoting: one word, whatever it holds. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The argv that runs `command` (a shell string) on `host`: ssh's, or a local shell for a local root. */
export function hostArgv(fleet: Fleet, host: FleetHost, command: string): string[] {
  if (host.ssh === undefined) return ["/bin/sh", "-c", command];
  return ["ssh", ...host.sshArgs, ...fleet.sshArgs, "--", host.ssh, command];
}

export function bridgeArgv(fleet: Fleet, host: FleetHost): string[] {
  if (host.ssh === undefined) return [process.execPath, BIN, "bridge", "--root", host.root];
  return hostArgv(fleet, host, `${fleet.relx} bridge --root ${shellQuote(host.root)}`);
}

/** Opens a session to `host`. Throws RELX_HOST_UNREACHABLE with ssh's (or the bridge's) last words. */
export async function connectHost(fleet: Fleet, host: FleetHost): Promise<HostLink> {
  const [cmd, ...args] = bridgeArgv(fleet, host);
  const child = spawn(cmd!, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  let exit: string | undefined;
  child.stderr!.on("data", (c: Buffer) => void (stderr = (stderr + c.toString()).slice(-4000)));
  child.on("error", (err) => void (exit = err.message));
  const exited = new Promise<void>((done) => child.on("close", (code, signal) => {
    exit ??= signal ? `killed by ${signal}` : `exit ${code}`;
    done();
  }));
  const session = new Session({
    input: child.stdout!,
    output: child.stdin!,
    ended: exited,
    closedReason: () => `host ${host.name}: ${describeReach(host)} ended (${exit ?? "closed"})${lastLine(stderr)}`,
  });
  const close = async (): Promise<void> => {
    child.stdin!.end();
    await exited;
  };
  try {
    await session.send({ op: "bridge.hello" });
  } catch (err) {
    child.kill("SIGKILL");
    // A shared connection's master holds copies of the pipes: let go of ours so "close" comes.
    for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy();
    await exited;
    session.close();
    const e = err instanceof RelxError && err.code === "RELX_HOST_UNREACHABLE" ? err : undefined;
    throw e ?? new RelxError("RELX_HOST_UNREACHABLE", `host ${host.name}: the bridge did not answer: ${(err as Error).message}`, { cause: err });
  }
  return { host, session, close };
}

function describeReach(host: FleetHost): string {
  return host.ssh === undefined ? `the local bridge on ${host.root}` : `ssh ${host.ssh}`;
}

function lastLine(stderr: string): string {
  const line = stderr.trim().split("\n").pop();
  return line ? `: ${line}` : "";
}
