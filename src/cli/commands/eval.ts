/**
 * `relx eval <code>` and `relx remote`: JavaScript evaluated inside the daemon (daemon/eval.ts).
 * The console lives here, in the client: line editing, history and completion come from
 * node:readline; each complete entry is sent to the daemon on one connection, so declarations
 * persist from entry to entry. With standard input not a terminal, it prints no banner or prompt,
 * only each entry's value (stdout) and each error (stderr), and exits 1 if any entry threw.
 */
import { closeSync, constants, openSync, readFileSync, writeSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import readline from "node:readline";
import vm from "node:vm";
import { RelxError } from "../../errors.js";
import { request } from "../../client/request.js";
import { Session } from "../../client/session.js";
import type { EvalResult } from "../../protocol/results.js";
import { EXIT_FAILED, type CommandOutput, type CommonOptions } from "../output.js";
import { resolveSocketPath } from "../socket-path.js";

export async function evalCode(options: CommonOptions, code: string): Promise<CommandOutput> {
  const result = await request(await resolveSocketPath(options), { op: "eval", code });
  return { value: result.value, text: () => result.text };
}

const IN_SCOPE = ["call", "cast", "send", "whereis", "sys", "status"];

export async function remote(options: CommonOptions): Promise<CommandOutput> {
  const connection = await EvalConnection.open(await resolveSocketPath(options));
  const tty = process.stdin.isTTY === true;
  let names = IN_SCOPE;
  const historyFile = join(options.root, ".relx", "remote_history");
  const rl = readline.createInterface({
    input: process.stdin,
    output: tty ? process.stdout : undefined,
    terminal: tty,
    prompt: "relx> ",
    history: tty ? loadHistory(historyFile) : [],
    completer: (line: string) => {
      const word = /[A-Za-z_$][\w$]*$/.exec(line)?.[0] ?? "";
      const hits = names.filter((n) => n.startsWith(word));
      return [hits, word];
    },
  });
  if (tty) {
    process.stdout.write("relx remote: JavaScript inside the daemon; call, cast, send, whereis, sys and status() are in scope. Ctrl-D leaves (the daemon runs on).\n");
    rl.prompt();
  }
  let pending = "";
  let failures = 0;
  for await (const line of rl) {
    pending = pending === "" ? line : `${pending}\n${line}`;
    if (pending.trim() === "" || isIncomplete(pending)) {
      if (tty) rl.setPrompt(pending.trim() === "" ? "relx> " : "...   ");
      if (tty) rl.prompt();
      if (pending.trim() === "") pending = "";
      continue;
    }
    const entry = pending;
    pending = "";
    if (tty) appendHistory(historyFile, entry);
    try {
      const result = await connection.eval(entry);
      names = [...new Set([...IN_SCOPE, ...result.names])];
      process.stdout.write(`${options.json ? JSON.stringify(result.value) : result.text}\n`);
    } catch (err) {
      failures++;
      process.stderr.write(`${err instanceof RelxError ? err.message : String(err)}\n`);
    }
    if (tty) {
      rl.setPrompt("relx> ");
      rl.prompt();
    }
  }
  connection.close();
  return { value: null, text: () => "", exitCode: failures > 0 ? EXIT_FAILED : 0 };
}

/** True when `code` is the beginning of an entry that the next lines complete. */
function isIncomplete(code: string): boolean {
  for (const candidate of [code, `(async () => {${code}\n})`]) {
    try {
      new vm.Script(candidate);
      return false;
    } catch (err) {
      if (!(err instanceof SyntaxError)) return false;
      if (/Unexpected end of input|Unterminated (template|string)|missing \) after/.test(err.message)) return true;
    }
  }
  return false;
}

function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n").filter((l) => l !== "").reverse().slice(0, 500);
  } catch {
    return [];
  }
}

function appendHistory(file: string, entry: string): void {
  try {
    // Never through a symbolic link planted at the history's path (as the daemon's log is opened).
    const fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, entry.replace(/\n/g, " ") + "\n");
    } finally {
      closeSync(fd);
    }
  } catch {
    // No history is no reason to stop the console.
  }
}

/** One connection to the daemon, on which entries are evaluated in turn (so declarations persist). */
class EvalConnection {
  private constructor(private readonly socket: net.Socket, private readonly session: Session) {}

  static open(path: string): Promise<EvalConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(path);
      socket.once("connect", () => {
        const session = new Session({ input: socket, output: socket, closedReason: () => "the daemon closed the connection" });
        resolve(new EvalConnection(socket, session));
      });
      socket.once("error", (err: NodeJS.ErrnoException) => {
        reject(new RelxError("RELX_NO_DAEMON", `no daemon answers on ${path} (${err.code ?? err.message})`, { hint: "start it with `relx start`" }));
      });
    });
  }

  eval(code: string): Promise<EvalResult> {
    return this.session.send<EvalResult>({ op: "eval", code });
  }

  close(): void {
    this.socket.end();
  }
}
