// relx state --all and relx check-upgrade through the real CLI: states recorded on a live daemon
// fed back to the check, the exit codes, and the --json document exactly.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyV2, builtExample, copyExample } from "../fixtures/bank.js";
import { bankRoot, build, CENTS_V2, waysRoot, writeStates } from "../fixtures/check-apps.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

/** Accounts spawned unnamed by a teller at boot; v2 keeps balances in cents. */
const account = (vsn: 1 | 2) => `import { defineServer } from "relx";
export default defineServer({
  name: "Account",
  vsn: "${vsn}",
  init: (args: any) => args,
  handleCall(_msg: unknown, _from: unknown, state: any) { return { reply: state, state }; },
  ${vsn === 2 ? `codeChange(oldVsn: any, state: any) {
    if (typeof oldVsn === "string") return { owner: state.owner, cents: Math.round(state.balance * 100) };
    return { owner: state.owner, balance: state.cents / 100 };
  },` : ""}
});
`;
const TELLER = `import { defineServer } from "relx";
import Account from "./account.js";
export default defineServer({
  name: "Teller",
  async init(_args: unknown, ctx) {
    await ctx.spawn(Account, { owner: "ann", balance: 12.5 });
    await ctx.spawn(Account, { owner: "bob", balance: 0.25 });
    return { opened: 2 };
  },
});
`;
const APP = `import { defineApp } from "relx";
export default defineApp({
  processes: [
    { name: "blackode", server: "DemoServer", args: { name: "blackode", money: 30000 } },
    { name: "teller", server: "Teller", args: null },
  ],
});
`;

