// relx eval and relx remote against the real daemon: values, state read and replaced, throws,
// a synchronous loop cut off with the daemon carrying on, and a piped console session.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample } from "../fixtures/bank.js";
import { BIN } from "../support/paths.js";
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
