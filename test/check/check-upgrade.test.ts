// checkUpgrade of "relx/testing" on real releases built by the real CLI, its code run in the real
// worker: the bank v1 → v2 on recorded states, the way a failure is reported, and the bounded run.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCheckUpgrade } from "../../src/check/check-upgrade.js";
import { checkUpgrade } from "relx/testing";
import { CENTS_V2, bankRoot, configuredBankRoot, waysRoot, writeStates } from "../fixtures/check-apps.js";
import { cleanupAllRoots } from "../support/temp-root.js";

// One bank (1.0.0 and 2.0.0) for the tests that only read it; the roots go after the file.
let bank: string;
beforeAll(async () => void (bank = await bankRoot()));
afterAll(cleanupAllRoots);

const ok = { ok: true };

describe("checkUpgrade on the bank example", () => {
  it("migrates every recorded state up and back down to the same state", async () => {
    const root = bank;
    const accounts = Array.from({ length: 50 }, (_, i) => ({ name: `acct-${i}`, money: i * 100 }));
    const report = await checkUpgrade({ root, from: "1.0.0", to: "2.0.0", states: writeStates(root, accounts) });
    expect(report).toEqual({
      ok: true,
      from: "1.0.0",
      to: "2.0.0",
      results: accounts.map((a) => ({ name: a.name, server: "DemoServer", up: ok, down: ok, roundTrip: true })),
    });
  });

  it("without recorded states, checks each boot process from its init under the old release", async () => {
    expect(await checkUpgrade({ root: bank, from: "1.0.0", to: "2.0.0" })).toEqual({
      ok: true,
      from: "1.0.0",
      to: "2.0.0",
      results: [{ name: "blackode", server: "DemoServer", up: ok, down: ok, roundTrip: true }],
    });
  });

  it("takes the states as a value too, and reports nothing for a server that did not change", async () => {
    const root = bank;
    const states = { processes: [{ name: "blackode", pid: "<0.1.0>", server: "DemoServer", vsn: "1", state: { name: "blackode", money: 1 } }, { name: null, pid: "<0.2.0>", server: "Unknown", vsn: null, state: 1 }] };
    const report = await runCheckUpgrade({ root, from: "1.0.0", to: "2.0.0", states });
    expect(report.result.results.map((r) => r.name)).toEqual(["blackode"]);
    expect(report.unchanged).toBe(1);
  });

  it("names the one state out of 1,000 whose null money its codeChange cannot take, and the path to it", async () => {
    const root = await bankRoot(CENTS_V2);
    const accounts = Array.from({ length: 1000 }, (_, i) => ({ name: `acct-${i}`, money: i === 613 ? null : i + 0.5 }));
    const report = await checkUpgrade({ root, from: "1.0.0", to: "2.0.0", states: writeStates(root, accounts) });
    expect(report.ok).toBe(false);
    expect(report.results).toHaveLength(1000);
    const failed = report.results.filter((r) => !r.up.ok);
    expect(failed).toEqual([{ name: "acct-613", server: "DemoServer", up: { ok: false, error: { code: "RELX_CODE_CHANGE_FAILED", message: expect.any(String) } } }]);
    expect(failed[0]!.up.error!.message).toBe(
      `DemoServer.codeChange("1") failed for acct-613: TypeError: Cannot read properties of null (reading 'toFixed') (at state.money, which is null)`,
    );
    expect(report.results.filter((r) => r.roundTrip === true)).toHaveLength(999);
  });
});

