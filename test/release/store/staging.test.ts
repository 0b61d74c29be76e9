import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { build } from "../../../src/release/build/build.js";
import { makeBank } from "../../fixtures/bank.js";
import { cleanupRoots } from "../../support/temp-root.js";
import { writeFiles } from "../../support/write-files.mjs";

afterEach(cleanupRoots);

/** A pid no process can have (above Linux's pid_max). */
const DEAD_PID = 99_999_999;

describe("atomic builds", () => {
  it("an interrupted build leaves no releases/<vsn>, and the next build removes its staging dir", async () => {
    const root = await makeBank();
    const stale = join(root, "releases", `.staging-1.0.0-${DEAD_PID}-0badcafe`);
    await mkdir(join(stale, "1.0.0", "lib"), { recursive: true });
    await writeFile(join(stale, "1.0.0", "lib", "app.cjs"), "half a fil");
    expect(await readdir(join(root, "releases"))).toEqual([`.staging-1.0.0-${DEAD_PID}-0badcafe`]);

    await build({ root });
    expect((await readdir(join(root, "releases"))).sort()).toEqual(["1.0.0", "RELEASES"]);
  });

  it("leaves a live process's staging dir alone", async () => {
    const root = await makeBank();
    const live = `.staging-2.0.0-${process.ppid}-0123abcd`;
    await mkdir(join(root, "releases", live), { recursive: true });
    await build({ root });
    expect((await readdir(join(root, "releases"))).sort()).toEqual([live, "1.0.0", "RELEASES"]);
  });

  it("a failed build removes its staging dir and records nothing", async () => {
    const root = await makeBank();
    await writeFiles(root, { "src/late.ts": `throw new Error("fails after compiling");\n` });
    await expect(build({ root, tar: true })).rejects.toMatchObject({ code: "RELX_BUILD_FAILED" });
    // The app's first build: the releases/ it made goes too.
    expect(existsSync(join(root, "releases"))).toBe(false);
  });

  it("a failed first build into a nested releasesDir removes every directory it made", async () => {
    const root = await makeBank();
    await writeFiles(root, { "relx.config.json": JSON.stringify({ releasesDir: "out/releases" }), "src/late.ts": `throw new Error("fails after compiling");\n` });
    await expect(build({ root })).rejects.toMatchObject({ code: "RELX_BUILD_FAILED" });
    expect(existsSync(join(root, "out"))).toBe(false);
  });
});
