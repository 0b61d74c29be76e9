/**
 * The daemon's client: one connection, one request, one answer. Kept to node:net and the
 * protocol so that `relx status` loads next to nothing.
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import { dirname, isAbsolute, join } from "node:path";
import { RelxError } from "../errors.js";
import { LineReader } from "../protocol/line-reader.js";
import { checkSocketPath } from "../protocol/socket-path.js";
import type { BodyOf, Op, ResultOf } from "../protocol/ops.js";
import type { Response } from "../protocol/types.js";


export interface RequestOptions {
  /** Resolve only once the daemon closes the connection (used by `stop`, which exits after answering). */
  awaitClose?: boolean;
}

/**
 * A result as requestText resolves it: `text`, the result's JSON (UTF-8) exactly as the daemon
 * wrote it, when the answer line had the daemon's own form; else `value`, the answer parsed as
 * request does.
 */
export type TextResult<T> = { text: Buffer; value?: undefined } | { text?: undefined; value: T };

/** How the daemon's encodeResponse begins an ok answer to request 1: JSON.stringify({ id, ok, result }). */
const OK_PREFIX = Buffer.from('{"id":1,"ok":true,"result":');
const CLOSE = 0x7d; // "}"

const NO_DAEMON_CODES = new Set(["ENOENT", "ECONNREFUSED", "ENOTSOCK", "ENOTDIR", "EACCES", "EPERM"]);

/**
 * Sends `body` to the daemon on `socketPath` and returns the result. Throws RELX_NO_DAEMON when
 * nothing answers, RELX_SOCKET_PATH_TOO_LONG, or the daemon's error rebuilt as a RelxError.
 */
export async function request<K extends Op>(socketPath: string, body: BodyOf<K>, options: RequestOptions = {}): Promise<ResultOf<K>> {
  return exchange(socketPath, body, options, false).then((r) => r.value!);
}

/**
 * request, but an ok answer's result comes back as the JSON text the daemon wrote, its bytes
 * neither decoded nor parsed: for results of megabytes (an upgrade of 100,000 processes) that the
 * CLI prints as they are. The
 * daemon writes each answer with JSON.stringify({ id, ok, result }), so the text between
 * `{"id":1,"ok":true,"result":` and the line's last `}` is JSON.stringify(result), byte for byte
 * what parsing it and stringifying it again would print. Any other line (an error answer, another
 * form) is parsed as request parses it.
 */
export async function requestText<K extends Op>(socketPath: string, body: BodyOf<K>): Promise<TextResult<ResultOf<K>>> {
  return exchange(socketPath, body, {}, true);
}

/** The root's daemon.lock of each socket path the CLI resolved for a root (rememberRootLock). */
const rootLocks = new Map<string, string>();

/**
 * `socketPath` is the one the CLI talks to for the root whose daemon.lock is `lockFile`: when
 * nothing answers there, the hint names the socket that root's daemon listens on, wherever the
 * socket is (a configured one need not be next to the lock, in .relx).
 */
export function rememberRootLock(socketPath: string, lockFile: string): void {
  rootLocks.set(socketPath, lockFile);
}

function exchange<K extends Op>(socketPath: string, body: BodyOf<K>, options: RequestOptions, asText: boolean): Promise<TextResult<ResultOf<K>>> {
  // The current directory only for a relative path: an absolute one works from a removed directory too.
  const path = checkSocketPath(socketPath, isAbsolute(socketPath) ? "/" : process.cwd());
  return new Promise((resolve, reject) => {
    let text: Buffer | undefined;
    let answer: Response | undefined;
    let settled = false;
    const settle = (error: RelxError | undefined): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error !== undefined) reject(error);
      else if (text !== undefined) resolve({ text });
      // The daemon's answer to op K is ResultOf<K>: the op table is the contract of both sides.
      else if (answer!.ok) resolve({ value: answer!.result as ResultOf<K> });
      else reject(errorFromAnswer(answer!));
    };
    // asText: the daemon's ok answer taken as it is (the text is a view of the reader's buffer,
    // which no later read writes over).
    const takeText = (line: Buffer): boolean => {
      const n = line.length;
      if (n <= OK_PREFIX.length + 1 || line[n - 1] !== CLOSE || OK_PREFIX.compare(line, 0, OK_PREFIX.length) !== 0) return false;
      text = line.subarray(OK_PREFIX.length, n - 1);
      answer = { id: 1, ok: true, result: undefined };
      if (!options.awaitClose) settle(undefined);
      return true;
    };
    const reader = new LineReader((bytes) => {
      if (answer !== undefined || (asText && takeText(bytes))) return;
      const line = bytes.toString("utf8");
      if (line.trim() === "") return;
      const parsed = parseAnswer(line.endsWith("\r") ? line.slice(0, -1) : line);
      if (parsed === undefined || (parsed.id !== 1 && parsed.id !== null)) return;
      answer = parsed;
      if (!options.awaitClose) settle(undefined);
    });
    const socket = net.createConnection({ path, onread: reader.onread() }, () => socket.write(JSON.stringify({ id: 1, ...body }) + "\n"));
    socket.on("error", (err: NodeJS.ErrnoException) => settle(answer ? undefined : connectError(path, err, rootLocks.get(socketPath))));
    socket.on("close", () => settle(answer ? undefined : closedEarly(path)));
  });
}