describe("relx state --all", () => {
  it("records every live process of a running node, and check-upgrade checks those states", async () => {
    const root = tempRoot();
    copyExample(root);
    writeFiles(root, { "src/app.ts": APP, "src/teller.ts": TELLER, "src/account.ts": account(1) });
    await build(root);
    const started = await relx(root, ["start"]);
    expect(started.code, started.stderr).toBe(0);
    expect((await relx(root, ["call", "blackode", '{"add":12}'])).code).toBe(0);

    const recorded = await relxJson(root, ["state", "--all"]);
    expect(recorded.code).toBe(0);
    expect(recorded.json).toEqual({
      processes: [
        { name: "blackode", pid: "<0.1.0>", server: "DemoServer", vsn: "1", state: { name: "blackode", money: 30012 } },
        { name: "teller", pid: "<0.2.0>", server: "Teller", vsn: "1.0.0", state: { opened: 2 } },
        { name: null, pid: "<0.3.0>", server: "Account", vsn: "1", state: { owner: "ann", balance: 12.5 } },
        { name: null, pid: "<0.4.0>", server: "Account", vsn: "1", state: { owner: "bob", balance: 0.25 } },
      ],
    });
    const text = await relx(root, ["state", "--all"]);
    expect(text.stdout).toContain(`blackode  <0.1.0>  DemoServer  1      {"name":"blackode","money":30012}`);
    expect((await relx(root, ["state"])).code).toBe(2);
    const both = await relx(root, ["state", "blackode", "--all"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("name one process, or pass --all (not both)");
    const states = join(root, "states.json");
    writeFileSync(states, JSON.stringify(recorded.json));

    applyV2(root);
    writeFiles(root, { "src/account.ts": account(2) });
    await build(root, "2.0.0");
    const check = await relxJson(root, ["check-upgrade", "1.0.0", "2.0.0", "--states", states]);
    expect(check.code, check.stderr).toBe(0);
    const ok = { ok: true };
    expect(check.json).toEqual({
      ok: true,
      from: "1.0.0",
      to: "2.0.0",
      results: [
        { name: "blackode", server: "DemoServer", up: ok, down: ok, roundTrip: true },
        // Teller bundles Account's module, so its code changed too, as the upgrade would see it.
        { name: "teller", server: "Teller", up: ok, down: ok, roundTrip: true },
        { name: "<0.3.0>", server: "Account", up: ok, down: ok, roundTrip: true },
        { name: "<0.4.0>", server: "Account", up: ok, down: ok, roundTrip: true },
      ],
    });
    const human = await relx(root, ["check-upgrade", "1.0.0", "2.0.0", "--states", states]);
    expect(human.stdout).toContain("<0.3.0> (Account 1 → 2): ok, round trip equal");
    expect(human.stdout).toContain("teller (Teller 1.0.0 → 2.0.0): ok, round trip equal");
    expect(human.stdout).toContain("check-upgrade 1.0.0 → 2.0.0: 4 processes checked, all ok");
    // The check ran beside the node and left it alone.
    expect((await relxJson(root, ["state", "blackode"])).json).toEqual({ name: "blackode", money: 30012 });
  });
});

describe("relx check-upgrade", () => {
  it("exits 1 naming the one state out of 1,000 its codeChange cannot take", async () => {
    const root = await bankRoot(CENTS_V2);
    const accounts = Array.from({ length: 1000 }, (_, i) => ({ name: `acct-${i}`, money: i === 613 ? null : i }));
    const states = writeStates(root, accounts);
    const human = await relx(root, ["check-upgrade", "1.0.0", "2.0.0", "--states", states]);
    expect(human.code).toBe(1);
    const failures = human.stdout.split("\n").filter((line) => line.includes("FAILED"));
    expect(failures).toEqual([
      `acct-613 (DemoServer 1 → 2): FAILED up: DemoServer.codeChange("1") failed for acct-613: TypeError: Cannot read properties of null (reading 'toFixed') (at state.money, which is null)`,
    ]);
    expect(human.stdout).toContain("1000 processes checked, 1 failed");
    const json = await relxJson(root, ["check-upgrade", "1.0.0", "2.0.0", "--states", states]);
    expect(json.code).toBe(1);
    expect(Object.keys(json.json)).toEqual(["ok", "from", "to", "results"]);
    expect(json.json.ok).toBe(false);
    expect(json.json.results.filter((r: { up: { ok: boolean } }) => !r.up.ok).map((r: { name: string }) => r.name)).toEqual(["acct-613"]);
  });

  it("keeps what user code prints off stdout, passes --extra, and reports the hangs and loops", async () => {
    const root = await waysRoot();
    const r = await relxJson(root, ["check-upgrade", "1.0.0", "2.0.0", "--extra", '{"go":true}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('migrating "1"');
    const byName = Object.fromEntries(r.json.results.map((x: { name: string }) => [x.name, x]));
    expect(byName.needsextra).toEqual({ name: "needsextra", server: "NeedsExtra", up: { ok: true }, down: { ok: true }, roundTrip: true });
    expect(byName.hangs.up.error.message).toContain("did not settle within 300 ms");
    expect(byName.loops.up.error.message).toContain("it blocks its thread (a synchronous loop?)");
    const human = await relx(root, ["check-upgrade", "1.0.0", "2.0.0"]);
    expect(human.stdout).toContain("servers added in 2.0.0 (not checked): Added");
    expect(human.stdout).toContain("servers removed in 2.0.0 (not checked): Gone");
  });

  it("refuses a malformed command line (exit 2) and bad values (exit 1), touching nothing", async () => {
    const root = tempRoot();
    await builtExample(root);
    const before = readFileSync(join(root, "releases", "RELEASES"), "utf8");
    expect((await relx(root, ["check-upgrade", "1.0.0"])).code).toBe(2);
    const extra = await relxJson(root, ["check-upgrade", "1.0.0", "2.0.0", "--extra", "{nope"]);
    expect(extra).toMatchObject({ code: 1, json: { ok: false, error: { code: "RELX_BAD_ARGUMENT" } } });
    const missing = await relx(root, ["check-upgrade", "1.0.0", "2.0.0"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("relx: release 2.0.0 of bank does not exist");
    expect(missing.stderr).toContain("hint: see the releases with `relx releases`");
    expect(readFileSync(join(root, "releases", "RELEASES"), "utf8")).toBe(before);
  });
});
