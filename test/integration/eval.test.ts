// relx eval and relx remote against the real daemon: values, state read and replaced, throws,
// a synchronous loop cut off with the daemon carrying on, and console sessions piped and on a
// real terminal.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample } from "../fixtures/bank.js";
import { BIN } from "../support/paths.js";
import { PtySession } from "../support/pty.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";

let root: string;

beforeAll(async () => {
  root = tempRoot({ scope: "file" });
  copyExample(root);
  writeFileSync(join(root, "relx.config.json"), JSON.stringify({ evalTimeoutMs: 300 }));
  expect((await relx(root, ["build"])).code).toBe(0);
  expect((await relx(root, ["start"])).code).toBe(0);
});
afterAll(cleanupAllRoots);

/** `relx remote` with `input` piped to its standard input. */
function remote(input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "remote", "--root", root]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe("relx eval", () => {
  it("shows a pid as <0.N.0>, as status and state do, not as the Pid object's fields", async () => {
    const r = await relx(root, ["eval", '({ pid: whereis("blackode") })']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\{ pid: <0\.\d+\.0> \}\n$/);
  });

  it("prints a value, reads and replaces a process's state, and is logged", async () => {
    expect((await relx(root, ["eval", "6 * 7"])).stdout).toBe("42\n");
    expect((await relxJson(root, ["eval", 'const s = await sys.getState("blackode"); s.money'])).json).toBe(30000);
    expect((await relxJson(root, ["eval", 'await sys.replaceState("blackode", (s) => ({ ...s, money: 1 }))'])).json).toEqual({ name: "blackode", money: 1 });
    expect((await relxJson(root, ["call", "blackode", '{"add":1}'])).json).toBe("1 added to blackode ");
    expect((await relxJson(root, ["state", "blackode"])).json).toEqual({ name: "blackode", money: 2 });
    expect((await relxJson(root, ["eval", "(await status()).vsn"])).json).toBe("1.0.0");
    expect(readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8")).toContain("eval: 6 * 7");
  });

  it("exits 1 on a throw, and cuts off a synchronous loop while the daemon carries on", async () => {
    const thrown = await relxJson(root, ["eval", 'throw new TypeError("nope")']);
    expect(thrown).toMatchObject({ code: 1, json: { ok: false, error: { code: "RELX_EVAL_FAILED", message: "TypeError: nope" } } });
    const loop = await relxJson(root, ["eval", "while (true) {}"]);
    expect(loop).toMatchObject({ code: 1, json: { error: { code: "RELX_EVAL_FAILED" } } });
    expect(loop.json.error.message).toContain("more than 300 ms");
    expect((await relxJson(root, ["call", "blackode", '{"add":1}'])).code).toBe(0);
  });

  it("reports what was thrown, and shows a value, even when reading or inspecting it throws", async () => {
    const getter = await relxJson(root, ["eval", 'throw { name: "Odd", get message() { throw new Error("no message") } }']);
    expect(getter).toMatchObject({ code: 1, json: { ok: false, error: { code: "RELX_EVAL_FAILED" } } });
    expect(getter.json.error.message).toMatch(/^uncaught /);
    const code = await relxJson(root, ["eval", 'throw { get code() { throw new Error("no code") } }']);
    expect(code).toMatchObject({ code: 1, json: { ok: false, error: { code: "RELX_EVAL_FAILED" } } });
    const custom = 'throw { [Symbol.for("nodejs.util.inspect.custom")]() { throw new Error("no inspect") } }';
    expect(await relxJson(root, ["eval", custom])).toMatchObject({ code: 1, json: { ok: false, error: { code: "RELX_EVAL_FAILED", message: "uncaught an object" } } });
    const value = await relx(root, ["eval", '({ n: 1, [Symbol.for("nodejs.util.inspect.custom")]() { throw new Error("no inspect") } })']);
    expect(value.code, value.stderr).toBe(0);
    expect(value.stdout).toBe('{"n":1}\n');
    expect((await relxJson(root, ["call", "blackode", '{"add":1}'])).code).toBe(0);
  });
});

describe("relx remote with piped input", () => {
  it("evaluates entries in turn, a multi-line function included, declarations persisting; leaving leaves the daemon up", async () => {
    const run = await remote('const base = 40\nfunction add(a,\n  b) {\n  return a + b;\n}\nadd(base, 2)\n(await status()).name\n');
    expect(run.stderr).toBe("");
    expect(run.stdout.split("\n")).toEqual(["undefined", "undefined", "42", "'bank'", ""]);
    expect(run.code).toBe(0);
    expect((await relx(root, ["ping"])).code).toBe(0);
  });

  it("prints each error on stderr and exits 1 when an entry threw", async () => {
    const run = await remote("missing()\n1 + 1\n");
    expect(run.stdout).toBe("2\n");
    expect(run.stderr).toMatch(/ReferenceError: missing is not defined/);
    expect(run.code).toBe(1);
  });
});

describe("relx remote on a terminal", () => {
  const session = () => new PtySession([process.execPath, BIN, "remote", "--root", root]);

  it("evaluates a value and a multi-line function, survives Ctrl-C while typing, and leaves with .exit, the daemon up", async () => {
    const pty = session();
    await pty.expect(/\.exit or Ctrl-D leaves[^\n]*\n/);
    await pty.expect(/relx> $/);
    pty.type("6 * 7\r");
    expect(await pty.expect(/relx> $/)).toMatch(/^6 \* 7\r+\n42\r\n/);
    pty.type("function add(a,\r");
    await pty.expect(/\.\.\. {3}$/);
    pty.type("  b) {\r");
    await pty.expect(/\.\.\. {3}$/);
    pty.type("  return a + b;\r}\r");
    expect(await pty.expect(/relx> $/)).toMatch(/undefined\r\n/);
    pty.type("add(40, 2)\r");
    expect(await pty.expect(/relx> $/)).toMatch(/\n42\r\n/);
    // Ctrl-C drops the unfinished entry; the console reads on (readline alone would pause).
    pty.type("add(1,\r");
    await pty.expect(/\.\.\. {3}$/);
    pty.type("\x03");
    await pty.expect(/\^C\r\n(\r|\x1b\[[0-9;]*[A-Za-z])*relx> $/);
    pty.type("(await status()).name\r");
    expect(await pty.expect(/relx> $/)).toMatch(/\n'bank'\r\n/);
    pty.type(".exit\r");
    expect(await pty.exited).toBe(0);
    expect((await relx(root, ["ping"])).code).toBe(0);
    expect(readFileSync(join(root, ".relx", "remote_history"), "utf8")).toContain("function add(a, ");
  });

  it("leaves with Ctrl-D, and with Ctrl-C on an entry that never settles; the daemon carries on", async () => {
    const first = session();
    await first.expect(/relx> $/);
    first.type("\x04");
    expect(await first.exited).toBe(0);

    const second = session();
    await second.expect(/relx> $/);
    second.type("await new Promise(() => {})\r");
    await second.expect(/\r\n/);
    second.type("\x03");
    await second.expect(/interrupted: relx remote leaves/);
    expect(await second.exited).toBe(1);
    expect((await relxJson(root, ["call", "blackode", '{"add":1}'])).code).toBe(0);
  });
});
