// One JSON habit: with --json, a command prints one JSON document, or (logs, start --foreground,
// remote) one JSON object per line, and nothing else on stdout. These are the long-running and
// streaming commands, where a second document or a stray text line slipped in; docs/json.md lists
// every command's shape.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtExample, copyExample } from "../fixtures/bank.js";
import { BIN } from "../support/paths.js";
import { relx } from "../support/relx.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";

let root: string;

beforeAll(async () => {
  root = tempRoot({ scope: "file" });
  await builtExample(root);
});
afterAll(cleanupAllRoots);

interface Child {
  stdout: () => string;
  stderr: () => string;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

/** `relx <args> --root <root>` as a child, `input` (if any) written to its stdin and closed. */
function run(args: string[], input?: string): Child {
  const child = spawn(process.execPath, [BIN, ...args, "--root", root], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, RELX_SOCKET: undefined } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  if (input === undefined) child.stdin.end();
  else child.stdin.end(input);
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { stdout: () => stdout, stderr: () => stderr, kill: (s) => child.kill(s), exited };
}

/** Every line of `text` parsed; fails naming the line that is not JSON. */
function ndjson(text: string): unknown[] {
  expect(text.endsWith("\n"), JSON.stringify(text)).toBe(true);
  return text.slice(0, -1).split("\n").map((line) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new Error(`not a JSON line: ${JSON.stringify(line)} in\n${text}`);
    }
  });
}

describe("--json", () => {
  it("start --foreground: every stdout line is a log entry as relx logs --json has it, and nothing else", async () => {
    const fg = run(["start", "--foreground", "--json"]);
    await waitFor(() => fg.stdout().includes('"message":"ready: bank 1.0.0"'), "the foreground node to be ready");
    expect((await relx(root, ["call", "blackode", '{"add":1}'])).code).toBe(0);
    fg.kill("SIGTERM");
    expect(await fg.exited, fg.stderr()).toBe(0);
    const entries = ndjson(fg.stdout()) as { at: string; message: string }[];
    expect(entries.every((e) => typeof e.at === "string" && typeof e.message === "string")).toBe(true);
    expect(entries[0]!.message).toMatch(/^starting daemon/);
    expect(entries.at(-1)!.message).toBe("stopped (exit 0)");
    // The file has the same entries, as text: relx logs --json reads them back alike.
    const logged = ndjson((await relx(root, ["logs", "-n", String(entries.length), "--json"])).stdout);
    expect(logged).toEqual(entries);
  });

  it("start --foreground that cannot boot: the log entries, then the failure document", async () => {
    const other = tempRoot();
    copyExample(other);
    const fg = spawn(process.execPath, [BIN, "start", "--foreground", "--json", "--root", other], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    fg.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    expect(await new Promise((resolve) => fg.once("close", resolve))).toBe(1);
    const lines = ndjson(stdout);
    expect(lines.at(-1)).toMatchObject({ ok: false, error: { code: "RELX_NO_RELEASES" } });
    expect(lines.slice(0, -1).every((l) => typeof (l as { at?: unknown }).at === "string")).toBe(true);
  });

  it("remote: line n is entry n's value or failure document, with no final line", async () => {
    expect((await relx(root, ["start"])).code).toBe(0);
    const remote = run(["remote", "--json"], 'const s = await status()\ns.vsn\nnope()\n({ n: 1 })\n');
    expect(await remote.exited).toBe(1);
    const lines = ndjson(remote.stdout());
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 2)).toEqual([null, "1.0.0"]);
    expect(lines[2]).toMatchObject({ ok: false, error: { code: "RELX_EVAL_FAILED", message: expect.stringContaining("nope is not defined") } });
    expect(lines[3]).toEqual({ n: 1 });
    expect(remote.stderr()).toBe("");
  });

  it("bridge: stdout carries the daemon's answers and nothing after them", async () => {
    const child = spawn(process.execPath, [BIN, "bridge", "--json", "--root", root], { stdio: ["pipe", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise((resolve) => child.once("close", resolve));
    // The input ends right after the requests, before the daemon link is even open: what was
    // sent is still answered, then the bridge closes the link and exits.
    child.stdin.end('{"id":1,"op":"ping"}\n{"id":2,"op":"ping"}\n');
    expect(await exited).toBe(0);
    const lines = ndjson(stdout);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ id: 1, ok: true, result: { pong: true } });
    expect(lines[1]).toMatchObject({ id: 2, ok: true, result: { pong: true } });
  });

  it("dashboard: one document with the address once it listens, nothing when it stops", async () => {
    const dashboard = run(["dashboard", "--json"]);
    await waitFor(() => dashboard.stdout().includes("\n"), "the dashboard's address");
    dashboard.kill("SIGTERM");
    expect(await dashboard.exited).toBe(0);
    const lines = ndjson(dashboard.stdout());
    expect(lines).toHaveLength(1);
    const doc = lines[0] as { ok: boolean; url: string; port: number };
    expect(doc.ok).toBe(true);
    expect(doc.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${doc.port}/\\?token=\\S+$`));
  });
});
