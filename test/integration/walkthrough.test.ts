// The seed's walk-through through the real CLI and daemon: build v1, start, call, state,
// build v2, upgrade, call, status, downgrade, restart on the permanent release.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyV2, builtExample, copyExample } from "../fixtures/bank.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";

afterEach(cleanupRoots);

describe("the seed walk-through", () => {
  it("upgrades blackode from v1 to v2 keeping the state, downgrades, and restarts on the permanent release", async () => {
    const root = tempRoot();
    copyExample(root);
    expect((await relx(root, ["build"])).code).toBe(0);
    const started = await relx(root, ["start"]);
    expect(started.code, started.stderr).toBe(0);

    expect((await relxJson(root, ["call", "blackode", '{"add":30000}'])).json).toBe("30000 added to blackode ");
    expect((await relxJson(root, ["state", "blackode"])).json).toEqual({ name: "blackode", money: 60000 });

    applyV2(root);
    expect((await relx(root, ["build", "--vsn", "2.0.0"])).code).toBe(0);
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.json).toMatchObject({ ok: true, from: "1.0.0", to: "2.0.0", started: [], stopped: [] });
    expect(up.json.changed).toEqual([{ name: "blackode", server: "DemoServer", fromVsn: "1", toVsn: "2" }]);
    expect(typeof up.json.pauseMs).toBe("number");
    // An idle process and a synchronous codeChange: the fast path, one synchronous pass.
    expect(readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8")).toMatch(/upgrade 1\.0\.0 -> 2\.0\.0: 1 changed, .*\(one fused pass: change [\d.]+, record [\d.]+; codeChange tried ahead for 1\), .*; held [\d.]+ ms at a stretch \(plan and pause\)/);

    expect((await relxJson(root, ["state", "blackode"])).json).toEqual({ name: "blackode", salary: 60000 });
    expect((await relxJson(root, ["call", "blackode", '{"add":100000}'])).json).toEqual({ name: "blackode", salary: 160000 });

    const status = (await relxJson(root, ["status"])).json;
    expect(status).toMatchObject({ name: "bank", vsn: "2.0.0", permanent: "2.0.0", lastUpgrade: { from: "1.0.0", to: "2.0.0" } });
    expect(status.processes).toEqual([{ name: "blackode", pid: expect.any(String), server: "DemoServer", vsn: "2", status: "running", queue: 0, restarts: 0, handled: expect.any(Number) }]);
    expect(status.releases).toEqual([{ vsn: "1.0.0", state: "old" }, { vsn: "2.0.0", state: "permanent" }]);

    const down = await relxJson(root, ["downgrade", "1.0.0"]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.json.changed).toEqual([{ name: "blackode", server: "DemoServer", fromVsn: "2", toVsn: "1" }]);
    expect((await relxJson(root, ["state", "blackode"])).json).toEqual({ name: "blackode", money: 160000 });
    expect((await relxJson(root, ["call", "blackode", '{"add":1}'])).json).toBe("1 added to blackode ");

    // A restarted daemon boots the permanent release (1.0.0 after the downgrade), from its boot spec.
    expect((await relx(root, ["stop"])).code).toBe(0);
    expect((await relx(root, ["ping"])).code).toBe(3);
    expect((await relx(root, ["start"])).code).toBe(0);
    const after = (await relxJson(root, ["status"])).json;
    expect(after).toMatchObject({ vsn: "1.0.0", permanent: "1.0.0" });
    expect((await relxJson(root, ["state", "blackode"])).json).toEqual({ name: "blackode", money: 30000 });
  });

  it("serves its socket owner-only and refuses a second start", async () => {
    const root = tempRoot();
    copyExample(root);
    await relx(root, ["build"]);
    expect((await relx(root, ["start"])).code).toBe(0);
    expect(statSync(join(root, ".relx", "relx.sock")).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, ".relx")).mode & 0o777).toBe(0o700);
    const second = await relxJson(root, ["start"]);
    expect(second.code).toBe(1);
    expect(second.json.error.code).toBe("RELX_DAEMON_RUNNING");
    expect((await relx(root, ["ping"])).code).toBe(0);
  });
});

describe("the bank example's v2 on its own", () => {
  it("starts blackode from the boot spec's v1-shaped args in the v2 shape (a fresh node, or a restart after the upgrade)", async () => {
    const root = tempRoot();
    await builtExample(root, { v2: true });
    // No release is permanent yet: the node boots the newest, 2.0.0, and runs v2's init on { name, money }.
    const started = await relx(root, ["start"]);
    expect(started.code, started.stderr).toBe(0);
    expect((await relxJson(root, ["state", "blackode"])).json).toEqual({ name: "blackode", salary: 30000 });
    expect((await relxJson(root, ["call", "blackode", '{"add":5}'])).json).toEqual({ name: "blackode", salary: 30005 });
    expect((await relx(root, ["restart", "blackode"])).code).toBe(0);
    expect((await relxJson(root, ["state", "blackode"])).json).toEqual({ name: "blackode", salary: 30000 });
  });
});