function parseAnswer(line: string): Response | undefined {
  try {
    const value = JSON.parse(line) as Response;
    if (typeof value !== "object" || value === null || typeof value.ok !== "boolean") return undefined;
    // An error answer with no error object is no answer: rebuilding it (errorFromAnswer) would
    // throw in the socket's read callback, an uncaught exception that ends the CLI with a stack.
    const error: unknown = (value as { error?: unknown }).error;
    return value.ok || (typeof error === "object" && error !== null) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The answer's error as a RelxError; its extra top-level fields (e.g. `rolledBack`) become its details. */
function errorFromAnswer(answer: Extract<Response, { ok: false }>): RelxError {
  const { id: _id, ok: _ok, error, ...details } = answer;
  return RelxError.fromWire(error, Object.keys(details).length > 0 ? details : undefined);
}

function connectError(path: string, err: NodeJS.ErrnoException, lockFile: string | undefined): RelxError {
  const code = err.code ?? "error";
  if (!NO_DAEMON_CODES.has(code)) {
    const lost = new RelxError("RELX_NO_DAEMON", `lost the daemon on ${path}: ${err.message}`, { cause: err });
    // The connection was made, and the daemon closed it before answering (it was exiting).
    if (code === "EPIPE" || code === "ECONNRESET") unanswered.add(lost);
    return lost;
  }
  const elsewhere = code === "ENOENT" || code === "ECONNREFUSED" ? socketOfRootDaemon(path, lockFile) : null;
  const hint = code === "EACCES" || code === "EPERM"
    ? "the socket belongs to another user: run relx as the daemon's owner"
    : elsewhere !== null
      ? `this root's daemon (pid ${elsewhere.pid}) listens on ${elsewhere.socket}: pass --socket ${elsewhere.socket} (or set RELX_SOCKET)`
      : "start it with `relx start`";
  return new RelxError("RELX_NO_DAEMON", `no daemon answers on ${path} (${code})`, { cause: err, hint });
}

/**
 * When the root's daemon.lock (`lockFile`; by default the one remembered for `path`, else the one
 * next to it, as for the default <root>/.relx/relx.sock) names a live daemon started on another
 * socket than `path` (`relx start --socket …`): that daemon. Else null.
 */
export function socketOfRootDaemon(path: string, lockFile = rootLocks.get(path) ?? join(dirname(path), "daemon.lock")): { pid: number; socket: string } | null {
  try {
    const holder = JSON.parse(readFileSync(lockFile, "utf8")) as { pid?: unknown; socket?: unknown };
    const { pid, socket } = holder;
    if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 0 || typeof socket !== "string" || socket === path) return null;
    process.kill(pid, 0);
    return { pid, socket };
  } catch {
    return null;
  }
}

function closedEarly(path: string): RelxError {
  const err = new RelxError("RELX_NO_DAEMON", `the daemon on ${path} closed the connection before answering`, {
    hint: "see .relx/log/daemon.log, then `relx start` if it stopped",
  });
  unanswered.add(err);
  return err;
}

const unanswered = new WeakSet<object>();

/** The daemon closed the connection with no answer (it was exiting, or died), rather than refusing it. */
export function closedUnanswered(err: unknown): boolean {
  return typeof err === "object" && err !== null && unanswered.has(err);
}
