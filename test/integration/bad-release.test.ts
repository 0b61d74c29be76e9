// A malformed release.json or RELEASES that got into releases/ by hand (issue 9, findings 5 and
// 10), through the real CLI and daemon: start and upgrade fail with RELX_BAD_RELEASE naming the
// file and the field (never RELX_BUG), leak no lock or temp file, and a later build is not
// blocked for good: it names the damaged release and how to remove it.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyV2, builtExample } from "../fixtures/bank.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";

afterEach(cleanupRoots);

/** The bank with 1.0.0 built (a copy of the run's prebuilt one). */
async function built(): Promise<string> {
  const root = tempRoot();
  await builtExample(root);
  return root;
}

/** Rewrites releases/<vsn>/release.json by hand (release.json is not covered by the checksums). */
function breakManifest(root: string, vsn: string, edit: (m: any) => void): string {
  const file = join(root, "releases", vsn, "release.json");
  const m = JSON.parse(readFileSync(file, "utf8"));
  edit(m);
  writeFileSync(file, JSON.stringify(m, null, 2));
  return file;
}

const nullAndFive = (m: any) => (m.boot.processes = [null, { name: 5 }]);

describe("a malformed release.json in releases/", () => {
  it("fails relx start with RELX_BAD_RELEASE naming the file and the field; no daemon is left", async () => {
    const root = await built();
    const file = breakManifest(root, "1.0.0", nullAndFive);
    const start = await relxJson(root, ["start"]);
    expect(start.code).toBe(1);
    expect(start.json.error).toMatchObject({ code: "RELX_BAD_RELEASE", message: expect.stringContaining(`${file} is malformed: boot.processes[0] expected an object`) });
    expect(start.json.error.hint).toContain(`rm -r ${join(root, "releases", "1.0.0")}`);
    expect((await relx(root, ["ping"])).code).toBe(3);
  });

  it("fails relx upgrade before anything is touched, leaks no lock or temp file, and names the release to a later build", async () => {
    const root = await built();
    expect((await relx(root, ["start"])).code).toBe(0);
    applyV2(root);
    expect((await relx(root, ["build", "--vsn", "2.0.0"])).code).toBe(0);
    const file = breakManifest(root, "2.0.0", nullAndFive);

    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code).toBe(1);
    expect(up.json).toMatchObject({ ok: false, rolledBack: false, error: { code: "RELX_BAD_RELEASE", message: expect.stringContaining(`${file} is malformed: boot.processes[0]`) } });
    expect(readdirSync(join(root, "releases")).sort()).toEqual(["1.0.0", "2.0.0", "RELEASES"]);
    expect((await relxJson(root, ["call", "blackode", '{"add": 1}'])).json).toBe("1 added to blackode ");
    expect((await relxJson(root, ["status"])).json).toMatchObject({ vsn: "1.0.0", permanent: "1.0.0" });

    const next = await relxJson(root, ["build", "--vsn", "3.0.0"]);
    expect(next.code).toBe(1);
    expect(next.json.error).toMatchObject({
      code: "RELX_BAD_RELEASE",
      message: expect.stringMatching(/cannot build 3\.0\.0: older release 2\.0\.0, which the build plans upgrades from, is damaged: .*boot\.processes\[0\]/),
      hint: expect.stringContaining(`rm -r ${join(root, "releases", "2.0.0")}`),
    });
    expect(existsSync(join(root, "releases", "3.0.0"))).toBe(false);
    rmSync(join(root, "releases", "2.0.0"), { recursive: true }); // what the hint says
    const again = await relx(root, ["build", "--vsn", "3.0.0"]);
    expect(again.code, again.stderr).toBe(0);
    const ok = await relxJson(root, ["upgrade", "3.0.0"]);
    expect(ok.json).toMatchObject({ ok: true, from: "1.0.0", to: "3.0.0" });
  });
});

describe("a RELEASES with two permanent releases", () => {
  it("is refused by relx releases, start and build, naming the file, and the build installs nothing", async () => {
    const root = await built();
    expect((await relx(root, ["build", "--vsn", "1.0.1"])).code).toBe(0);
    const file = join(root, "releases", "RELEASES");
    const text = JSON.stringify([{ vsn: "1.0.0", state: "permanent" }, { vsn: "1.0.1", state: "permanent" }]);
    writeFileSync(file, text);
    const error = { code: "RELX_BAD_RELEASE", message: `${file} is malformed: two releases are "permanent": 1.0.0 and 1.0.1; at most one can be`, hint: expect.stringContaining(`fix ${file}`) };
    for (const args of [["releases"], ["start"], ["build", "--vsn", "1.0.2"]]) {
      const r = await relxJson(root, args);
      expect({ args, code: r.code, error: r.json.error }).toEqual({ args, code: 1, error });
    }
    expect(readdirSync(join(root, "releases")).sort()).toEqual(["1.0.0", "1.0.1", "RELEASES"]);
    expect(readFileSync(file, "utf8")).toBe(text);
    expect((await relx(root, ["ping"])).code).toBe(3);
  });
});
