/**
 * `relx eval` and `relx remote`: JavaScript run inside the daemon, with the runtime in scope
 * (call, cast, send, whereis, sys, status()). Each entry is a script in a vm context of its own
 * session, so declarations persist from one entry to the next of a `remote` console; its value is
 * the last expression statement's, a promise awaited. Top-level `await` is allowed: such an entry
 * is rewritten (acorn finds its statements) into an async function that returns its last
 * expression, its top-level declarations becoming the context's globals, as Node's REPL does.
 *
 * Bounded: the synchronous part of an entry runs under vm's `timeout` (evalTimeoutMs), so a
 * `while (true) {}` is cut off and the daemon carries on; an `await` that never settles is left to
 * the client (Ctrl-C closes the connection). Every entry is logged.
 */
import { inspect } from "node:util";
import vm from "node:vm";
import { parse, type Node } from "acorn";
import { RelxError, describeValue } from "../errors.js";
import type { Session } from "../protocol/ops.js";
import type { EvalResult } from "../protocol/results.js";
import { call, cast, send, sys, whereis } from "../index.js";
import * as host from "../runtime/host.js";

export interface EvalOptions {
  code: string;
  timeoutMs: number;
  /** The node's status, for `status()` in scope. */
  status(): Promise<unknown>;
  log(line: string): void;
}

const contexts = new WeakMap<Session, vm.Context>();

/** Throws RELX_EVAL_FAILED with the thrown value's message (a syntax error says so). */
export async function evaluate(session: Session, options: EvalOptions): Promise<EvalResult> {
  const context = contextOf(session, options);
  options.log(`eval: ${options.code.length > 200 ? options.code.slice(0, 200) + "…" : options.code}`);
  let value: unknown;
  try {
    value = await runEntry(context, options);
  } catch (err) {
    throw evalFailed(err, options.timeoutMs);
  }
  const rendered = host.renderValue(value);
  return { value: rendered, text: value === undefined ? "undefined" : shown(value, rendered), names: namesIn(context) };
}

/**
 * The value as Node's REPL shows it; a value whose own inspection throws (a custom inspect
 * method, a getter or proxy trap) is shown by its rendering instead: user code never fails an
 * entry that ran.
 */
function shown(value: unknown, rendered: unknown): string {
  try {
    return inspect(value, { depth: 4, breakLength: 100 });
  } catch {
    return JSON.stringify(rendered) ?? "undefined";
  }
}

function contextOf(session: Session, options: EvalOptions): vm.Context {
  let context = contexts.get(session);
  if (context === undefined) {
    context = vm.createContext({ call, cast, send, whereis, sys, status: options.status, console });
    contexts.set(session, context);
  }
  return context;
}

async function runEntry(context: vm.Context, options: EvalOptions): Promise<unknown> {
  const { code, timeoutMs } = options;
  const script = compile(code);
  const result = script.runInContext(context, { timeout: timeoutMs, displayErrors: false });
  return result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function" ? await result : result;
}

/** The entry as a script: as written, or (with a top-level await) rewritten into an async function. */
function compile(code: string): vm.Script {
  try {
    return new vm.Script(code, { filename: "relx-eval" });
  } catch (err) {
    if (!(err instanceof SyntaxError) || !/await/.test(code)) throw err;
  }
  return new vm.Script(rewriteAwait(code), { filename: "relx-eval" });
}

interface Located extends Node {
  type: string;
  kind?: string;
  declarations?: { id: { type: string; name?: string }; init: Node | null }[];
  id?: { name: string } | null;
  expression?: Node;
}

function rewriteAwait(code: string): string {
  const program = parse(code, { ecmaVersion: "latest", allowAwaitOutsideFunction: true, sourceType: "script" }) as unknown as { body: Located[] };
  let out = "";
  let at = 0;
  const body = program.body;
  body.forEach((stmt, i) => {
    out += code.slice(at, stmt.start);
    const text = code.slice(stmt.start, stmt.end);
    if (stmt.type === "VariableDeclaration" && stmt.declarations!.every((d) => d.id.type === "Identifier")) {
      out += stmt.declarations!.map((d) => `globalThis.${d.id.name} = ${d.init ? code.slice(d.init.start, d.init.end) : "undefined"};`).join(" ");
    } else if (stmt.type === "FunctionDeclaration" && stmt.id) {
      out += `globalThis.${stmt.id.name} = ${text};`;
    } else if (i === body.length - 1 && stmt.type === "ExpressionStatement") {
      out += `return (${code.slice(stmt.expression!.start, stmt.expression!.end)});`;
    } else {
      out += text;
    }
    at = stmt.end;
  });
  return `(async () => {${out}${code.slice(at)}\n})()`;
}

function namesIn(context: vm.Context): string[] {
  return Object.getOwnPropertyNames(context).filter((n) => n !== "console").sort();
}

function evalFailed(err: unknown, timeoutMs: number): RelxError {
  if (read(err, "code") === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
    return new RelxError("RELX_EVAL_FAILED", `the entry ran for more than ${timeoutMs} ms and was cut off; the daemon carries on`, {
      hint: "evalTimeoutMs in relx.config.json sets the bound",
    });
  }
  // An error thrown in the entry's context is of that context's Error class: check its shape.
  const name = read(err, "name");
  const message = read(err, "message");
  let text: string;
  if (typeof name === "string" && typeof message === "string") text = `${name}: ${message}`;
  else {
    try {
      text = `uncaught ${inspect(err)}`;
    } catch {
      text = `uncaught ${describeValue(err)}`;
    }
  }
  return new RelxError("RELX_EVAL_FAILED", text, { cause: err, hint: "fix the code and run it again" });
}

/** A field of what was thrown, or undefined when there is none or reading it throws (a getter, a proxy). */
function read(err: unknown, key: "code" | "name" | "message"): unknown {
  if (err === null || typeof err !== "object") return undefined;
  try {
    return (err as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}