describe("a check from init", () => {
  it("evaluates the old boot spec with the app's config resolved from the check's environment", async () => {
    const root = await configuredBankRoot();
    const saved = { ...process.env };
    try {
      delete process.env.BANK_START;
      delete process.env.BANK_OWNER;
      const missing = await checkUpgrade({ root, from: "1.0.0", to: "2.0.0" }).catch((err) => err);
      expect(missing).toMatchObject({ code: "RELX_BAD_APP_CONFIG", hint: expect.stringContaining("--states") });
      expect(missing.message).toContain("BANK_OWNER");
      process.env.BANK_OWNER = "blackode";
      expect((await checkUpgrade({ root, from: "1.0.0", to: "2.0.0" })).results).toEqual([{ name: "blackode", server: "DemoServer", up: ok, down: ok, roundTrip: true }]);
      process.env.BANK_START = "5000";
      const rich = await checkUpgrade({ root, from: "1.0.0", to: "2.0.0" });
      expect(rich.results[0]!.up.error!.message).toBe(`DemoServer.codeChange("1") failed for blackode: too rich: 5000`);
    } finally {
      // In place: a plain object assigned to process.env is no longer Node's env (vi.stubEnv and
      // unstubAllEnvs then miss it, in whatever runs next in this worker).
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

describe("a bounded check", () => {
  it("reports a codeChange that hangs, one that loops, and one that loops after an await, and checks the rest", async () => {
    const root = await waysRoot();
    const report = await runCheckUpgrade({ root, from: "1.0.0", to: "2.0.0" });
    const byName = new Map(report.result.results.map((r) => [r.name, r]));
    expect([...byName.keys()]).toEqual(["fine", "hangs", "loops", "loopsafterawait", "lossy", "chatty", "needsextra"]);
    expect(report.result.ok).toBe(false);
    expect(byName.get("fine")).toEqual({ name: "fine", server: "Fine", up: ok, down: ok, roundTrip: true });
    expect(byName.get("hangs")!.up.error).toEqual({
      code: "RELX_CODE_CHANGE_FAILED",
      message: `Hangs.codeChange("1") failed for hangs: did not settle within 300 ms (codeChangeTimeoutMs)`,
    });
    expect(byName.get("loops")!.up.error).toEqual({
      code: "RELX_CODE_CHANGE_FAILED",
      message: `Loops.codeChange("1") failed for loops: did not return within 300 ms: it blocks its thread (a synchronous loop?); the check cut it off`,
    });
    const afterAwait = byName.get("loopsafterawait")!;
    expect(afterAwait.up).toEqual(ok);
    expect(afterAwait.down!.error!.message).toBe(
      `LoopsAfterAwait.codeChange({ down: "1" }) failed for loopsafterawait: did not settle within 300 ms and blocks its thread (a loop after an await?); the check cut it off`,
    );
    expect(afterAwait.roundTrip).toBeUndefined();
    // A round trip that differs is reported, and is not a failure of its own.
    expect(byName.get("lossy")).toEqual({ name: "lossy", server: "Lossy", up: ok, down: ok, roundTrip: false });
    expect(byName.get("chatty")).toEqual({ name: "chatty", server: "Chatty", up: ok, down: ok, roundTrip: true });
    expect(byName.get("needsextra")!.up.error!.message).toBe(`NeedsExtra.codeChange("1") failed for needsextra: run me with extra { go: true }`);
    expect(report.added).toEqual(["Added"]);
    expect(report.removed).toEqual(["Gone"]);
  });
});

describe("what checkUpgrade refuses", () => {
  it("a vsn that is not semver, a release that does not exist, a way down, and malformed states", async () => {
    const root = bank;
    const refusal = (options: Partial<Parameters<typeof checkUpgrade>[0]>) =>
      checkUpgrade({ root, from: "1.0.0", to: "2.0.0", ...options }).then(() => undefined, (err) => ({ code: err.code, message: err.message }));
    expect(await refusal({ to: "2.0" })).toEqual({ code: "RELX_BAD_VSN", message: `<to> "2.0" is not a semver version` });
    expect(await refusal({ to: "3.0.0" })).toEqual({ code: "RELX_NO_SUCH_RELEASE", message: `release 3.0.0 of bank does not exist in ${join(root, "releases")}` });
    expect(await refusal({ from: "2.0.0", to: "1.0.0" })).toMatchObject({ code: "RELX_WRONG_DIRECTION" });
    expect(await refusal({ states: join(root, "nope.json") })).toEqual({ code: "RELX_BAD_ARGUMENT", message: `the states file ${join(root, "nope.json")} does not exist` });
    const bad = { processes: [{ name: "a", pid: "<0.1.0>", server: 7, vsn: "1", state: {} }] } as never;
    expect(await refusal({ states: bad })).toEqual({ code: "RELX_BAD_ARGUMENT", message: "the states: processes[0].server expected a non-empty string, got number 7" });
  });
});
