/**
 * `relx eval <code>` and `relx remote`: JavaScript evaluated inside the daemon (daemon/eval.ts).
 * The console lives here, in the client: line editing, history and completion come from
 * node:readline; each complete entry is sent to the daemon on one connection, so declarations
 * persist from entry to entry. `.exit`, Ctrl-D (or two Ctrl-C) leave. With standard input not a
 * terminal, it prints no banner or prompt, only each entry's value (stdout) and each error
 * (stderr), and exits 1 if any entry threw.
 */
import { closeSync, constants, openSync, readFileSync, writeSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import readline from "node:readline";
import vm from "node:vm";
import { RelxError, toRelxError } from "../../errors.js";
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
  const input = new ConsoleState(rl, tty);
  if (tty) {
    process.stdout.write("relx remote: JavaScript inside the daemon; call, cast, send, whereis, sys and status() are in scope. .exit or Ctrl-D leaves (the daemon runs on).\n");
    rl.prompt();
  }
  let failures = 0;
  for await (const line of rl) {
    const entry = input.take(line);
    if (entry === null) continue;
    if (entry.trim() === ".exit") break;
    if (tty) appendHistory(historyFile, entry);
    try {
      const result = await input.whileRunning(connection.eval(entry));
      if (result === INTERRUPTED) {
        failures++;
        process.stderr.write("\ninterrupted: relx remote leaves; the entry may still be running in the daemon (see relx logs)\n");
        break;
      }
      names = [...new Set([...IN_SCOPE, ...result.names])];
      process.stdout.write(`${options.json ? JSON.stringify(result.value ?? null) : result.text}\n`);
    } catch (err) {
      failures++;
      // With --json, line n of stdout is entry n's outcome: its value, or the failure document.
      if (options.json) process.stdout.write(`${JSON.stringify({ ok: false, error: toRelxError(err).toWire() })}\n`);
      else process.stderr.write(`${err instanceof RelxError ? err.message : String(err)}\n`);
    }
    input.prompt();
  }
  rl.close();
  connection.close();
  return { value: null, text: () => "", jsonLines: [], exitCode: failures > 0 ? EXIT_FAILED : 0 };
}

const INTERRUPTED = Symbol("interrupted");

/**
 * The console's input side: lines gathered into entries (an unfinished one continues on the next
 * line), prompts, and Ctrl-C as Node's REPL has it, which readline leaves to its user (with no
 * listener it pauses the input, and the console hangs):
 *
 *   Ctrl-C while          does
 *   an entry runs         stops waiting for it and leaves (the daemon cannot be interrupted)
 *   typing an entry       drops what was typed of it, prompts afresh
 *   at an empty prompt    says how to leave; a second Ctrl-C in a row leaves
 */
class ConsoleState {
  private pending = "";
  private interrupts = 0;
  private interrupt: (() => void) | null = null;

  constructor(private readonly rl: readline.Interface, private readonly tty: boolean) {
    rl.on("SIGINT", () => this.onInterrupt());
  }

  /** The entry `line` completes, or null while it is unfinished (or blank). */
  take(line: string): string | null {
    this.interrupts = 0;
    this.pending = this.pending === "" ? line : `${this.pending}\n${line}`;
    if (this.pending.trim() === "") {
      this.pending = "";
      this.prompt();
      return null;
    }
    if (isIncomplete(this.pending)) {
      this.prompt("...   ");
      return null;
    }
    const entry = this.pending;
    this.pending = "";
    return entry;
  }

  /** `running`'s result, or INTERRUPTED once Ctrl-C is pressed while it runs. */
  async whileRunning<T>(running: Promise<T>): Promise<T | typeof INTERRUPTED> {
    const interrupted = new Promise<typeof INTERRUPTED>((resolve) => (this.interrupt = () => resolve(INTERRUPTED)));
    try {
      return await Promise.race([running, interrupted]);
    } finally {
      this.interrupt = null;
    }
  }

  prompt(text = "relx> "): void {
    if (!this.tty) return;
    this.rl.setPrompt(text);
    this.rl.prompt();
  }

  private onInterrupt(): void {
    if (this.interrupt !== null) return this.interrupt();
    if (this.pending !== "" || this.rl.line !== "") {
      this.pending = "";
      this.interrupts = 0;
      this.rl.write(null, { ctrl: true, name: "e" });
      this.rl.write(null, { ctrl: true, name: "u" });
      process.stdout.write("^C\n");
      return this.prompt();
    }
    if (++this.interrupts >= 2) return void this.rl.close();
    process.stdout.write("^C\n(to leave, press Ctrl-C again or Ctrl-D, or type .exit)\n");
    this.prompt();
  }
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
