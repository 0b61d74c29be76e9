// What a build leaves for the daemon in .relx/manifests (src/release/store/built-manifest.ts): the
// very LoadedManifest a read of the release.json gives, used only while that file is the one.
import { execFileSync } from "node:child_process";
import { chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { build } from "../../../src/release/build/build.js";
import { loadConfig } from "../../../src/release/config.js";
import { removeRelease } from "../../../src/release/store/remove-release.js";
import { builtManifestsDir, readBuiltManifest } from "../../../src/release/store/built-manifest.js";
import { fileIdentity } from "../../../src/release/store/file-identity.js";
import { loadedManifest, readManifest } from "../../../src/release/store/read-manifest.js";
import { makeBank } from "../../fixtures/bank.js";
import { cleanupRoots } from "../../support/temp-root.js";

afterEach(cleanupRoots);

const identityOf = (dir: string) => fileIdentity(join(dir, "release.json"));

describe("what a build leaves for the daemon", () => {
  it("is what a read of its release.json keeps, and is used only while that file is the one", async () => {
    const root = await makeBank({ version: "1.0.0", demo: 1 });
    mkdirSync(join(root, ".relx"), { mode: 0o700 }); // a daemon has run here
    const { dir } = await build({ root });
    const manifests = builtManifestsDir(root);
    expect(readdirSync(manifests)).toHaveLength(1);
    const left = await readBuiltManifest(manifests, dir, await identityOf(dir));
    expect(left).toEqual(loadedManifest(await readManifest(dir)));

    // Another release directory, or the file rewritten (the same bytes, a new identity): not used.
    expect(await readBuiltManifest(manifests, join(root, "releases", "9.9.9"), await identityOf(dir))).toBeNull();
    writeFileSync(join(dir, "release.json"), readFileSync(join(dir, "release.json")));
    expect(await readBuiltManifest(manifests, dir, await identityOf(dir))).toBeNull();
    expect(await readBuiltManifest(manifests, dir, null)).toBeNull();
  });

  it("is not used when hand-edited, and a build makes no .relx of its own, nor writes to one that is not private", async () => {
    const root = await makeBank({ version: "1.0.0", demo: 1 });
    const { dir } = await build({ root });
    expect(existsSync(join(root, ".relx"))).toBe(false);

    const other = await makeBank({ version: "1.0.0", demo: 1 });
    mkdirSync(join(other, ".relx"), { mode: 0o700 });
    chmodSync(join(other, ".relx"), 0o777);
    await build({ root: other });
    expect(existsSync(builtManifestsDir(other))).toBe(false);

    const third = await makeBank({ version: "1.0.0", demo: 1 });
    mkdirSync(join(third, ".relx"), { mode: 0o700 });
    const built = await build({ root: third });
    const manifests = builtManifestsDir(third);
    const file = join(manifests, readdirSync(manifests)[0]!);
    const entry = JSON.parse(readFileSync(file, "utf8"));
    entry.manifest.boot = { processes: [] }; // not the shape a build writes
    writeFileSync(file, JSON.stringify(entry));
    expect(await readBuiltManifest(manifests, built.dir, await identityOf(built.dir))).toBeNull();
    writeFileSync(file, "{ not json");
    expect(await readBuiltManifest(manifests, built.dir, await identityOf(built.dir))).toBeNull();
    expect(dir).toBe(join(root, "releases", "1.0.0"));
  });

  it("is never left for a release.json a read would refuse: such a release is not built at all", async () => {
    // An empty engines.node, and a config key with no name: the schema of release.json wants a
    // node range and a key name, so the build refuses both before installing anything.
    const root = await makeBank({ version: "1.0.0", demo: 1, pkg: { engines: { node: "" } } });
    mkdirSync(join(root, ".relx"), { mode: 0o700 });
    await expect(build({ root })).rejects.toMatchObject({ code: "RELX_BAD_CONFIG", message: expect.stringContaining('"engines.node" expected a non-empty version range') });
    expect(existsSync(join(root, "releases", "1.0.0"))).toBe(false);
    expect(existsSync(builtManifestsDir(root)) ? readdirSync(builtManifestsDir(root)) : []).toEqual([]);

    const keyless = await makeBank({ version: "1.0.0", demo: 1 });
    const app = join(keyless, "src", "app.ts");
    writeFileSync(app, readFileSync(app, "utf8").replace("export default defineApp({", 'export default defineApp({\n  config: { "": { env: "X", type: "string", default: "x" } },'));
    await expect(build({ root: keyless })).rejects.toMatchObject({ code: "RELX_BAD_BOOT_SPEC", message: expect.stringContaining('key "": a config key needs a name') });
    expect(existsSync(join(keyless, "releases", "1.0.0"))).toBe(false);
  });

  it("is not opened when it is a pipe, a link or a device: a read of one would hold the daemon's read for good", async () => {
    const root = await makeBank({ version: "1.0.0", demo: 1 });
    mkdirSync(join(root, ".relx"), { mode: 0o700 });
    const { dir } = await build({ root });
    const manifests = builtManifestsDir(root);
    const file = join(manifests, readdirSync(manifests)[0]!);
    const good = readFileSync(file);
    const identity = await identityOf(dir);

    rmSync(file);
    execFileSync("mkfifo", [file]);
    try {
      expect(await readBuiltManifest(manifests, dir, identity)).toBeNull();
    } finally {
      // Should it have been opened, a writer that closes at once ends the read.
      try {
        closeSync(openSync(file, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // no reader: nothing waits
      }
    }
    rmSync(file);
    symlinkSync("/dev/zero", file);
    expect(await readBuiltManifest(manifests, dir, identity)).toBeNull();
    // A link to the very entry is not followed either: the build never leaves one.
    rmSync(file);
    writeFileSync(`${file}.real`, good);
    symlinkSync(`${file}.real`, file);
    expect(await readBuiltManifest(manifests, dir, identity)).toBeNull();
    rmSync(file);
    writeFileSync(file, good);
    expect(await readBuiltManifest(manifests, dir, identity)).not.toBeNull();
  });

  it("writes no entry through a link left where its temporary file goes", async () => {
    const root = await makeBank({ version: "1.0.0", demo: 1 });
    mkdirSync(join(root, ".relx", "manifests"), { recursive: true, mode: 0o700 });
    const dir = join(root, "releases", "1.0.0");
    const name = createHash("sha256").update(dir).digest("hex").slice(0, 32);
    const outside = join(root, "outside.txt");
    writeFileSync(outside, "not relx's\n");
    symlinkSync(outside, join(builtManifestsDir(root), `${name}.json.${process.pid}.tmp`));
    await build({ root });
    expect(readFileSync(outside, "utf8")).toBe("not relx's\n");
    expect(await readBuiltManifest(builtManifestsDir(root), dir, await identityOf(dir))).not.toBeNull();
  });

  it("goes with its release: relx remove leaves no entry behind", async () => {
    const root = await makeBank({ version: "1.0.0", demo: 1 });
    mkdirSync(join(root, ".relx"), { mode: 0o700 });
    await build({ root });
    const { dir } = await build({ root, vsn: "1.1.0" });
    const manifests = builtManifestsDir(root);
    expect(readdirSync(manifests)).toHaveLength(2);
    await removeRelease({ config: await loadConfig(root), vsn: "1.0.0", runningNode: async () => undefined });
    expect(readdirSync(manifests)).toHaveLength(1);
    expect(await readBuiltManifest(manifests, dir, await identityOf(dir))).not.toBeNull();
  });
});
