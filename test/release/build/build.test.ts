import { createHash } from "node:crypto";
import { appendFile, readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { build } from "../../../src/release/build/build.js";
import { defaultExport, loadModule } from "../../../src/release/load-module.js";
import { readReleases } from "../../../src/release/store/releases-store.js";
import { readManifest, verifyRelease } from "../../../src/release/store/verify.js";
import { HOST, makeBank, writeBank } from "../../fixtures/bank.js";
import { cleanupRoots } from "../../support/temp-root.js";

afterEach(cleanupRoots);

const sha = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

describe("build: the bank, v1 then v2", () => {
  it("records servers, boot spec, files and plans in release.json", async () => {
    const root = await makeBank({ version: "1.0.0", demo: 1 });
    const v1 = await build({ root });
    expect(v1.vsn).toBe("1.0.0");
    expect(v1.dir).toBe(join(root, "releases", "1.0.0"));
    expect((await readdir(join(root, "releases"))).sort()).toEqual(["1.0.0", "RELEASES"]);
    const m1 = await readManifest(v1.dir);
    expect(m1).toEqual(v1.manifest);
    expect(m1).toMatchObject({ format: 1, name: "bank", vsn: "1.0.0", node: ">=20.10", plans: {} });
    expect(m1.app).toMatchObject({ file: "lib/app.cjs", source: "src/app.ts" });
    expect(Object.keys(m1.files)).toEqual(["lib/app.cjs", "lib/counter.cjs", "lib/demo_server.cjs"]);
    for (const [file, hash] of Object.entries(m1.files)) expect(sha(await readFile(join(v1.dir, file)))).toBe(hash);
    expect(m1.servers).toEqual([
      { name: "Counter", vsn: "1.0.0", declaredVsn: null, file: "lib/counter.cjs", source: "src/counter.ts", sha256: m1.files["lib/counter.cjs"], hasCodeChange: false },
      { name: "DemoServer", vsn: "1", declaredVsn: "1", file: "lib/demo_server.cjs", source: "src/demo_server.ts", sha256: m1.files["lib/demo_server.cjs"], hasCodeChange: false },
    ]);
    // Only name, server and restart: args are evaluated where the release runs, never recorded.
    expect(m1.boot.processes).toEqual([
      { name: "blackode", server: "DemoServer", restart: "permanent" },
      { name: "counter", server: "Counter", restart: "permanent" },
    ]);
    expect(m1.config).toEqual([]);
    expect(m1.relx).toMatch(/^\d+\.\d+\.\d+/);
    expect(await readReleases(join(root, "releases"))).toEqual([{ vsn: "1.0.0", state: "unpacked" }]);

    await writeBank(root, { version: "1.1.0", demo: 2 });
    const v2 = await build({ root });
    const m2 = await verifyRelease(v2.dir, "bank");
    expect(v2.warnings).toEqual([]);
    expect(m2.servers.find((s) => s.name === "DemoServer")).toMatchObject({ vsn: "2", declaredVsn: "2", hasCodeChange: true });
    // Counter's code did not change: it keeps the vsn of the release it first shipped in.
    expect(m2.servers.find((s) => s.name === "Counter")).toMatchObject({ vsn: "1.0.0", sha256: m1.files["lib/counter.cjs"] });
    expect(m2.plans).toEqual({
      "1.0.0": {
        up: {
          changed: [{ name: "DemoServer", fromVsn: "1", toVsn: "2" }], added: [], removed: [],
          steps: [
            { op: "change-code", processes: ["blackode"], server: "DemoServer", fromVsn: "1", toVsn: "2", oldVsn: "1" },
            { op: "rebind", processes: ["counter"], server: "Counter", vsn: "1.0.0" },
          ],
        },
        down: {
          changed: [{ name: "DemoServer", fromVsn: "2", toVsn: "1" }], added: [], removed: [],
          steps: [
            { op: "change-code", processes: ["blackode"], server: "DemoServer", fromVsn: "2", toVsn: "1", oldVsn: { down: "1" } },
            { op: "rebind", processes: ["counter"], server: "Counter", vsn: "1.0.0" },
          ],
        },
      },
    });
    expect(await readReleases(join(root, "releases"))).toEqual([
      { vsn: "1.0.0", state: "unpacked" },
      { vsn: "1.1.0", state: "unpacked" },
    ]);
  });

  it("compiles servers that run: v2's codeChange turns money into salary", async () => {
    const root = await makeBank({ demo: 2 });
    const { dir } = await build({ root });
    const demo = defaultExport(loadModule(join(dir, "lib/demo_server.cjs"), HOST)) as any;
    const state = demo.codeChange("1", { name: "blackode", money: 30000 }, null);
    expect(state).toEqual({ name: "blackode", salary: 30000 });
    expect(demo.handleCall({ add: 5 }, null, state)).toEqual({
      reply: "5 added to blackode's salary",
      state: { name: "blackode", salary: 30005 },
    });
    expect(demo.codeChange({ down: "1" }, state, null)).toEqual({ name: "blackode", money: 30000 });
  });

  it("takes --vsn over package.json and createdAt from SOURCE_DATE_EPOCH", async () => {
    const root = await makeBank({ version: "1.0.0" });
    process.env.SOURCE_DATE_EPOCH = "1700000000";
    try {
      const result = await build({ root, vsn: "3.0.0-rc.1" });
      expect(result.vsn).toBe("3.0.0-rc.1");
      expect(result.manifest.createdAt).toBe("2023-11-14T22:13:20.000Z");
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
  });

  it("warns about a changed server without codeChange, and gives it this release's vsn", async () => {
    const root = await makeBank();
    await build({ root });
    await writeBank(root, { version: "1.0.1" });
    await appendFile(join(root, "src/counter.ts"), "export const touched = 1;\n");
    const result = await build({ root });
    expect(result.warnings).toEqual([expect.stringContaining('server "Counter" changed since release 1.0.0 and has no codeChange')]);
    expect(result.manifest.servers.find((s) => s.name === "Counter")?.vsn).toBe("1.0.1");
  });
});
