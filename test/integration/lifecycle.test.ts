// The release lifecycle beyond build and upgrade, as OTP's release_handler has it: `relx permanent`
// (only the release the node runs), `relx remove` (only an old or unpacked release, and never the
// one a daemon runs; no daemon needed), a current release that was never made permanent going back
// to unpacked when the node restarts, and `relx stop` that is idempotent and returns only once
// the daemon has exited.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyV2, builtExample } from "../fixtures/bank.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

async function ok(root: string, args: string[]): Promise<string> {
  const r = await relx(root, args);
  expect(r.code, `relx ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

async function states(root: string): Promise<Record<string, string>> {
  const { json } = await relxJson(root, ["releases"]);
  return Object.fromEntries((json.releases as { vsn: string; state: string }[]).map((r) => [r.vsn, r.state]));
}

/** Everything under releases/, with contents, to check that a refusal touched nothing. */
function snapshot(root: string): Record<string, string> {
  const dir = join(root, "releases");
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = readFileSync(path, "latin1");
  }
  return out;
}

/** A refusal: exit 1, the code, a message naming the vsn, a hint; releases/ untouched. */
async function expectRefused(root: string, args: string[], code: string, message: RegExp): Promise<void> {
  const before = snapshot(root);
  const r = await relxJson(root, args);
  expect({ exit: r.code, code: r.json.error?.code }, JSON.stringify(r.json)).toEqual({ exit: 1, code });
  expect(r.json.error.message).toMatch(message);
  expect(r.json.error.hint).toMatch(/relx /);
  expect(snapshot(root)).toEqual(before);
}

/** Gone for good: no such process, or one that exited and is only waiting to be reaped. */
function hasExited(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return /^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
}

async function bankWithTwoReleases(): Promise<string> {
  const root = tempRoot();
  await builtExample(root, { tar: true });
  await ok(root, ["start"]);
  applyV2(root);
  await ok(root, ["build", "--vsn", "2.0.0", "--tar"]);
  return root;
}

describe("relx permanent and relx remove", () => {
  it("refuse what they must, make the running release permanent, and remove an old one with its tarball", async () => {
    const root = await bankWithTwoReleases();
    expect(await states(root)).toEqual({ "1.0.0": "permanent", "2.0.0": "unpacked" });

    await expectRefused(root, ["remove", "1.0.0"], "RELX_RELEASE_IN_USE", /1\.0\.0 is permanent/);
    await expectRefused(root, ["permanent", "2.0.0"], "RELX_NOT_RUNNING_RELEASE", /2\.0\.0 is not the one this node runs \(it runs 1\.0\.0\)/);
    await expectRefused(root, ["remove", "7.0.0"], "RELX_NO_SUCH_RELEASE", /7\.0\.0/);
    await expectRefused(root, ["permanent", "v2"], "RELX_BAD_VSN", /"v2"/);

    const up = await relxJson(root, ["upgrade", "2.0.0", "--no-permanent"]);
    expect(up.code, JSON.stringify(up.json)).toBe(0);
    expect(await states(root)).toEqual({ "1.0.0": "permanent", "2.0.0": "current" });
    await expectRefused(root, ["remove", "2.0.0"], "RELX_RELEASE_IN_USE", /2\.0\.0 is current/);

    const made = await relxJson(root, ["permanent", "2.0.0"]);
    expect(made.code).toBe(0);
    expect(made.json).toEqual({ ok: true, vsn: "2.0.0", previous: "1.0.0", releases: [{ vsn: "1.0.0", state: "old" }, { vsn: "2.0.0", state: "permanent" }] });
    expect(await ok(root, ["permanent", "2.0.0"])).toMatch(/2\.0\.0 is already permanent/);
    expect((await relxJson(root, ["status"])).json).toMatchObject({ vsn: "2.0.0", permanent: "2.0.0" });

    // The daemon is asked which release it runs: one that RELEASES (edited by hand) calls old is
    // still refused while it runs.
    const records = join(root, "releases", "RELEASES");
    writeFileSync(records, JSON.stringify([{ vsn: "1.0.0", state: "old" }, { vsn: "2.0.0", state: "old" }]));
    await expectRefused(root, ["remove", "2.0.0"], "RELX_RELEASE_IN_USE", /2\.0\.0 is the one the running daemon \(pid \d+\) runs/);
    writeFileSync(records, JSON.stringify([{ vsn: "1.0.0", state: "old" }, { vsn: "2.0.0", state: "permanent" }]));

    const removed = await relxJson(root, ["remove", "1.0.0"]);
    expect(removed.code, JSON.stringify(removed.json)).toBe(0);
    expect(removed.json).toEqual({ ok: true, vsn: "1.0.0", removed: [join(root, "releases", "1.0.0"), join(root, "releases", "bank-1.0.0.tar.gz")] });
    expect(existsSync(join(root, "releases", "1.0.0"))).toBe(false);
    expect(existsSync(join(root, "releases", "bank-1.0.0.tar.gz"))).toBe(false);
    expect(existsSync(join(root, "releases", "bank-2.0.0.tar.gz"))).toBe(true);
    expect(JSON.parse(readFileSync(records, "utf8"))).toEqual([{ vsn: "2.0.0", state: "permanent" }]);
    expect(readdirSync(join(root, "releases")).filter((f) => f.includes(".tmp-"))).toEqual([]);
    // The node runs on, untouched.
    expect((await relxJson(root, ["call", "blackode", '{"add":1}'])).json).toMatchObject({ name: "blackode" });
  });

  it("a current release never made permanent goes back to unpacked when the node restarts, and relx releases says why", async () => {
    const root = await bankWithTwoReleases();
    await ok(root, ["upgrade", "2.0.0", "--no-permanent"]);
    const text = await ok(root, ["releases"]);
    expect(text).toMatch(/2\.0\.0 +current/);
    expect(text).toMatch(/2\.0\.0 is current, not permanent: .*restarted node boots the permanent release, 1\.0\.0/s);
    expect(text).toMatch(/relx permanent 2\.0\.0/);

    await ok(root, ["stop"]);
    await ok(root, ["start"]);
    expect((await relxJson(root, ["status"])).json).toMatchObject({ vsn: "1.0.0", permanent: "1.0.0" });
    expect(await states(root)).toEqual({ "1.0.0": "permanent", "2.0.0": "unpacked" });
    expect(await ok(root, ["releases"])).toMatch(/unpacked: .*current release the node restarted without making permanent/);
    expect(await ok(root, ["logs", "-n", "20"])).toMatch(/2\.0\.0 was current but never made permanent: unpacked again; booting the permanent 1\.0\.0/);

    // With no daemon, remove still works on an unpacked release.
    await ok(root, ["stop"]);
    const removed = await relxJson(root, ["remove", "2.0.0"]);
    expect(removed.code, JSON.stringify(removed.json)).toBe(0);
    expect(await states(root)).toEqual({ "1.0.0": "permanent" });
  });
});

describe("relx stop", () => {
  it("returns once the daemon process has exited, and stopping a stopped node exits 0 and says so", async () => {
    const root = tempRoot();
    // A daemon that lingers after it closed its socket: an exit handler of the app's busy for 500 ms.
    writeFiles(root, {
      "package.json": JSON.stringify({ name: "lingers", version: "1.0.0", type: "module" }),
      "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [{ name: "slow", server: "Slow", args: {} }] });
`,
      "src/slow.ts": `import { defineServer } from "relx";
process.on("exit", () => { const end = Date.now() + 500; while (Date.now() < end); });
export default defineServer({ name: "Slow", init: () => ({}) });
`,
    });
    await ok(root, ["build"]);
    await ok(root, ["start"]);
    const pid = (await relxJson(root, ["status"])).json.daemon.pid as number;
    const stopped = await relxJson(root, ["stop"]);
    expect(stopped.json).toEqual({ ok: true, stopped: true, pid });
    expect(hasExited(pid), `daemon ${pid} still running when relx stop returned`).toBe(true);
    expect(existsSync(join(root, ".relx", "relx.sock"))).toBe(false);

    const again = await relx(root, ["stop"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/no daemon is running on .*relx\.sock; nothing to stop/);
    expect(await relxJson(root, ["stop"])).toMatchObject({ code: 0, json: { ok: true, stopped: false } });
    // Everything else still says "no daemon" with exit 3.
    expect((await relx(root, ["status"])).code).toBe(3);
  });

  it("run six times at once on a running node: every one exits 0, and the node is gone", async () => {
    const root = tempRoot();
    writeFiles(root, {
      "package.json": JSON.stringify({ name: "many-stops", version: "1.0.0", type: "module" }),
      "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [{ name: "one", server: "One", args: {} }] });
`,
      "src/one.ts": `import { defineServer } from "relx";
export default defineServer({ name: "One", init: () => ({}) });
`,
    });
    await ok(root, ["build"]);
    await ok(root, ["start"]);
    const pid = (await relxJson(root, ["status"])).json.daemon.pid as number;
    const stops = await Promise.all(Array.from({ length: 6 }, () => relxJson(root, ["stop"])));
    for (const stop of stops) expect(stop.code, JSON.stringify(stop.json)).toBe(0);
    expect(stops.filter((s) => s.json.stopped).length).toBeGreaterThanOrEqual(1);
    for (const stop of stops) if (stop.json.stopped) expect(stop.json.pid).toBe(pid);
    expect(hasExited(pid)).toBe(true);
    expect((await relx(root, ["status"])).code).toBe(3);
  });
});
