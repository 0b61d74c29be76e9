import { appendFile, readFile, readdir, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tar from "tar";
import { afterEach, describe, expect, it } from "vitest";
import { build } from "../../../src/release/build/build.js";
import { readReleases } from "../../../src/release/store/releases-store.js";
import { unpack } from "../../../src/release/tarball/unpack.js";
import { verifyRelease } from "../../../src/release/store/verify.js";
import { makeBank, writeBank } from "../../fixtures/bank.js";
import { cleanupRoots, tempRoot } from "../../support/temp-root.js";

afterEach(cleanupRoots);

/** A built bank 1.0.0 tarball, and a second root (same app, no releases) to unpack it into. */
async function setup() {
  const built = await build({ root: await makeBank(), tar: true });
  const target = tempRoot();
  await writePackageJson(target);
  return { tarball: built.tarball!, target };
}

async function writePackageJson(root: string) {
  await writeFile(join(root, "package.json"), JSON.stringify({ name: "bank", version: "0.0.0" }));
}

/** Extracts `tarball`, lets `edit` change the files, packs it again into a new file. */
async function repack(tarball: string, edit: (dir: string) => Promise<void>): Promise<string> {
  const dir = tempRoot();
  await tar.extract({ file: tarball, cwd: dir });
  await edit(dir);
  const out = join(tempRoot(), "tampered.tar.gz");
  await tar.create({ file: out, cwd: dir, gzip: true, portable: true }, await readdir(dir));
  return out;
}

/** The refusal leaves the target root as it was: no releases/ at all. */
async function expectRefused(target: string, file: string, code: string, message: RegExp) {
  await expect(unpack({ root: target, file })).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  expect(await readdir(target)).toEqual(["package.json"]);
}

describe("unpack", () => {
  it("installs a release tarball into another root as unpacked", async () => {
    const { tarball, target } = await setup();
    const result = await unpack({ root: target, file: tarball });
    expect(result).toEqual({ name: "bank", vsn: "1.0.0", dir: join(target, "releases", "1.0.0") });
    const manifest = await verifyRelease(result.dir, "bank");
    expect(manifest.servers.map((s) => s.name)).toEqual(["Counter", "DemoServer"]);
    expect(await readReleases(join(target, "releases"))).toEqual([{ vsn: "1.0.0", state: "unpacked" }]);
    expect((await readdir(join(target, "releases"))).sort()).toEqual(["1.0.0", "RELEASES"]);
  });

  it("refuses a vsn already present, leaving it as it was", async () => {
    const { tarball, target } = await setup();
    await unpack({ root: target, file: tarball });
    const before = await readFile(join(target, "releases", "RELEASES"), "utf8");
    await expect(unpack({ root: target, file: tarball })).rejects.toMatchObject({ code: "RELX_RELEASE_EXISTS" });
    expect(await readFile(join(target, "releases", "RELEASES"), "utf8")).toBe(before);
    expect((await readdir(join(target, "releases"))).sort()).toEqual(["1.0.0", "RELEASES"]);
  });

  it("refuses a corrupt file", async () => {
    const { target } = await setup();
    const file = join(tempRoot(), "junk.tar.gz");
    await writeFile(file, Buffer.from("this is not a gzipped tar archive at all".repeat(20)));
    await expectRefused(target, file, "RELX_BAD_RELEASE", /not a valid release tarball/);
  });

  it("refuses a truncated file", async () => {
    const { tarball, target } = await setup();
    const { size } = await stat(tarball);
    await truncate(tarball, Math.floor(size / 2));
    await expectRefused(target, tarball, "RELX_BAD_RELEASE", /not a valid release tarball/);
  });

  it("refuses a tampered module, naming it with both checksums", async () => {
    const { tarball, target } = await setup();
    const file = await repack(tarball, (dir) => appendFile(join(dir, "1.0.0/lib/demo_server.cjs"), "\nglobalThis.evil = 1;\n"));
    await expectRefused(target, file, "RELX_CHECKSUM_MISMATCH", /lib\/demo_server\.cjs: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}/);
  });

  it("refuses a tampered checksum in release.json", async () => {
    const { tarball, target } = await setup();
    const file = await repack(tarball, async (dir) => {
      const path = join(dir, "1.0.0/release.json");
      const manifest = JSON.parse(await readFile(path, "utf8"));
      // Consistently: app.sha256 too, or the manifest itself is malformed (RELX_BAD_RELEASE).
      manifest.files["lib/app.cjs"] = manifest.app.sha256 = "0".repeat(64);
      await writeFile(path, JSON.stringify(manifest));
    });
    await expectRefused(target, file, "RELX_CHECKSUM_MISMATCH", /lib\/app\.cjs: expected sha256 0{64}/);
  });

  it("refuses a file added to the release", async () => {
    const { tarball, target } = await setup();
    const file = await repack(tarball, (dir) => writeFile(join(dir, "1.0.0/lib/extra.cjs"), "1"));
    await expectRefused(target, file, "RELX_CHECKSUM_MISMATCH", /lib\/extra\.cjs is not listed/);
  });

  it("refuses entries outside the release directory", async () => {
    const { tarball, target } = await setup();
    const file = await repack(tarball, (dir) => writeFile(join(dir, "evil.sh"), "rm -rf /"));
    await expectRefused(target, file, "RELX_BAD_RELEASE", /outside the release directory/);
  });

  it("refuses another app's release", async () => {
    const shop = await makeBank({ pkg: { name: "shop" } });
    const built = await build({ root: shop, tar: true });
    const target = tempRoot();
    await writePackageJson(target);
    await expectRefused(target, built.tarball!, "RELX_WRONG_APP", /belongs to "shop", not "bank"/);
  });

  it("carries the plans recorded at build time", async () => {
    const root = await makeBank();
    await build({ root });
    await writeBank(root, { version: "1.1.0", demo: 2 });
    const v2 = await build({ root, tar: true });
    const target = tempRoot();
    await writePackageJson(target);
    const { dir } = await unpack({ root: target, file: v2.tarball! });
    expect(Object.keys((await verifyRelease(dir)).plans)).toEqual(["1.0.0"]);
  });
});
