// Exit codes of the real CLI (SPEC §6): 2 malformed command line, 3 no daemon, 1 a bad value.
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../support/paths.js";
import { relx } from "../support/relx.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

let root: string;
beforeAll(() => {
  root = tempRoot({ scope: "file" });
  writeFiles(root, { "package.json": JSON.stringify({ name: "bank", version: "1.0.0" }) });
});
afterAll(cleanupAllRoots);

describe("a malformed command line exits 2", () => {
  it.each([
    ["an unknown command", ["frobnicate"], "unknown command 'frobnicate'"],
    ["an unknown option", ["status", "--frob"], "unknown option '--frob'"],
    ["a missing argument", ["call", "blackode"], "missing required argument 'json'"],
    ["an extra argument", ["status", "now"], "too many arguments"],
    ["no command at all", [], ""],
  ])("%s", async (_what, args, message) => {
    const run = await relx(null, args, { cwd: root });
    expect(run.code).toBe(2);
    if (message !== "") expect(run.stderr).toContain(`relx: ${message}`);
  });

  it("while --help and --version exit 0", async () => {
    expect((await relx(null, ["--help"])).code).toBe(0);
    expect((await relx(null, ["upgrade", "--help"])).stdout).toContain("--no-permanent");
    expect((await relx(null, ["--version"])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("no daemon exits 3", () => {
  it("status: what and why, then a hint naming the next command", async () => {
    const run = await relx(null, ["status", "--root", root]);
    expect(run.code).toBe(3);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(`relx: no daemon answers on ${join(root, ".relx", "relx.sock")} (ENOENT)`);
    expect(lines[1]).toBe("hint: start it with `relx start`");
    expect(run.stdout).toBe("");
  });

  it("status --json prints the failure on stdout", async () => {
    const run = await relx(null, ["status", "--json"], { cwd: root });
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: "RELX_NO_DAEMON", hint: expect.any(String) } });
  });

  it.each([["ping"], ["state", "blackode"], ["permanent", "1.0.0"]])("%s", async (...args) => {
    expect((await relx(null, args, { cwd: root })).code).toBe(3);
  });

  it("but stop, the one exception: a stopped node is what stop wants, so it exits 0 and says so", async () => {
    const run = await relx(null, ["stop"], { cwd: root });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`relx: no daemon is running on ${join(root, ".relx", "relx.sock")}; nothing to stop\n`);
  });
});

describe("a bad value in a well-formed command exits 1 with RELX_BAD_ARGUMENT or RELX_BAD_VSN", () => {
  it.each([
    ["call", ["call", "blackode", "{add: 1}"], "{add: 1}", "RELX_BAD_ARGUMENT"],
    ["cast", ["cast", "blackode", "'x'"], "'x'", "RELX_BAD_ARGUMENT"],
    ["--extra", ["upgrade", "1.1.0", "--extra", "{"], "{", "RELX_BAD_ARGUMENT"],
    ["a vsn that is not semver", ["upgrade", "v-next"], "v-next", "RELX_BAD_VSN"],
    ["a downgrade vsn", ["downgrade", "1.0"], "1.0", "RELX_BAD_VSN"],
  ])("%s", async (_what, args, value, code) => {
    const run = await relx(null, [...args, "--json"], { cwd: root });
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ ok: false, error: { code } });
    expect(out.error.message).toContain(JSON.stringify(value));
    const human = await relx(null, args, { cwd: root });
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^relx: .+\nhint: .+\n$/);
  });

  /** `relx <args>` run by a shell in a directory it removes first, as an operator's shell would be left after `relx remove` of the release it was in. */
  let gones = 0;
  const fromRemovedDir = (args: string[]) => {
    const gone = join(root, `gone-${gones++}`);
    mkdirSync(gone);
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      execFile("sh", ["-c", 'd="$1" node="$2" bin="$3"; shift 3; cd "$d" && rmdir "$d" && exec "$node" "$bin" "$@"', "sh", gone, process.execPath, BIN, ...args], (err, stdout, stderr) =>
        done({ code: err === null ? 0 : (err.code as number), stdout, stderr }));
    });
  };

  it("says so when the current directory was removed, on the fast path and commander's", async () => {
    for (const args of [["status"], ["status", "--json"], ["build"], ["upgrade", "1.1.0", "--json"], ["status", "--root", "rel"], ["unpack", "x.tar.gz", "--root", root]]) {
      const run = await fromRemovedDir(args);
      expect(run.code, args.join(" ")).toBe(1);
      if (args.includes("--json")) expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: "RELX_BAD_ARGUMENT", message: "the current directory no longer exists (ENOENT)" } });
      else expect(run.stderr).toBe("relx: the current directory no longer exists (ENOENT)\nhint: cd into an existing directory, or pass an absolute --root, then run the command again\n");
    }
  });

  it("runs a command whose paths are all absolute from a removed current directory, as from any other", async () => {
    // No daemon: the fast path and commander's each get as far as the socket, and say so (exit 3).
    for (const args of [["status"], ["ping", "--json"], ["state", "blackode"], ["stop"]]) {
      const run = await fromRemovedDir([...args, "--root", root]);
      expect(run.stderr, args.join(" ")).not.toContain("current directory");
      expect(run.code, args.join(" ")).toBe(args[0] === "stop" ? 0 : 3);
    }
    const releases = await fromRemovedDir(["releases", "--json", "--root", root]);
    expect(releases.code).toBe(0);
    expect(JSON.parse(releases.stdout)).toMatchObject({ releases: [] });
    const logs = await fromRemovedDir(["logs", "--root", root]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain(join(root, ".relx", "log", "daemon.log"));
  });

  it("refuses `upgrade v1.1.0` with the hint 1.1.0, as the socket does", async () => {
    const run = await relx(null, ["upgrade", "v1.1.0", "--json"], { cwd: root });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: false,
      error: { code: "RELX_BAD_VSN", message: 'the version "v1.1.0" is not a semver version', hint: 'use "1.1.0": relx upgrade 1.1.0' },
    });
  });
});
