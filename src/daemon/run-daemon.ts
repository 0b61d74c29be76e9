/**
 * The daemon's lifecycle, in the process that runs it (spawned by `relx start`, or in the CLI's
 * own process for `relx start --foreground`).
 *
 *   state     event                                  next
 *   starting  config loaded, root locked, socket     booting
 *             bound, pid file written
 *   booting   boot() resolves                        ready (runDaemon resolves)
 *   starting/ any failure                            logged; socket, pid file, lock removed;
 *   booting                                          runDaemon rejects (the caller exits 1)
 *   ready     SIGTERM / SIGINT / "stop" op           stopping: node.stop(), files removed, exit 0
 *
 * Requests other than ping and stop wait until boot is done. A stray error from user code
 * (uncaughtException, unhandledRejection) is logged and the daemon carries on; so is a
 * process.exit() from user code (exit-guard.ts).
 */
import { resolve } from "node:path";
import { RelxError, textOf, toRelxError } from "../errors.js";
import type { PingResult, StopResult } from "../protocol/results.js";
import { checkSocketPath } from "../protocol/socket-path.js";
import { loadConfig } from "../release/config.js";
import * as host from "../runtime/host.js";
import { pidFile, removePidFile, writePidFile, type Log } from "./daemon-files.js";
import { installExitGuard, type ExitGuard } from "./exit-guard.js";
import { captureOutput } from "./log/capture.js";
import { openDaemonLog, type DaemonLog } from "./log/daemon-log.js";
import { createReleaseNode, type ReleaseNode } from "./release-node.js";
import { takeRootLock, type RootLock } from "./root-lock.js";
import { startSocketServer, type SocketServer } from "./socket-server.js";

export interface DaemonOptions {
  root: string;
  /** Socket path (relative to the cwd); default: the config's `socket`, relative to the root. */
  socket?: string;
  /** Log to stdout as well as to .relx/log/daemon.log. */
  foreground: boolean;
  /** With `foreground`: stdout has each entry as text (default) or as one JSON object per line. */
  stdoutFormat?: "text" | "json";
  /** The env file of the app's config (absolute); overrides the config's envFile. */
  envFile?: string;
}

export interface DaemonReady {
  pid: number;
  name: string;
  vsn: string | undefined;
  socket: string;
}

/** Starts and boots the daemon; resolves once it serves requests. Throws the boot error (a RelxError). */
export async function runDaemon(options: DaemonOptions): Promise<DaemonReady> {
  const root = resolve(options.root);
  const daemonLog = openDaemonLog(root, options.foreground, options.stdoutFormat);
  const log = daemonLog.log;
  guardAgainstStrayErrors(log);
  const exitGuard = installExitGuard(log);
  // What user code prints is stamped with its process, awaits and timers included (the cost of
  // that, Node's promise hooks, is measured by bench/runtime-attribution.mjs).
  host.trackProcesses("async");
  const restoreOutput = captureOutput(daemonLog.print);
  log(`starting daemon (pid ${process.pid}, node ${process.version}) for ${root}`);
  const daemon = new Daemon(root, daemonLog, restoreOutput, exitGuard);
  try {
    return await daemon.start(options);
  } catch (err) {
    const error = toRelxError(err);
    log(`boot failed: ${describeFailure(err)}`);
    await daemon.cleanUp();
    exitGuard.remove();
    // The CLI of a foreground start reports the failure on the real stderr.
    restoreOutput();
    throw error;
  }
}

class Daemon {
  private node: ReleaseNode | undefined;
  private server: SocketServer | undefined;
  private rootLock: RootLock | undefined;
  private stopping: Promise<StopResult> | undefined;
  private readonly pidFile: string;
  private readonly log: Log;

  constructor(
    private readonly root: string,
    private readonly daemonLog: DaemonLog,
    private readonly restoreOutput: () => void,
    private readonly exitGuard: ExitGuard,
  ) {
    this.pidFile = pidFile(root);
    this.log = daemonLog.log;
  }

