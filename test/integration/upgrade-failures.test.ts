// Upgrades that must fail whole, and leave the running release exactly as it was (SPEC §7).
import { appendFileSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";
import { writeTwins, type TwinsOptions } from "../fixtures/twins.js";

// Twins 1.0.0, built once for the file and made permanent by a first start (then stopped); each
// test copies it.
let template: string;
beforeAll(async () => {
  template = tempRoot({ scope: "file" });
  writeTwins(template, { version: "1.0.0" });
  expect((await relx(template, ["build"])).code).toBe(0);
  const start = await relx(template, ["start"]);
  expect(start.code, start.stderr).toBe(0);
  expect((await relx(template, ["stop"])).code).toBe(0);
  rmSync(join(template, ".relx"), { recursive: true, force: true });
});
// The tests of this file run concurrently (each on its own copy of the template, mostly waiting on
// child processes), so roots are removed when the file is done, not after each test.
afterAll(cleanupAllRoots);

/** The file a "gated" codeChange of `root` waits for. */
const gateOf = (root: string) => join(root, "gate");

/** Starts twins 1.0.0 (with `config`, if any), then builds 2.0.0 with the given v2 modes. */
async function twinsRunning(v2: Omit<TwinsOptions, "version" | "gate">, config?: Record<string, unknown>): Promise<string> {
  const root = tempRoot();
  cpSync(template, root, { recursive: true });
  writeTwins(root, { version: "1.0.0", config });
  const start = await relx(root, ["start"]);
  expect(start.code, start.stderr).toBe(0);
  await relx(root, ["call", "alpha", '"inc"']);
  writeTwins(root, { version: "2.0.0", config, gate: gateOf(root), ...v2 });
  const built = await relx(root, ["build"]);
  expect(built.code, built.stderr).toBe(0);
  return root;
}

/** Until the gate opens, an upgrade holds; a call or codeChange kept waiting must not time out. */
const PATIENT = { callTimeoutMs: 60_000, codeChangeTimeoutMs: 60_000 };

async function expectUntouched(root: string): Promise<void> {
  expect((await relxJson(root, ["call", "alpha", '"get"'])).json).toEqual({ v: 1, n: 2 });
  expect((await relxJson(root, ["call", "beta", '"get"'])).json).toEqual({ v: 1, n: 2 });
  const status = (await relxJson(root, ["status"])).json;
  expect(status).toMatchObject({ vsn: "1.0.0", permanent: "1.0.0", lastUpgrade: null });
  expect(status.processes.map((p: { vsn: string; status: string }) => [p.vsn, p.status])).toEqual([["1", "running"], ["1", "running"]]);
}

describe.concurrent("a failing upgrade", () => {
  it("rolls both processes back when one of two codeChanges throws", async () => {
    const root = await twinsRunning({ alpha: "ok", beta: "throws" });
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code).toBe(1);
    expect(up.json).toMatchObject({ ok: false, rolledBack: true, error: { code: "RELX_CODE_CHANGE_FAILED", process: "beta" } });
    expect(up.json.error.message).toContain("Beta migration failed");
    await expectUntouched(root);
    expect((await relxJson(root, ["releases"])).json.releases).toEqual(expect.arrayContaining([{ vsn: "2.0.0", state: "unpacked" }]));
  });

  it("puts back the old state even when a codeChange edited it in place", async () => {
    const root = await twinsRunning({ alpha: "mutates", beta: "throws" });
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.json).toMatchObject({ ok: false, rolledBack: true, error: { process: "beta" } });
    expect((await relxJson(root, ["state", "alpha"])).json).toEqual({ n: 2 });
    await expectUntouched(root);
  });

  it("rolls back a new boot process whose init never settles, and the node stays usable and stoppable", async () => {
    const root = await twinsRunning({ alpha: "ok", beta: "ok", hangingBoot: true }, { codeChangeTimeoutMs: 300 });
    for (let attempt = 0; attempt < 2; attempt++) {
      const up = await relxJson(root, ["upgrade", "2.0.0"]);
      expect(up.code).toBe(1);
      expect(up.json).toMatchObject({ ok: false, rolledBack: true, error: { code: "RELX_INIT_FAILED" } });
      expect(up.json.error.message).toContain("init did not return within 300 ms");
    }
    await expectUntouched(root);
    const stop = await relx(root, ["stop"]);
    expect(stop.code, stop.stderr).toBe(0);
  });

  it("names the process that could not be suspended in time, and changes nothing", async () => {
    const root = await twinsRunning({ alpha: "ok", beta: "ok" }, { ...PATIENT, suspendTimeoutMs: 300 });
    const marker = join(root, "in-hand");
    const release = join(root, "release-call");
    // Beta answers only once the test writes `release`: it is busy for as long as the upgrade waits.
    const blocked = relxJson(root, ["call", "beta", JSON.stringify({ block: marker, until: release })]);
    await waitFor(() => existsSync(marker), "beta to take the blocking call");
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code).toBe(1);
    expect(up.json).toMatchObject({ ok: false, rolledBack: false, error: { code: "RELX_SUSPEND_TIMEOUT", process: "beta" } });
    // Without --json: one line saying what and why, "nothing was changed" once.
    const human = await relx(root, ["upgrade", "2.0.0"]);
    expect(human.code).toBe(1);
    expect(human.stderr.split("\n")[0]).toMatch(/^relx: .*could not be suspended within 300 ms: .*nothing was changed$/);
    expect(human.stderr.match(/nothing was changed/g)).toHaveLength(1);
    writeFileSync(release, "go");
    expect((await blocked).json).toEqual({ v: 1, n: 2 });
    await expectUntouched(root);
  });

  it("refuses a release whose files were tampered with", async () => {
    const root = await twinsRunning({ alpha: "ok" });
    appendFileSync(join(root, "releases", "2.0.0", "lib", "alpha.cjs"), "\n// changed by hand\n");
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code).toBe(1);
    expect(up.json).toMatchObject({ ok: false, rolledBack: false, error: { code: "RELX_CHECKSUM_MISMATCH" } });
    expect(up.json.error.message).toContain("alpha.cjs");
    await expectUntouched(root);
  });

  it("refuses a missing, lower or malformed version, and a downgrade to a higher one", async () => {
    const root = await twinsRunning({ alpha: "ok" });
    const missing = await relxJson(root, ["upgrade", "9.9.9"]);
    expect(missing).toMatchObject({ code: 1, json: { ok: false, rolledBack: false, error: { code: "RELX_NO_SUCH_RELEASE" } } });
    const up = await relxJson(root, ["downgrade", "2.0.0"]);
    expect(up).toMatchObject({ code: 1, json: { error: { code: "RELX_WRONG_DIRECTION", hint: expect.stringContaining("relx upgrade 2.0.0") } } });
    const bad = await relx(root, ["upgrade", "two"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("two");
    expect((await relxJson(root, ["upgrade", "2.0.0"])).code).toBe(0);
    const lower = await relxJson(root, ["upgrade", "1.0.0"]);
    expect(lower).toMatchObject({ code: 1, json: { error: { code: "RELX_WRONG_DIRECTION", hint: expect.stringContaining("relx downgrade 1.0.0") } } });
    const missingDown = await relxJson(root, ["downgrade", "0.5.0"]);
    expect(missingDown.json.error.code).toBe("RELX_NO_SUCH_RELEASE");
  });
});

