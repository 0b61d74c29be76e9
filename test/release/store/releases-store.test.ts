import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { build } from "../../../src/release/build/build.js";
import { listReleases, readReleases, setReleaseState, writeReleases } from "../../../src/release/store/releases-store.js";
import { makeBank } from "../../fixtures/bank.js";
import { cleanupRoots, tempRoot } from "../../support/temp-root.js";

afterEach(cleanupRoots);

/** A releases dir holding minimal release directories for `vsns`. */
async function releasesWith(vsns: string[]): Promise<string> {
  const dir = join(tempRoot(), "releases");
  for (const vsn of vsns) {
    await mkdir(join(dir, vsn), { recursive: true });
    await writeFile(join(dir, vsn, "release.json"), "{}");
  }
  return dir;
}

describe("RELEASES", () => {
  it("reads as [] when nothing exists, and lists unrecorded release dirs as unpacked, by semver", async () => {
    expect(await readReleases(join(tempRoot(), "nowhere"))).toEqual([]);
    const dir = await releasesWith(["1.10.0", "1.2.0", "1.2.0-rc.1"]);
    await mkdir(join(dir, "not-a-vsn"));
    await mkdir(join(dir, "2.0.0"));
    expect(await readReleases(dir)).toEqual([
      { vsn: "1.2.0-rc.1", state: "unpacked" },
      { vsn: "1.2.0", state: "unpacked" },
      { vsn: "1.10.0", state: "unpacked" },
    ]);
  });

  it("walks unpacked → current → permanent → old, with one current and one permanent at most", async () => {
    const dir = await releasesWith(["1.0.0", "2.0.0", "3.0.0"]);
    const states = async (vsn: string, state: Parameters<typeof setReleaseState>[2]) =>
      (await setReleaseState(dir, vsn, state)).map((r) => r.state);
    expect(await states("1.0.0", "permanent")).toEqual(["permanent", "unpacked", "unpacked"]);
    // An upgrade with --no-permanent: 2.0.0 runs, 1.0.0 is what a restart boots.
    expect(await states("2.0.0", "current")).toEqual(["permanent", "current", "unpacked"]);
    expect(await states("3.0.0", "current")).toEqual(["permanent", "old", "current"]);
    expect(await states("3.0.0", "permanent")).toEqual(["old", "old", "permanent"]);
    // Switching back to the permanent one keeps it permanent and retires the current.
    expect(await states("2.0.0", "current")).toEqual(["old", "current", "permanent"]);
    expect(await states("3.0.0", "current")).toEqual(["old", "old", "permanent"]);
    expect(JSON.parse(await readFile(join(dir, "RELEASES"), "utf8"))).toEqual([
      { vsn: "1.0.0", state: "old" },
      { vsn: "2.0.0", state: "old" },
      { vsn: "3.0.0", state: "permanent" },
    ]);
  });

  it("refuses a state for a release that does not exist", async () => {
    const dir = await releasesWith(["1.0.0"]);
    await expect(setReleaseState(dir, "9.9.9", "permanent")).rejects.toMatchObject({ code: "RELX_NO_SUCH_RELEASE" });
    await expect(setReleaseState(join(dir, "gone"), "1.0.0", "current")).rejects.toMatchObject({ code: "RELX_NO_SUCH_RELEASE" });
  });

  it("is replaced atomically: no temp or lock file is left, a removed release drops out", async () => {
    const dir = await releasesWith(["1.0.0", "1.1.0"]);
    await writeReleases(dir, [{ vsn: "1.1.0", state: "permanent" }, { vsn: "1.0.0", state: "old" }]);
    await Promise.all([setReleaseState(dir, "1.0.0", "current"), setReleaseState(dir, "1.1.0", "permanent")]);
    expect((await readdir(dir)).sort()).toEqual(["1.0.0", "1.1.0", "RELEASES"]);
    await rm(join(dir, "1.0.0"), { recursive: true });
    expect(await readReleases(dir)).toEqual([{ vsn: "1.1.0", state: "permanent" }]);
  });

  it("refuses a malformed file, naming it", async () => {
    const dir = await releasesWith(["1.0.0"]);
    await writeFile(join(dir, "RELEASES"), JSON.stringify([{ vsn: "1.0.0", state: "running" }]));
    await expect(readReleases(dir)).rejects.toMatchObject({ code: "RELX_BAD_RELEASE", message: expect.stringContaining("RELEASES is malformed") });
  });

  it("lists an app's releases from its root", async () => {
    const root = await makeBank();
    await build({ root });
    await build({ root, vsn: "1.0.1" });
    expect(await listReleases(root)).toEqual([
      { vsn: "1.0.0", state: "unpacked" },
      { vsn: "1.0.1", state: "unpacked" },
    ]);
  });

  it("takes over a lock left by a process that died holding it (a daemon killed mid-write)", async () => {
    const dir = await releasesWith(["1.0.0"]);
    await writeFile(join(dir, "RELEASES.lock"), "99999999");
    expect(await setReleaseState(dir, "1.0.0", "permanent")).toEqual([{ vsn: "1.0.0", state: "permanent" }]);
    expect(await readdir(dir)).not.toContain("RELEASES.lock");
  });

  it("waits for, then refuses with RELX_BUSY, a lock held by a live process", async () => {
    const dir = await releasesWith(["1.0.0"]);
    await writeFile(join(dir, "RELEASES.lock"), String(process.pid));
    // The wait is 5 s unless RELX_LOCK_WAIT_MS says otherwise (read at every take).
    process.env.RELX_LOCK_WAIT_MS = "100";
    try {
      await expect(setReleaseState(dir, "1.0.0", "permanent")).rejects.toMatchObject({ code: "RELX_BUSY" });
    } finally {
      delete process.env.RELX_LOCK_WAIT_MS;
    }
    expect(await readReleases(dir)).toEqual([{ vsn: "1.0.0", state: "unpacked" }]);
  });
});