  async start(options: DaemonOptions): Promise<DaemonReady> {
    const config = await loadConfig(this.root);
    this.daemonLog.setMaxBytes(config.logMaxBytes);
    const socket = options.socket === undefined
      ? checkSocketPath(config.socket, this.root)
      : checkSocketPath(options.socket, process.cwd());
    this.rootLock = await takeRootLock(this.root, socket);
    const node = createReleaseNode({
      config,
      log: this.log,
      envFile: options.envFile,
      onFatal: (why) => void this.stop(why).then(() => this.exit(1)),
    });
    this.node = node;
    this.server = await startSocketServer({
      path: socket,
      handlers: {
        ...node.handlers,
        ping: () => this.ping(),
        // A stop that arrives mid-boot waits for boot, so the release node never stops half-booted.
        stop: () => node.booted.then(() => this.stop("stop request")),
      },
      afterAnswer: { stop: () => void this.exit(0) },
      log: this.log,
    });
    await writePidFile(this.pidFile, process.pid);
    this.log(`listening on ${socket}`);
    this.handleSignals();
    await node.boot();
    const vsn = this.vsn();
    this.log(`ready: ${config.name} ${vsn ?? "(unknown vsn)"}`);
    return { pid: process.pid, name: config.name, vsn, socket };
  }

  private ping(): PingResult {
    const vsn = this.vsn();
    return vsn === undefined ? { pong: true, pid: process.pid } : { pong: true, pid: process.pid, vsn };
  }

  /** The running vsn (cheap enough for every ping). */
  private vsn(): string | undefined {
    return this.node?.vsn;
  }

  stop(reason: string): Promise<StopResult> {
    this.stopping ??= (async () => {
      this.log(`stopping (${reason})`);
      try {
        await this.node?.stop();
      } catch (err) {
        this.log(`stopping the release failed: ${(err as Error).stack ?? String(err)}`);
      }
      return { stopped: true, pid: process.pid };
    })();
    return this.stopping;
  }

  async exit(code: number): Promise<void> {
    await this.cleanUp();
    this.log(`stopped (exit ${code})`);
    this.restoreOutput();
    this.daemonLog.close();
    this.exitGuard.exit(code);
  }

  /** Removes the pid file, the root lock and the socket; the client of a "stop" sees its connection close after. */
  async cleanUp(): Promise<void> {
    if (this.node !== undefined && this.stopping === undefined) await this.stop("boot failed");
    await removePidFile(this.pidFile, process.pid);
    await this.rootLock?.release();
    await this.server?.close();
  }

  private handleSignals(): void {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.on(signal, () => {
        if (this.stopping !== undefined) {
          this.log(`${signal} again while stopping: exiting now`);
          this.exitGuard.exit(1);
        }
        void this.stop(signal).then(() => this.exit(0));
      });
    }
  }
}

/** A user error by its code and message (and what caused it); anything else, a bug, with its stack. */
function describeFailure(err: unknown): string {
  if (!(err instanceof RelxError)) return (err as Error)?.stack ?? String(err);
  const cause = err.cause instanceof Error ? `\ncaused by ${err.cause.stack ?? err.cause.message}` : "";
  return `${err.code}: ${err.message}${cause}`;
}

function guardAgainstStrayErrors(log: Log): void {
  // One that comes from a process's own code crashes that process (its restart policy applies).
  // One relx can tell the source of but crashes nothing for (a dry run's codeChange) says whose it is.
  const whose = (): string => {
    const owner = host.strayOwner();
    return owner === null ? "" : ` (${owner})`;
  };
  process.on("uncaughtException", (err) => {
    const who = host.crashCurrent(err);
    if (who === null) log(`uncaught exception, daemon carries on${whose()}: ${textOf(err, true)}`);
  });
  process.on("unhandledRejection", (reason) => {
    const who = host.crashCurrent(reason);
    if (who === null) log(`unhandled rejection, daemon carries on${whose()}: ${textOf(reason, true)}`);
  });
}
