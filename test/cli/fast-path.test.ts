// The fast path of `relx status`, `ping`, `call`, `upgrade` and `downgrade` (src/cli/fast-path.ts) against a real daemon
// of the bank example: for each command line, the same exit code, stdout and stderr as the full
// commander path (RELX_NO_FAST_PATH=1), byte for byte, on success and on failure; what the fast
// path declines goes to commander; and the fast path loads neither commander nor the full CLI
// (test/support/module-record records what each process resolves).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFast } from "../../src/cli/fast-path.js";
import { grouped } from "../../src/cli/render-status.js";
import { applyV2, builtExample } from "../fixtures/bank.js";
import { socketOf } from "../support/daemon.js";
import { REPO } from "../support/paths.js";
import { relx, relxJson, type RunResult } from "../support/relx.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

let root: string;
/** An app with no daemon running. */
let idle: string;
/** No package.json at all: a bad config. */
let empty: string;

const REGISTER = pathToFileURL(join(REPO, "test", "support", "module-record", "register.mjs")).href;

beforeAll(async () => {
  root = tempRoot({ scope: "file" });
  await builtExample(root);
  const r = await relx(root, ["start"]);
  expect(r.code, `relx start: ${r.stderr}`).toBe(0);
  idle = tempRoot({ scope: "file" });
  writeFiles(idle, { "package.json": JSON.stringify({ name: "bank", version: "1.0.0" }) });
  empty = tempRoot({ scope: "file" });
});
afterAll(cleanupAllRoots);

/** What varies between two runs of the same status: the daemon's uptime. */
function normalize(text: string): string {
  return text.replace(/("uptimeMs":)\d+/g, "$1…").replace(/^(daemon {8}pid \d+, up ).*$/gm, "$1…");
}

/** The command line both ways, fast path first; the outcomes must be the same, byte for byte. */
async function bothWays(at: string, args: string[]): Promise<RunResult> {
  const fast = await relx(at, args);
  const full = await relx(at, args, { env: { RELX_NO_FAST_PATH: "1" } });
  expect({ ...fast, stdout: normalize(fast.stdout) }, `relx ${args.join(" ")}`).toEqual({ ...full, stdout: normalize(full.stdout) });
  return fast;
}

/** What `relx <args>` resolved, as "<package|-> <specifier>" lines (module-record's, pid dropped). */
async function resolutions(at: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const file = join(empty, `record-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, "");
  const options = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${REGISTER}`.trim(), RELX_TEST_MODULE_RECORD: file };
  const r = await relx(at, args, { env: { ...env, ...options } });
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(file, "utf8").split("\n").filter((line) => line !== "").map((line) => line.slice(line.indexOf(" ") + 1));
}

