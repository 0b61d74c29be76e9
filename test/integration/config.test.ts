// Runtime config and hooks through the real CLI and daemon: one tarball, two roots, different PORTs
// (environment vs env file), values never in the release; a missing value refuses the start and, for
// a key new in the target, the upgrade; the env file is read again at each upgrade; hooks succeed,
// fail (nothing touched) and time out.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

function writeSvc(root: string, version: "1.0.0" | "2.0.0"): void {
  const v2 = version === "2.0.0";
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "svc", version, type: "module" }),
    "relx.config.json": JSON.stringify({ hookTimeoutMs: 400 }),
    "src/app.ts": `import { existsSync, writeFileSync } from "node:fs";
import { defineApp } from "relx";
export default defineApp({
  config: {
    port: { env: "PORT", type: "number" },
    greeting: { env: "GREETING", type: "string", default: "hi" },
    token: { env: "API_TOKEN", type: "string", sensitive: true, default: "dev-token" },${v2 ? `
    region: { env: "REGION", type: "string" },` : ""}
  },
  processes: (c) => [
    { name: "web", server: "Web", args: { port: c.port, greeting: c.greeting } },${v2 ? `
    { name: "reporter", server: "Web", args: { region: c.region } },` : ""}
  ],
  hooks: {
    beforeUpgrade() {
      if (existsSync("refuse")) throw new Error("not today");
      if (existsSync("hang")) return new Promise(() => {});
    },
    afterUpgrade(info) {
      if (existsSync("after-fails")) throw new Error("after broke");
      writeFileSync("after-upgrade.json", JSON.stringify(info));
    },
  },
});
`,
    "src/web.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "Web",
  vsn: "${v2 ? "2" : "1"}",
  init: (args) => args,
  handleCall: (_msg, _from, state) => ({ reply: { ...state, v: ${v2 ? 2 : 1} }, state }),
  codeChange: (_old, state) => state,
});
`,
  });
}

/** Every text a release carries: release.json and its tarball, unzipped. */
function releaseText(root: string, vsn: string): string {
  const tarball = readFileSync(join(root, "releases", `svc-${vsn}.tar.gz`));
  return readFileSync(join(root, "releases", vsn, "release.json"), "utf8") + gunzipSync(tarball).toString("latin1");
}

describe("runtime config", () => {
  it("runs one release on two roots with different values, read where it runs and never recorded", async () => {
    const a = tempRoot();
    writeSvc(a, "1.0.0");
    const built = await relxJson(a, ["build", "--tar"], { env: { PORT: "5555" } });
    expect(built.code, built.stderr).toBe(0);
    expect(built.json.warnings).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(a, "releases", "1.0.0", "release.json"), "utf8"));
    expect(manifest.boot.processes).toEqual([{ name: "web", server: "Web", restart: "permanent" }]);
    expect(manifest.config).toEqual([
      { key: "port", env: "PORT", type: "number", sensitive: false },
      { key: "greeting", env: "GREETING", type: "string", sensitive: false, default: "hi" },
      { key: "token", env: "API_TOKEN", type: "string", sensitive: true },
    ]);
    expect(releaseText(a, "1.0.0")).not.toContain("5555");
    // A sensitive key's default is in the code as written, but release.json does not repeat it.
    expect(readFileSync(join(a, "releases", "1.0.0", "release.json"), "utf8")).not.toContain("dev-token");

    const b = tempRoot();
    writeSvc(b, "1.0.0");
    expect((await relx(b, ["unpack", join(a, "releases", "svc-1.0.0.tar.gz")])).code).toBe(0);
    writeFileSync(join(b, "prod.env"), "PORT=7002\nAPI_TOKEN=s3cret\n");

    expect((await relx(a, ["start"], { env: { PORT: "7001" } })).code).toBe(0);
    // The env file wins over the environment, so editing it and upgrading changes the value.
    expect((await relx(b, ["start", "--env-file", join(b, "prod.env")], { env: { PORT: "9999" } })).code).toBe(0);
    expect((await relxJson(a, ["call", "web", '"get"'])).json).toEqual({ port: 7001, greeting: "hi", v: 1 });
    expect((await relxJson(b, ["call", "web", '"get"'])).json).toEqual({ port: 7002, greeting: "hi", v: 1 });
    const shown = await relxJson(b, ["config"]);
    expect(shown.json).toEqual({ config: [
      { key: "port", env: "PORT", value: 7002, source: "env-file" },
      { key: "greeting", env: "GREETING", value: "hi", source: "default" },
      { key: "token", env: "API_TOKEN", value: "[sensitive]", source: "env-file" },
    ] });
    expect((await relx(b, ["config"])).stdout).not.toContain("s3cret");

    // v2 needs REGION: refused while it is unset, nothing touched; set in the env file, it upgrades.
    writeSvc(b, "2.0.0");
    expect((await relx(b, ["build"])).code).toBe(0);
    const refused = await relxJson(b, ["upgrade", "2.0.0"]);
    expect(refused.code).toBe(1);
    expect(refused.json).toMatchObject({ ok: false, rolledBack: false, error: { code: "RELX_BAD_APP_CONFIG" } });
    expect(refused.json.error.message).toContain("REGION");
    expect((await relxJson(b, ["status"])).json).toMatchObject({ vsn: "1.0.0" });
    writeFileSync(join(b, "prod.env"), "PORT=7002\nAPI_TOKEN=s3cret\nREGION=eu-west\n");
    const up = await relxJson(b, ["upgrade", "2.0.0"]);
    expect(up.json).toMatchObject({ ok: true, started: ["reporter"] });
    expect(up.json.hookError).toBeUndefined();
    expect((await relxJson(b, ["call", "reporter", '"get"'])).json).toEqual({ region: "eu-west", v: 2 });
    expect(JSON.parse(readFileSync(join(b, "after-upgrade.json"), "utf8"))).toEqual({ from: "1.0.0", to: "2.0.0", direction: "up" });
    expect(readFileSync(join(b, ".relx", "log", "daemon.log"), "utf8")).not.toContain("s3cret");
  });

  it("refuses to start when a required value is unset, naming the key and the variable", async () => {
    const root = tempRoot();
    writeSvc(root, "1.0.0");
    expect((await relx(root, ["build"])).code).toBe(0);
    // An empty variable counts as unset.
    const start = await relxJson(root, ["start"], { env: { PORT: "" } });
    expect(start.code).toBe(1);
    expect(start.json).toMatchObject({ ok: false, error: { code: "RELX_BAD_APP_CONFIG", message: 'config key "port" needs PORT, which is not set' } });
    expect((await relx(root, ["ping"])).code).toBe(3);
    const bad = await relxJson(root, ["start"], { env: { PORT: "eighty" } });
    expect(bad.json.error).toMatchObject({ code: "RELX_BAD_APP_CONFIG", message: 'config key "port": PORT expected a number, got "eighty"' });
  });
});

describe("hooks", () => {
  async function twoVersions(): Promise<string> {
    const root = tempRoot();
    writeSvc(root, "1.0.0");
    expect((await relx(root, ["build"])).code).toBe(0);
    expect((await relx(root, ["start"], { env: { PORT: "1", REGION: "x" } })).code).toBe(0);
    writeSvc(root, "2.0.0");
    expect((await relx(root, ["build"])).code).toBe(0);
    return root;
  }

  it("a throwing beforeUpgrade fails the upgrade with nothing touched; a dry run lists the hooks and runs none", async () => {
    const root = await twoVersions();
    writeFileSync(join(root, "refuse"), "");
    const dry = await relxJson(root, ["upgrade", "2.0.0", "--dry-run"]);
    expect(dry.json).toMatchObject({ ok: true, dryRun: true, hooks: ["beforeUpgrade", "afterUpgrade"] });
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code).toBe(1);
    expect(up.json).toMatchObject({ ok: false, rolledBack: false, error: { code: "RELX_HOOK_FAILED" } });
    expect(up.json.error.message).toContain("not today");
    expect((await relxJson(root, ["status"])).json).toMatchObject({ vsn: "1.0.0" });
    expect(existsSync(join(root, "after-upgrade.json"))).toBe(false);
  });

  it("a failing afterUpgrade is reported without --json too: the upgrade stands, the hook's error is shown", async () => {
    const root = await twoVersions();
    writeFileSync(join(root, "after-fails"), "");
    const up = await relx(root, ["upgrade", "2.0.0"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^relx: upgraded 1\.0\.0 → 2\.0\.0 /);
    expect(up.stdout + up.stderr).toMatch(/the afterUpgrade hook failed: after broke/);
    expect((await relxJson(root, ["status"])).json).toMatchObject({ vsn: "2.0.0" });
  });

  it("a beforeUpgrade that never returns times out after hookTimeoutMs, and the node stays usable", async () => {
    const root = await twoVersions();
    writeFileSync(join(root, "hang"), "");
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.json).toMatchObject({ ok: false, rolledBack: false, error: { code: "RELX_HOOK_FAILED" } });
    expect(up.json.error.message).toContain("did not return within 400 ms");
    expect((await relxJson(root, ["call", "web", '"get"'])).json).toMatchObject({ v: 1 });
  });
});
