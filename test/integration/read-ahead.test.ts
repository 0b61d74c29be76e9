// The daemon reads release manifests ahead (src/daemon/read-ahead/), through the real CLI and one
// daemon for the file: a release built while it runs is read ahead (its log line says so) and
// upgraded to as before; a release removed and built again under the same vsn is not served
// from the cache; a release.json changed after its read-ahead is read again and refused with the
// very error a fresh read gives, nothing changed; a restarted daemon reads ahead every release but
// the one it boots, and logs the one it cannot read (a release.json that is a pipe too, which it
// does not open: a read blocked on one would hold every read after it, and the daemon's exit).
// Steps run in order, each on what the one before left.
import { execFileSync } from "node:child_process";
import { closeSync, constants, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyRelease } from "../../src/release/store/verify.js";
import { toRelxError } from "../../src/errors.js";
import { applyV2, builtExample } from "../fixtures/bank.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";
import { writeFiles } from "../support/write-files.mjs";

let root: string;

beforeAll(async () => {
  root = tempRoot({ scope: "file" });
  await builtExample(root);
  const started = await relx(root, ["start"]);
  expect(started.code, started.stderr).toBe(0);
});
// eslint-disable-next-line no-empty-pattern
afterAll(async ({}, suite) => {
  unblockPipe();
  await cleanupAllRoots({}, suite);
});

/** releases/9.0.0/release.json, made a pipe (FIFO) by the last step. */
const pipe = () => join(root, "releases", "9.0.0", "release.json");