describe("the fast path prints what commander's path prints", () => {
  it.each([
    [["ping"]],
    [["ping", "--json"]],
    [["--json", "ping"]],
    [["status"]],
    [["status", "--json"]],
    [["status", "--all"]],
    [["status", "--json", "--limit", "0"]],
    [["status", "--filter", "black", "--offset=0"]],
    [["status", "--filter", "nobody"]],
    [["status", "--json", "--filter="]],
    [["call", "blackode", '{"add":0}']],
    [["call", "--json", "blackode", '{"add":0}']],
  ])("relx %j", async (args) => {
    const r = await bothWays(root, args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toBe("");
  });

  it("with --socket instead of --root's config", async () => {
    const r = await bothWays(root, ["ping", "--socket", socketOf(root)]);
    expect(r.stdout).toMatch(/^pong \(pid \d+, vsn 1\.0\.0\)\n$/);
  });

  it.each([
    ["no such process", ["call", "nobody", "{}"], 1],
    ["no such process, --json", ["call", "nobody", "{}", "--json"], 1],
    ["a message that is not JSON", ["call", "blackode", "{add: 1}"], 1],
    ["a message that is not JSON, --json", ["call", "blackode", "{add: 1}", "--json"], 1],
    ["an empty process name", ["call", "", "1"], 1],
    ["a --limit that is not a count", ["status", "--limit", "ten"], 1],
    ["a --limit that is not a count, --json", ["status", "--limit=1.5", "--json"], 1],
  ])("and fails as it does: %s", async (_what, args, code) => {
    const r = await bothWays(root, args as string[]);
    expect(r.code).toBe(code);
    if ((args as string[]).includes("--json")) expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^RELX_/) } });
    else expect(r.stderr).toMatch(/^relx: .+\nhint: .+\n$/);
  });

  it.each([
    [["ping"]],
    [["status", "--json"]],
    [["call", "blackode", "{}"]],
  ])("and without a daemon, exit 3: relx %j", async (args) => {
    const r = await bothWays(idle, args);
    expect(r.code).toBe(3);
  });

  it.each([
    ["a socket where nothing listens", ["ping", "--socket", "nowhere.sock"], 3],
    ["no package.json", ["status"], 1],
    ["no package.json, --json", ["call", "blackode", "{}", "--json"], 1],
  ])("and on %s", async (_what, args, code) => {
    expect((await bothWays(empty, args as string[])).code).toBe(code);
  });

  it.each([
    ["an extra argument", ["status", "now"], 2],
    ["a missing argument", ["call", "blackode"], 2],
    ["an unknown option", ["ping", "--frob"], 2],
    ["another command's option", ["ping", "--all"], 2],
    ["status's option before the command", ["--all", "status"], 2],
    ["a boolean given a value", ["ping", "--json=yes"], 2],
    ["a repeated option", ["status", "--json", "--json"], 0],
    ["a value that looks like an option", ["status", "--offset", "-1"], 1],
    ["a negative number as the message", ["call", "nobody", "-1"], 1],
    ["--", ["call", "--", "blackode", "{\"add\":0}"], 2],
    ["help", ["status", "--help"], 0],
    ["a vsn that is not semver", ["upgrade", "v1.0.1"], 1],
    ["a vsn that is not semver, --json", ["downgrade", "1.0", "--json"], 1],
    ["a semver vsn of another form than 1.2.3", ["upgrade", "1.0.1-rc.1", "--json"], 1],
    ["a vsn with a leading zero", ["upgrade", "1.01.0"], 1],
    ["upgrade's option on downgrade", ["downgrade", "0.9.0", "--no-permanent"], 2],
    ["--permanent", ["upgrade", "9.0.0", "--permanent"], 2],
    ["--dry-run given a value", ["upgrade", "9.0.0", "--dry-run=yes"], 2],
  ])("what it declines, commander answers: %s", async (_what, args, code) => {
    expect(parseFast(args as string[])).toBeUndefined();
    expect((await bothWays(root, args as string[])).code).toBe(code);
  });
});

describe("the fast path", () => {
  it("builds the options commander's action would", () => {
    expect(parseFast(["status", "--all", "--root", "/r", "--filter=x", "--json"])?.options)
      .toEqual({ all: true, root: "/r", filter: "x", json: true });
    expect(parseFast(["--socket", "s", "call", "p", "{}"])).toMatchObject({ options: { socket: "s", root: process.cwd() }, args: ["p", "{}"] });
    expect(parseFast(["ping", "--root", ""])?.options).toEqual({ root: "" });
    expect(parseFast(["upgrade", "2.0.0", "--root", "/r"])).toMatchObject({ options: { root: "/r", permanent: true }, args: ["2.0.0"] });
    expect(parseFast(["upgrade", "--dry-run", "2.0.0", "--no-permanent", "--extra", "{}"])?.options)
      .toEqual({ root: process.cwd(), dryRun: true, permanent: false, extra: "{}" });
    expect(parseFast(["downgrade", "10.0.0", "--extra={}", "--dry-run", "--json"])?.options)
      .toEqual({ root: process.cwd(), dryRun: true, extra: "{}", json: true });
  });

  it("resolves no package and not the full CLI; commander's path resolves both", async () => {
    for (const args of [["status"], ["ping"], ["call", "blackode", '{"add":0}']]) {
      const lines = await resolutions(root, args);
      expect(lines, `relx ${args.join(" ")}`).toContain("- ../dist/cli/relx.cjs");
      expect(lines.filter((line) => !line.startsWith("- ")), `relx ${args.join(" ")}`).toEqual([]);
      expect(lines.filter((line) => line.endsWith("/run.js")), `relx ${args.join(" ")}`).toEqual([]);
    }
    const full = await resolutions(root, ["ping"], { RELX_NO_FAST_PATH: "1" });
    expect(full).toContain("- ./run.js");
    expect(full).toContain("commander commander");
  });

  it("groups thousands as toLocaleString(\"en\") does, without loading ICU's locale data", () => {
    for (const n of [0, 7, 999, 1000, 12_345, 100_000, 1_234_567, 1e12, Number.MAX_SAFE_INTEGER, -1234, -0, 1.5]) {
      expect(grouped(n), String(n)).toBe(n.toLocaleString("en"));
    }
  });
});

