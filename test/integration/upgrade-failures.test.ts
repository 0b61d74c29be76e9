// Upgrades that must fail whole, and leave the running release exactly as it was (SPEC §7).
import { existsSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanupRoots, relx, relxJson, tempRoot, waitFor } from "./harness.js";
import { writeTwins, type TwinsOptions } from "./twins.js";

afterEach(cleanupRoots);

/** Builds twins 1.0.0, starts it, then builds 2.0.0 with the given v2 modes. */
async function twinsRunning(v2: Omit<TwinsOptions, "version">, config?: Record<string, unknown>): Promise<string> {
  const root = tempRoot();
  writeTwins(root, { version: "1.0.0", config });
  expect((await relx(root, ["build"])).code).toBe(0);
  const start = await relx(root, ["start"]);
  expect(start.code, start.stderr).toBe(0);
  await relx(root, ["call", "alpha", '"inc"']);
  writeTwins(root, { version: "2.0.0", config, ...v2 });
  const built = await relx(root, ["build"]);
  expect(built.code, built.stderr).toBe(0);
  return root;
}

async function expectUntouched(root: string): Promise<void> {
  expect((await relxJson(root, ["call", "alpha", '"get"'])).json).toEqual({ v: 1, n: 2 });
  expect((await relxJson(root, ["call", "beta", '"get"'])).json).toEqual({ v: 1, n: 2 });
  const status = (await relxJson(root, ["status"])).json;
  expect(status).toMatchObject({ vsn: "1.0.0", permanent: "1.0.0", lastUpgrade: null });
  expect(status.processes.map((p: { vsn: string; status: string }) => [p.vsn, p.status])).toEqual([["1", "running"], ["1", "running"]]);
}

describe("a failing upgrade", () => {
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
    const root = await twinsRunning({ alpha: "ok", beta: "ok" }, { suspendTimeoutMs: 300 });
    const marker = join(root, "in-hand");
    const blocked = relxJson(root, ["call", "beta", JSON.stringify({ block: marker, ms: 2500 })]);
    await waitFor(() => existsSync(marker), "beta to take the blocking call");
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code).toBe(1);
    expect(up.json).toMatchObject({ ok: false, rolledBack: false, error: { code: "RELX_SUSPEND_TIMEOUT", process: "beta" } });
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

describe("a dry run", () => {
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

describe("calls during an upgrade", () => {
  it("are delayed, not failed, and answered by the new code", async () => {
    const root = await twinsRunning({ alpha: "slow" });
    const up = relxJson(root, ["upgrade", "2.0.0"]);
    await waitFor(async () => {
      const s = (await relxJson(root, ["status"])).json;
      return s.processes?.find((p: { name: string }) => p.name === "alpha")?.status === "suspended";
    }, "alpha to be suspended");
    const call = await relxJson(root, ["call", "alpha", '"get"']);
    expect(call.json).toEqual({ v: 2, n: 20 });
    expect((await up).code).toBe(0);
  });

  it("a second upgrade while one runs gets RELX_BUSY", async () => {
    const root = await twinsRunning({ alpha: "slow" });
    const first = relxJson(root, ["upgrade", "2.0.0"]);
    await waitFor(async () => (await relxJson(root, ["status"])).json.processes?.some((p: { status: string }) => p.status === "suspended"), "the first upgrade to suspend");
    const second = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(second.json).toMatchObject({ ok: false, error: { code: "RELX_BUSY" } });
    expect((await first).json).toMatchObject({ ok: true, to: "2.0.0" });
  });
});
