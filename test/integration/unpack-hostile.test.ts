// `relx unpack` of hostile input through the real CLI (issue 9, findings 4, 5 and 10): a tarball
// naming other owners and world-writable modes, malformed release.json files, a pipe, a directory,
// a tarball whose top level is a file. Each is refused (or, for owners and modes, neutralised) with
// a clear error, and a refusal installs nothing.
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create as tarCreate, extract as tarExtract, list as tarList } from "tar";
import { afterEach, describe, expect, it } from "vitest";
import { builtExample, copyExample } from "../fixtures/bank.js";
import { BIN } from "../support/paths.js";
import { relx, relxJson, type RunResult } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

const isRoot = process.getuid?.() === 0;

/** Root A with the bank built as 1.0.0 --tar; returns the tarball. */
async function bankTarball(): Promise<string> {
  const a = tempRoot();
  await builtExample(a, { tar: true });
  return join(a, "releases", "bank-1.0.0.tar.gz");
}

/** A root with nothing but the app's package.json. */
function bareRoot(): string {
  const b = tempRoot();
  writeFiles(b, { "package.json": JSON.stringify({ name: "bank", version: "0.0.1", type: "module" }) });
  return b;
}

/** Extracts `tarball` into a scratch dir, lets `edit` change <vsn>/, packs it again (portable unless `owners`). */
async function repack(tarball: string, edit: (release: string) => void, owners = false): Promise<string> {
  const scratch = tempRoot();
  const dir = join(scratch, "x");
  mkdirSync(dir);
  await tarExtract({ file: tarball, cwd: dir });
  edit(join(dir, "1.0.0"));
  const out = join(scratch, "hostile.tar.gz");
  await tarCreate({ gzip: true, file: out, cwd: dir, portable: !owners }, readdirSync(dir));
  return out;
}