describe("the fast path of upgrade and downgrade prints what commander's path prints", () => {
  /** What varies between two runs of the same upgrade: how long it took. */
  const timeless = (r: RunResult): RunResult => ({
    ...r,
    stdout: r.stdout.replace(/"(pauseMs|durationMs)":[\d.e+-]+/g, '"$1":…').replace(/in [\d.]+ ms \(paused [\d.]+ ms\)/, "in … ms (paused … ms)"),
  });

  /** The same command lines one after the other, fast path first, then commander's; each pair the same. */
  async function inTurn(lines: string[][]): Promise<RunResult[]> {
    const fast: RunResult[] = [];
    for (const args of lines) fast.push(await relx(root, args));
    for (const [i, args] of lines.entries()) {
      const full = await relx(root, args, { env: { RELX_NO_FAST_PATH: "1" } });
      expect(timeless(fast[i]!), `relx ${args.join(" ")}`).toEqual(timeless(full));
    }
    return fast;
  }

  it("upgrade and downgrade, with --json and without, dry runs, and their failures", async () => {
    applyV2(root);
    expect((await relx(root, ["build", "--vsn", "2.0.0"])).code).toBe(0);
    const [dry, dryHuman, up, down, upHuman, downHuman] = await inTurn([
      ["upgrade", "2.0.0", "--dry-run", "--json"],
      ["upgrade", "2.0.0", "--dry-run", "--extra", '{"rate":1}'],
      ["upgrade", "2.0.0", "--json", "--no-permanent"],
      ["downgrade", "1.0.0", "--json"],
      ["upgrade", "2.0.0"],
      ["downgrade", "1.0.0", "--extra={}"],
    ]);
    expect(JSON.parse(dry!.stdout)).toMatchObject({ ok: true, dryRun: true, from: "1.0.0", to: "2.0.0" });
    expect(dryHuman!.stdout).toMatch(/^relx: dry run of upgrade 1\.0\.0 → 2\.0\.0: every codeChange succeeds/);
    expect(JSON.parse(up!.stdout)).toMatchObject({ ok: true, from: "1.0.0", to: "2.0.0", changed: [{ name: "blackode", server: "DemoServer", fromVsn: "1", toVsn: "2" }] });
    expect(JSON.parse(down!.stdout)).toMatchObject({ ok: true, from: "2.0.0", to: "1.0.0" });
    expect(upHuman!.stdout).toMatch(/^relx: upgraded 1\.0\.0 → 2\.0\.0 in [\d.]+ ms \(paused [\d.]+ ms\)\nCHANGED {3}SERVER {6}VSN\nblackode  DemoServer  1 → 2\n$/);
    expect(downHuman!.code).toBe(0);
    for (const r of [dry, dryHuman, up, down, upHuman, downHuman]) expect(r!.code, r!.stderr).toBe(0);

    const failures = await inTurn([
      ["upgrade", "9.9.9", "--json"],
      ["upgrade", "9.9.9"],
      ["downgrade", "2.0.0", "--json"],
      ["upgrade", "1.0.0"],
      ["upgrade", "2.0.0", "--extra", "{", "--json"],
    ]);
    for (const r of failures) expect(r.code).toBe(1);
    expect(JSON.parse(failures[0]!.stdout)).toMatchObject({ ok: false, error: { code: "RELX_NO_SUCH_RELEASE" }, rolledBack: false });
    expect(failures[3]!.stderr).toMatch(/^relx: release 1\.0\.0 is already running \(nothing was changed\)\nhint: .+\n$/);
    expect(JSON.parse(failures[4]!.stdout)).toMatchObject({ ok: false, error: { code: "RELX_BAD_ARGUMENT" } });
    expect((await relxJson(root, ["status"])).json).toMatchObject({ vsn: "1.0.0" });

    // Neither commander nor semver: a plain vsn is checked by the fast path's own pattern.
    for (const args of [["upgrade", "2.0.0", "--dry-run"], ["upgrade", "2.0.0", "--dry-run", "--json"]]) {
      const lines = await resolutions(root, args);
      expect(lines.filter((line) => !line.startsWith("- ")), `relx ${args.join(" ")}`).toEqual([]);
      expect(lines.filter((line) => line.endsWith("/run.js")), `relx ${args.join(" ")}`).toEqual([]);
    }
  });

  it("and without a daemon, exit 3", async () => {
    for (const args of [["upgrade", "2.0.0", "--json"], ["downgrade", "1.0.0"]]) {
      const fast = await relx(idle, args);
      expect(fast).toEqual(await relx(idle, args, { env: { RELX_NO_FAST_PATH: "1" } }));
      expect(fast.code).toBe(3);
    }
  });
});
