// A release records the relx that built it, and a node refuses one of another relx line: relx's
// runtime is not hot-swapped. Real builds whose recorded version is then rewritten (release.json
// is not among the files a release hashes, so only this field changes): `relx start` refuses with
// nothing started and releases/ as it was; an upgrade refuses with the node still on the old
// release; unpack refuses such a tarball.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyV2, builtExample, copyExample } from "../fixtures/bank.js";
import { daemonsOf } from "../support/daemon.js";
import { REPO } from "../support/paths.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";

afterEach(cleanupRoots);

const OURS: string = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version;
/** A version of the next major: another line whatever ours is (0.x included). */
const OTHER = `${Number(OURS.split(".")[0]) + 1}.0.0`;

function rewriteBuiltBy(releaseDir: string, version: string): void {
  const file = join(releaseDir, "release.json");
  const manifest = JSON.parse(readFileSync(file, "utf8"));
  expect(manifest.relx).toBe(OURS);
  writeFileSync(file, JSON.stringify({ ...manifest, relx: version }, null, 2) + "\n");
}

/** Every file under `dir` (relative path → contents and mode), to show nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, rel);
    const info = statSync(path);
    out[rel] = info.isDirectory() ? `dir ${info.mode}` : `${info.mode} ${readFileSync(path, "base64")}`;
  }
  return out;
}

describe("a release from another relx line", () => {
  it("is refused by relx start: RELX_WRONG_RELX naming both versions, nothing started, releases/ unchanged", async () => {
    const root = tempRoot();
    await builtExample(root);
    rewriteBuiltBy(join(root, "releases", "1.0.0"), OTHER);
    const before = snapshot(join(root, "releases"));

    const r = await relxJson(root, ["start"]);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ ok: false, error: { code: "RELX_WRONG_RELX" } });
    expect(r.json.error.message).toContain(`relx ${OTHER}`);
    expect(r.json.error.message).toContain(`relx ${OURS}`);
    expect(r.json.error.hint).toMatch(/relx build/);
    const human = await relx(root, ["start"]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^relx: release 1\.0\.0 .* was built by relx /);
    expect(human.stderr).toMatch(/^hint: .*relx build.*npm install relx@\^/m);

    expect(daemonsOf(root)).toEqual([]);
    expect((await relx(root, ["ping"])).code).toBe(3);
    // The newest release is made permanent only once the node accepts it.
    expect(snapshot(join(root, "releases"))).toEqual(before);
  });

  it("is refused as an upgrade target, the node still serving the old release", async () => {
    const root = tempRoot();
    copyExample(root);
    expect((await relx(root, ["build"])).code).toBe(0);
    expect((await relx(root, ["start"])).code).toBe(0);
    applyV2(root);
    expect((await relx(root, ["build", "--vsn", "2.0.0"])).code).toBe(0);
    rewriteBuiltBy(join(root, "releases", "2.0.0"), OTHER);
    const before = snapshot(join(root, "releases"));

    for (const args of [["upgrade", "2.0.0"], ["upgrade", "2.0.0", "--dry-run"]]) {
      const up = await relxJson(root, args);
      expect(up.code).toBe(1);
      expect(up.json).toMatchObject({ ok: false, error: { code: "RELX_WRONG_RELX" }, rolledBack: false });
      expect(up.json.error.message).toContain(`relx ${OTHER}`);
    }
    const status = await relxJson(root, ["status"]);
    expect(status.json).toMatchObject({ vsn: "1.0.0", lastUpgrade: null });
    expect(status.json.upgrades.map((u: any) => [u.to, u.ok, u.error.code])).toEqual([["2.0.0", false, "RELX_WRONG_RELX"]]);
    expect((await relxJson(root, ["call", "blackode", '{"add":1}'])).json).toBe("1 added to blackode ");
    expect((await relxJson(root, ["state", "blackode"])).json).toEqual({ name: "blackode", money: 30001 });
    expect(snapshot(join(root, "releases"))).toEqual(before);
  });

  it("is refused by relx unpack, which installs nothing; one of our own line is accepted", async () => {
    const built = tempRoot();
    await builtExample(built, { tar: true });
    // The tarball, unpacked by hand, its recorded relx rewritten, packed again.
    const work = join(tempRoot(), "x");
    mkdirSync(work);
    execFileSync("tar", ["-xzf", join(built, "releases", "bank-1.0.0.tar.gz"), "-C", work]);
    const same = `${OURS.split(".").slice(0, 2).join(".")}.99`;
    rewriteBuiltBy(join(work, "1.0.0"), OTHER);
    execFileSync("tar", ["-czf", join(work, "other.tar.gz"), "-C", work, "1.0.0"]);
    const target = tempRoot();
    copyExample(target);

    const r = await relxJson(target, ["unpack", join(work, "other.tar.gz")]);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ ok: false, error: { code: "RELX_WRONG_RELX" } });
    expect(r.json.error.message).toContain("other.tar.gz:1.0.0");
    expect(readdirSync(target)).not.toContain("releases");

    // A patch release of our own line (in 0.x, the same minor) built it: accepted.
    const mine = JSON.parse(readFileSync(join(work, "1.0.0", "release.json"), "utf8"));
    writeFileSync(join(work, "1.0.0", "release.json"), JSON.stringify({ ...mine, relx: same }, null, 2));
    execFileSync("tar", ["-czf", join(work, "same.tar.gz"), "-C", work, "1.0.0"]);
    expect((await relx(target, ["unpack", join(work, "same.tar.gz")])).code).toBe(0);
    expect((await relxJson(target, ["releases"])).json).toMatchObject({ releases: [{ vsn: "1.0.0", state: "unpacked" }] });
  });
});