describe.concurrent("a dry run", () => {
  it("reports each codeChange result on a copy (a BigInt shown as a string) and changes nothing", async () => {
    const root = await twinsRunning({ alpha: "bigint", beta: "throws" });
    const dry = await relxJson(root, ["upgrade", "2.0.0", "--dry-run"]);
    expect(dry.code).toBe(1);
    expect(dry.json).toMatchObject({ ok: false, dryRun: true, from: "1.0.0", to: "2.0.0" });
    expect(dry.json.results).toEqual([
      { name: "alpha", server: "Alpha", ok: true, state: { n: "20" } },
      { name: "beta", server: "Beta", ok: false, error: expect.objectContaining({ code: "RELX_CODE_CHANGE_FAILED" }) },
    ]);
    await expectUntouched(root);
  });

  it("is ok when every codeChange would succeed", async () => {
    const root = await twinsRunning({ alpha: "ok" });
    const dry = await relxJson(root, ["upgrade", "2.0.0", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.json).toMatchObject({ ok: true, changed: [{ name: "alpha", server: "Alpha", fromVsn: "1", toVsn: "2" }] });
    await expectUntouched(root);
  });
});

describe.concurrent("calls during an upgrade", () => {
  const alphaOf = async (root: string) =>
    (await relxJson(root, ["status"])).json.processes?.find((p: { name: string }) => p.name === "alpha") as { status: string; queue: number } | undefined;

  it("are delayed, not failed, and answered by the new code", async () => {
    const root = await twinsRunning({ alpha: "gated" }, PATIENT);
    const up = relxJson(root, ["upgrade", "2.0.0"]);
    await waitFor(async () => (await alphaOf(root))?.status === "suspended", "alpha to be suspended");
    let answered = false;
    const call = relxJson(root, ["call", "alpha", '"get"']).then((r) => ((answered = true), r));
    await waitFor(async () => ((await alphaOf(root))?.queue ?? 0) > 0, "the call to wait in alpha's queue");
    expect(answered, "a call answered while alpha was suspended").toBe(false);
    writeFileSync(gateOf(root), "open");
    expect((await call).json).toEqual({ v: 2, n: 20 });
    expect((await up).code).toBe(0);
    // A process busy when the upgrade came: not the fused pass, but suspend, change, resume.
    expect(readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8")).toMatch(/upgrade 1\.0\.0 -> 2\.0\.0: .*\(suspend [\d.]+, change .*; held [\d.]+ ms at a stretch \(plan\)/);
  });

  it("a second upgrade while one runs gets RELX_BUSY", async () => {
    const root = await twinsRunning({ alpha: "gated" }, PATIENT);
    const first = relxJson(root, ["upgrade", "2.0.0"]);
    await waitFor(async () => (await alphaOf(root))?.status === "suspended", "the first upgrade to suspend");
    const second = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(second.json).toMatchObject({ ok: false, error: { code: "RELX_BUSY" } });
    writeFileSync(gateOf(root), "open");
    expect((await first).json).toMatchObject({ ok: true, to: "2.0.0" });
  });
});