/** Runs relx with umask 000, so that nothing but relx itself keeps modes from being world-writable. */
function relxUmask0(root: string, args: string[]): Promise<RunResult> {
  return new Promise((done) => {
    execFile("/bin/sh", ["-c", 'umask 000; exec "$@"', "sh", process.execPath, BIN, ...args, "--root", root], (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function walk(dir: string): string[] {
  return [dir, ...readdirSync(dir, { recursive: true }).map((rel) => join(dir, String(rel)))];
}

/** The refusal named `code` and matched `message`, and root b holds nothing new. */
async function expectRefused(b: string, file: string, code: string, message: RegExp): Promise<void> {
  const r = await relxJson(b, ["unpack", file]);
  expect(r.code).toBe(1);
  expect(r.json).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(message), hint: expect.any(String) } });
  expect(readdirSync(b)).toEqual(["package.json"]);
}

describe("relx unpack as root", () => {
  it.skipIf(!isRoot)("gives every file to the user running it, writable by that user only, whatever the tarball says", async () => {
    const hostile = await repack(await bankTarball(), (release) => {
      for (const path of walk(release)) {
        chownSync(path, 4242, 4343);
        chmodSync(path, lstatSync(path).isDirectory() ? 0o777 : 0o4666);
      }
    }, true);
    const headers: { uid?: number; mode?: number }[] = [];
    await tarList({ file: hostile, onReadEntry: (e) => void headers.push({ uid: e.header.uid, mode: e.header.mode }) });
    expect(headers.every((h) => h.uid === 4242 && ((h.mode ?? 0) & 0o002) !== 0)).toBe(true); // the input is hostile

    const b = bareRoot();
    const r = await relxUmask0(b, ["unpack", hostile]);
    expect(r.code, r.stderr).toBe(0);
    const release = join(b, "releases", "1.0.0");
    for (const path of walk(release)) {
      const info = lstatSync(path);
      expect({ path, uid: info.uid, gid: info.gid, mode: info.mode & 0o7777 }).toEqual({
        path, uid: process.getuid!(), gid: process.getgid!(), mode: info.isDirectory() ? 0o755 : 0o644,
      });
    }
    expect((await relxJson(b, ["releases"])).json).toEqual({ releases: [{ vsn: "1.0.0", state: "unpacked" }] });
  });
});

describe("relx build", () => {
  it("writes a release writable by its owner only, whatever the umask", async () => {
    const a = tempRoot();
    copyExample(a);
    const r = await relxUmask0(a, ["build"]);
    expect(r.code, r.stderr).toBe(0);
    const modes = walk(join(a, "releases", "1.0.0")).map((path) => [path, lstatSync(path).mode & 0o7777]);
    expect(modes).toEqual(modes.map(([path]) => [path, lstatSync(path as string).isDirectory() ? 0o755 : 0o644]));
  });
});

describe("relx unpack refuses a malformed release.json, naming the field, installing nothing", () => {
  const edits: [string, (m: any) => void, RegExp][] = [
    ["boot processes [null, {name: 5}]", (m) => (m.boot.processes = [null, { name: 5 }]), /release\.json is malformed: boot\.processes\[0\] expected an object/],
    ["two boot processes with one name", (m) => m.boot.processes.push({ ...m.boot.processes[0] }), /boot\.processes\[1\]\.name: two boot processes are named "blackode"/],
    ["a boot process naming an unknown server", (m) => (m.boot.processes[0].server = "Ghost"), /boot\.processes\[0\]\.server names server "Ghost", which is not in servers/],
    ["a bogus restart", (m) => (m.boot.processes[0].restart = "always"), /boot\.processes\[0\]\.restart expected one of permanent, transient, temporary, got "always"/],
    ["a vsn unlike its directory", (m) => (m.vsn = "1.0.1"), /vsn is "1\.0\.1", but the release's directory is named "1\.0\.0"/],
  ];
  it("each of: " + edits.map((e) => e[0]).join("; "), async () => {
    const tarball = await bankTarball();
    const b = bareRoot();
    for (const [, edit, message] of edits) {
      const bad = await repack(tarball, (release) => {
        const file = join(release, "release.json");
        const m = JSON.parse(readFileSync(file, "utf8"));
        edit(m);
        writeFileSync(file, JSON.stringify(m));
      });
      await expectRefused(b, bad, "RELX_BAD_RELEASE", message);
    }
    const ok = await relx(b, ["unpack", tarball]);
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe("relx unpack refuses what is not a release tarball file, installing nothing", () => {
  it("a pipe (FIFO), without blocking on it, and a directory", async () => {
    const b = bareRoot();
    const fifo = join(tempRoot(), "release.tar.gz");
    execFileSync("mkfifo", [fifo]);
    await expectRefused(b, fifo, "RELX_BAD_ARGUMENT", /release\.tar\.gz is a pipe \(FIFO\), not a release tarball file/);
    await expectRefused(b, tempRoot(), "RELX_BAD_ARGUMENT", /is a directory, not a release tarball file/);
  });

  it("a tarball whose top level is a file, or that has no release.json", async () => {
    const b = bareRoot();
    const scratch = tempRoot();
    writeFileSync(join(scratch, "1.0.0"), "not a directory");
    const topFile = join(scratch, "top-file.tar.gz");
    await tarCreate({ gzip: true, file: topFile, cwd: scratch, portable: true }, ["1.0.0"]);
    await expectRefused(b, topFile, "RELX_BAD_RELEASE", /1\.0\.0 is a file at the top level; a release tarball holds one directory/);
    rmSync(join(scratch, "1.0.0"));
    writeFiles(scratch, { "2.0.0/lib/app.cjs": "1" });
    const noManifest = join(scratch, "no-manifest.tar.gz");
    await tarCreate({ gzip: true, file: noManifest, cwd: scratch, portable: true }, ["2.0.0"]);
    await expectRefused(b, noManifest, "RELX_BAD_RELEASE", /it has no 2\.0\.0\/release\.json/);
  });
});