/** Should anything have opened the pipe to read it (a relx that does read it), a writer that closes at once gives it an end of file, so the daemon can stop. */
function unblockPipe(): void {
  try {
    closeSync(openSync(pipe(), constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // no pipe, or no reader on it (ENXIO): nothing waits
  }
}

const logOf = () => readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8");
const readAheadLines = (vsn: string, text = logOf()) =>
  text.split("\n").filter((l) => l.includes(`read ahead release ${vsn}`));

async function build(vsn: string): Promise<void> {
  const r = await relx(root, ["build", "--vsn", vsn]);
  expect(r.code, r.stderr).toBe(0);
}

/** Waits for the `count`th read-ahead line of `vsn` (the watcher's work, after the build returned). */
async function readAhead(vsn: string, count = 1): Promise<string> {
  const lines = await waitFor(() => {
    const found = readAheadLines(vsn);
    return found.length >= count && found;
  }, `read-ahead line ${count} of ${vsn}`);
  return lines[count - 1]!;
}

/** The bank's boot spec with one more employee. */
function withEmployee(name: string): void {
  writeFiles(root, {
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [
  { name: "blackode", server: "DemoServer", args: { name: "blackode", money: 30000 }, restart: "permanent" },
  { name: "${name}", server: "DemoServer", args: { name: "${name}", salary: 5 } },
] });
`,
  });
}

function editManifest(vsn: string, edit: (m: any) => void): void {
  const file = join(root, "releases", vsn, "release.json");
  const m = JSON.parse(readFileSync(file, "utf8"));
  edit(m);
  writeFileSync(file, JSON.stringify(m, null, 2));
}

/** What reading and checking the release afresh refuses it with, as a wire error. */
async function freshError(vsn: string) {
  const err = await verifyRelease(join(root, "releases", vsn), "bank").then(() => null, (e: unknown) => e);
  expect(err, `release ${vsn} verifies`).not.toBeNull();
  return toRelxError(err).toWire();
}

describe("reading release manifests ahead", () => {
  it("reads a release built while the daemon runs ahead, and upgrades and downgrades as before", async () => {
    applyV2(root);
    await build("2.0.0");
    // The build left what the daemon keeps of its manifest: the read-ahead takes it, no parse.
    expect(await readAhead("2.0.0")).toMatch(/read ahead release 2\.0\.0: what its build left of its release\.json of \d+ kB in \d+ ms/);
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json).toMatchObject({ ok: true, from: "1.0.0", to: "2.0.0", started: [], stopped: [] });
    expect(up.json.changed).toEqual([{ name: "blackode", server: "DemoServer", fromVsn: "1", toVsn: "2" }]);
    expect((await relxJson(root, ["state", "blackode"])).json).toEqual({ name: "blackode", salary: 30000 });
    // 1.0.0 was read at boot: the downgrade takes that read, and so does the upgrade back.
    const down = await relxJson(root, ["downgrade", "1.0.0"]);
    expect(down.json).toMatchObject({ ok: true, changed: [{ name: "blackode", server: "DemoServer", fromVsn: "2", toVsn: "1" }] });
    expect((await relxJson(root, ["upgrade", "2.0.0"])).json).toMatchObject({ ok: true, to: "2.0.0" });
    expect(readAheadLines("1.0.0")).toEqual([]);
  });

  it("does not serve a release removed and built again under the same vsn from the cache", async () => {
    withEmployee("alice");
    await build("3.0.0");
    await readAhead("3.0.0");
    expect((await relx(root, ["remove", "3.0.0"])).code).toBe(0);
    withEmployee("bob");
    await build("3.0.0");
    // At once: the rebuilt release's read-ahead may be due, in flight or done.
    const up = await relxJson(root, ["upgrade", "3.0.0"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json).toMatchObject({ ok: true, from: "2.0.0", to: "3.0.0", changed: [], started: ["bob"], stopped: [] });
    expect((await relxJson(root, ["state", "bob"])).json).toEqual({ name: "bob", salary: 5 });
    await readAhead("3.0.0", 2);
  });

  it("reads a release.json changed after its read-ahead again, and refuses it with the error a fresh read gives; nothing changes", async () => {
    await build("4.0.0");
    await readAhead("4.0.0");
    const before = (await relxJson(root, ["status"])).json;
    const state = (await relxJson(root, ["state", "blackode"])).json;

    // Well-formed, but a server's recorded sha256 is not its file's.
    editManifest("4.0.0", (m) => {
      const server = m.servers[0];
      server.sha256 = "0".repeat(64);
      m.files[server.file] = server.sha256;
    });
    const changed = await relxJson(root, ["upgrade", "4.0.0"]);
    expect(changed.code).toBe(1);
    expect(changed.json).toEqual({ ok: false, rolledBack: false, error: await freshError("4.0.0") });
    expect(changed.json.error.code).toBe("RELX_CHECKSUM_MISMATCH");

    // No longer the schema's shape.
    editManifest("4.0.0", (m) => (m.boot.processes = [null]));
    const bad = await relxJson(root, ["upgrade", "4.0.0"]);
    expect(bad.code).toBe(1);
    expect(bad.json).toEqual({ ok: false, rolledBack: false, error: await freshError("4.0.0") });
    expect(bad.json.error).toMatchObject({ code: "RELX_BAD_RELEASE", message: expect.stringContaining("boot.processes[0]") });

    const after = (await relxJson(root, ["status"])).json;
    expect({ vsn: after.vsn, permanent: after.permanent, releases: after.releases, processes: after.processes.length })
      .toEqual({ vsn: before.vsn, permanent: before.permanent, releases: before.releases, processes: before.processes.length });
    expect((await relxJson(root, ["state", "blackode"])).json).toEqual(state);
  });

  it("reads ahead, once restarted, every release present but the one it boots; a release.json that is a pipe is refused unopened", async () => {
    expect((await relx(root, ["stop"])).code).toBe(0);
    // The newest release's release.json is a pipe: read first, it would hold every read after it.
    mkdirSync(join(root, "releases", "9.0.0"));
    execFileSync("mkfifo", [pipe()]);
    const mark = logOf().length;
    expect((await relx(root, ["start"])).code).toBe(0);
    const since = () => logOf().slice(mark);
    await waitFor(() => ["1.0.0", "2.0.0", "4.0.0", "9.0.0"].every((v) => readAheadLines(v, since()).length > 0), "the boot's read-aheads");
    expect(readAheadLines("3.0.0", since())).toEqual([]);
    expect(readAheadLines("4.0.0", since())).toEqual([expect.stringContaining("read ahead release 4.0.0 failed (an upgrade to it reads it again): ")]);
    expect(readAheadLines("9.0.0", since())).toEqual([expect.stringMatching(/read ahead release 9\.0\.0 failed .*release\.json is a pipe \(FIFO\), not a file$/)]);
    // Newest first: an upgrade is likelier to the newest.
    const order = since().split("\n").filter((l) => l.includes("read ahead release")).map((l) => /release (\S+?):? /.exec(l)![1]);
    expect(order).toEqual(["9.0.0", "4.0.0", "2.0.0", "1.0.0"]);
    const down = await relxJson(root, ["downgrade", "2.0.0"]);
    expect(down.json).toMatchObject({ ok: true, from: "3.0.0", to: "2.0.0", stopped: ["bob"] });
    const bad = await relxJson(root, ["upgrade", "4.0.0"]);
    expect(bad.json).toEqual({ ok: false, rolledBack: false, error: await freshError("4.0.0") });
    const piped = await relxJson(root, ["upgrade", "9.0.0"]);
    expect(piped.json).toEqual({ ok: false, rolledBack: false, error: await freshError("9.0.0") });
    expect(piped.json.error.code).toBe("RELX_BAD_RELEASE");
    expect((await relx(root, ["stop"])).code).toBe(0);
  });
});
