import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/release/config.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

async function appWith(files: Record<string, string>): Promise<string> {
  const root = tempRoot();
  await writeFiles(root, { "package.json": JSON.stringify({ name: "bank", version: "1.2.3" }), ...files });
  return root;
}

const badConfig = (message: RegExp) => ({ code: "RELX_BAD_CONFIG", message: expect.stringMatching(message) });

describe("loadConfig", () => {
  it("fills in every default", async () => {
    const root = await appWith({});
    const config = await loadConfig(root);
    expect(config).toEqual({
      root, name: "bank", version: "1.2.3", srcDir: join(root, "src"), app: join(root, "src/app.ts"),
      releasesDir: join(root, "releases"), socket: join(root, ".relx/relx.sock"), suspendTimeoutMs: 5000, codeChangeTimeoutMs: 5000, callTimeoutMs: 5000,
      logMaxBytes: 10 * 1024 * 1024, nodeRange: ">=20.10", onGiveUp: "stay", hookTimeoutMs: 30000, evalTimeoutMs: 5000, envFile: null,
    });
  });

  it("reads relx.config.json, engines.node, and finds the app module's extension", async () => {
    const root = await appWith({
      "package.json": JSON.stringify({ name: "bank", version: "1.0.0", engines: { node: ">=22" } }),
      "relx.config.json": JSON.stringify({ srcDir: "lib-src", callTimeoutMs: 100, name: "vault" }),
      "lib-src/app.mjs": "export default { processes: [] };\n",
    });
    expect(await loadConfig(root)).toMatchObject({ name: "vault", srcDir: join(root, "lib-src"), app: join(root, "lib-src/app.mjs"), callTimeoutMs: 100, nodeRange: ">=22" });
  });

  it("reads the relx key of package.json", async () => {
    const root = await appWith({ "package.json": JSON.stringify({ name: "bank", relx: { releasesDir: "out/rel" } }) });
    expect(await loadConfig(root)).toMatchObject({ releasesDir: join(root, "out/rel"), version: "" });
  });

  it("refuses an unknown key, naming it and the file", async () => {
    const root = await appWith({ "relx.config.json": JSON.stringify({ srcdir: "src" }) });
    await expect(loadConfig(root)).rejects.toMatchObject(badConfig(/relx\.config\.json: unknown key "srcdir"/));
    const root2 = await appWith({ "package.json": JSON.stringify({ name: "bank", relx: { sockett: "x" } }) });
    await expect(loadConfig(root2)).rejects.toMatchObject(badConfig(/package\.json: unknown key "relx\.sockett"/));
  });

  it("refuses a value of the wrong type, saying what was expected and what it got", async () => {
    const root = await appWith({ "relx.config.json": JSON.stringify({ suspendTimeoutMs: "5s" }) });
    await expect(loadConfig(root)).rejects.toMatchObject(
      badConfig(/relx\.config\.json: "suspendTimeoutMs" expected a positive integer \(milliseconds\), got "5s"/));
    const root2 = await appWith({ "relx.config.json": JSON.stringify({ srcDir: 3 }) });
    await expect(loadConfig(root2)).rejects.toMatchObject(badConfig(/"srcDir" expected a non-empty string, got number 3/));
    const root4 = await appWith({ "relx.config.json": JSON.stringify({ logMaxBytes: 0.5 }) });
    await expect(loadConfig(root4)).rejects.toMatchObject(badConfig(/"logMaxBytes" expected a positive integer \(bytes\), got number 0\.5/));
    const root3 = await appWith({ "package.json": JSON.stringify({ name: "bank", relx: [] }) });
    await expect(loadConfig(root3)).rejects.toMatchObject(badConfig(/package\.json: "relx" expected an object, got an array/));
  });

  it("refuses a file that does not parse", async () => {
    const root = await appWith({ "relx.config.json": "{ srcDir: 'src' " });
    await expect(loadConfig(root)).rejects.toMatchObject(badConfig(/relx\.config\.json is not valid JSON/));
    const root2 = await appWith({ "package.json": "{" });
    await expect(loadConfig(root2)).rejects.toMatchObject(badConfig(/package\.json is not valid JSON/));
  });

  it("refuses config in both places, a missing package.json, and an app without a name", async () => {
    const both = await appWith({
      "package.json": JSON.stringify({ name: "bank", relx: {} }),
      "relx.config.json": "{}",
    });
    await expect(loadConfig(both)).rejects.toMatchObject(badConfig(/config is in both/));
    const empty = tempRoot();
    await expect(loadConfig(empty)).rejects.toMatchObject({ ...badConfig(/no package\.json at/), hint: expect.stringContaining("--root") });
    const nameless = await appWith({ "package.json": JSON.stringify({ version: "1.0.0" }) });
    await expect(loadConfig(nameless)).rejects.toMatchObject(badConfig(/the app has no "name"/));
  });
});
