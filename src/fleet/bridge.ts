/**
 * `relx bridge`: the fleet's transport. Standard input and output become one connection to the
 * root's daemon socket (NDJSON both ways, untouched), so a coordinator reaches a host through
 * `ssh <host> relx bridge --root <root>` with no port opened. Requests whose op starts with
 * `bridge.` are the bridge's own and never reach the daemon (docs/protocol.md, "The bridge"):
 *
 * | op             | fields                        | result                                   |
 * |----------------|-------------------------------|------------------------------------------|
 * | `bridge.hello` | —                             | `{ bridge: 1, root }`                    |
 * | `bridge.push`  | `data` (base64), `last?`      | not last: `{ bytes }`; last: `{ vsn, pushed: "installed" \| "present" }` |
 *
 * The daemon connection is opened at the first daemon request (a push needs no daemon) and lives
 * until standard input ends and every request sent has its answer; closing it is what tells a
 * prepared daemon to roll back.
 *
 *   daemon link   on a daemon request           on the socket's close
 *   none          connect, queue the line        —
 *   connecting    queue the line                 answer queued/pending with RELX_NO_DAEMON → none
 *   open          write the line                 answer pending with RELX_NO_DAEMON → none
 */
import net from "node:net";
import type { Readable, Writable } from "node:stream";
import { RelxError, toRelxError } from "../errors.js";
import { LineSplitter } from "../protocol/line-splitter.js";
import { PushReceiver } from "./push-receiver.js";

export interface BridgeOptions {
  root: string;
  socketPath: string;
  input: Readable;
  output: Writable;
}

type Id = number | string | null;

/** Runs the bridge until `input` ends; resolves once the daemon link is closed. */
export function runBridge(options: BridgeOptions): Promise<void> {
  const { output } = options;
  const write = (value: unknown): void => void output.write(JSON.stringify(value) + "\n");
  const fail = (id: Id, err: unknown): void => write({ id, ok: false, error: toRelxError(err).toWire() });
  const push = new PushReceiver(options.root);
  let local = Promise.resolve();
  let link: net.Socket | undefined;
  let connected = false;
  let queued: string[] = [];
  const pending = new Map<string, Id>();
  /** Set once standard input ended: the link is closed as soon as nothing is on its way. */
  let ending: (() => void) | null = null;
  const endIfDone = (): void => {
    if (ending !== null && connected && queued.length === 0 && pending.size === 0) link!.end();
  };

  const dropLink = (why: string): void => {
    const lost = new RelxError("RELX_NO_DAEMON", `no daemon answers on ${options.socketPath} (${why})`, { hint: "start it with `relx start`" });
    for (const id of pending.values()) fail(id, lost);
    pending.clear();
    queued = [];
    link = undefined;
    connected = false;
  };

  const toDaemon = (line: string, id: Id): void => {
    pending.set(JSON.stringify(id), id);
    if (connected) return void link!.write(line + "\n");
    queued.push(line);
    if (link) return;
    const socket = net.createConnection(options.socketPath);
    link = socket;
    const splitter = new LineSplitter({
      maxBytes: Infinity,
      onTooLong: () => undefined,
      onLine(answer) {
        pending.delete(JSON.stringify(idOf(answer)));
        output.write(answer + "\n");
        endIfDone();
      },
    });
    socket.on("connect", () => {
      connected = true;
      for (const l of queued) socket.write(l + "\n");
      queued = [];
      endIfDone();
    });
    socket.on("data", (chunk: Buffer) => splitter.push(chunk));
    let why = "closed";
    socket.on("error", (err: NodeJS.ErrnoException) => void (why = err.code ?? err.message));
    socket.on("close", () => link === socket && dropLink(why));
  };

  const onLine = (line: string): void => {
    if (line.trim() === "") return;
    let request: { id?: Id; op?: unknown; [k: string]: unknown };
    try {
      request = JSON.parse(line);
    } catch {
      return toDaemon(line, null); // the daemon answers a malformed line as the protocol says
    }
    const id = request?.id ?? null;
    if (typeof request?.op !== "string" || !request.op.startsWith("bridge.")) return toDaemon(line, id);
    local = local.then(async () => {
      try {
        write({ id, ok: true, result: await bridgeOp(request, options.root, push) });
      } catch (err) {
        fail(id, err);
      }
    });
  };

  return new Promise((done) => {
    const splitter = new LineSplitter({ maxBytes: Infinity, onTooLong: () => undefined, onLine });
    options.input.on("data", (chunk: Buffer) => splitter.push(chunk));
    options.input.on("end", () => {
      void local.then(() => push.discard()).then(() => {
        if (!link) return done();
        // Requests already sent (or still connecting) are answered first, then the link closes.
        link.once("close", () => done());
        ending = done;
        endIfDone();
      });
    });
  });
}

async function bridgeOp(request: Record<string, unknown>, root: string, push: PushReceiver): Promise<unknown> {
  switch (request.op) {
    case "bridge.hello":
      return { bridge: 1, root };
    case "bridge.push":
      if (typeof request.data !== "string") {
        throw new RelxError("RELX_BAD_REQUEST", "bridge.push: expected data to be a base64 string");
      }
      return push.chunk(request.data, request.last === true);
    default:
      throw new RelxError("RELX_UNKNOWN_OP", `unknown bridge op ${JSON.stringify(request.op)}`, {
        hint: "the bridge's own ops are bridge.hello and bridge.push",
      });
  }
}

function idOf(line: string): Id {
  try {
    return (JSON.parse(line) as { id?: Id }).id ?? null;
  } catch {
    return null;
  }
}
