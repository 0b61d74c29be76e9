// A release tarball built on one host installs on another with `relx unpack` and boots there with
// `relx start`; a truncated, corrupt or tampered tarball, or one for another app, is refused and
// leaves releases/ exactly as it was (SPEC §5).
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create as tarCreate, extract as tarExtract } from "tar";
import { afterEach, describe, expect, it } from "vitest";
import { builtExample } from "../fixtures/bank.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

/** Root A: the bank built as 1.0.0 (and 2.0.0 with `withV2`), each with --tar. */
async function buildHost(withV2 = false): Promise<string> {
  const a = tempRoot();
  await builtExample(a, { tar: true, v2: withV2 });
  return a;
}

/** A root holding nothing but a package.json naming the app (its version does not matter). */
function bareRoot(name: string): string {
  const b = tempRoot();
  writeFiles(b, { "package.json": JSON.stringify({ name, version: "0.0.1", type: "module" }) });
  return b;
}

/** Everything under `dir`: relative path → "dir" or the sha256 of the file (empty when absent). */
function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = entry.isDirectory() ? "dir" : createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return out;
}

/** Unpacks `tarball` into `scratch`, lets `edit` change the release, and packs it again. */
async function repack(tarball: string, scratch: string, edit: (release: string) => void): Promise<string> {
  const dir = join(scratch, "unpacked");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await tarExtract({ file: tarball, cwd: dir });
  const [vsn] = readdirSync(dir);
  edit(join(dir, vsn!));
  const out = join(scratch, `repacked-${readdirSync(scratch).length}.tar.gz`);
  await tarCreate({ gzip: true, file: out, cwd: dir, portable: true }, [vsn!]);
  return out;
}

describe("relx unpack", () => {
  it("installs a tarball built in another root, and relx start boots it and answers", async () => {
    const a = await buildHost();
    const b = bareRoot("bank");
    const tarball = join(a, "releases", "bank-1.0.0.tar.gz");
    const unpacked = await relx(b, ["unpack", tarball]);
    expect(unpacked.code, unpacked.stderr).toBe(0);
    expect((await relxJson(b, ["releases"])).json).toEqual({ releases: [{ vsn: "1.0.0", state: "unpacked" }] });
    expect(readFileSync(join(b, "releases", "1.0.0", "release.json"))).toEqual(readFileSync(join(a, "releases", "1.0.0", "release.json")));

    // B must run on what it unpacked alone: the building root is gone, and B has no sources.
    rmSync(a, { recursive: true, force: true });
    expect(existsSync(join(b, "src"))).toBe(false);
    const started = await relx(b, ["start"]);
    expect(started.code, started.stderr).toBe(0);
    expect((await relxJson(b, ["call", "blackode", '{"add":1}'])).json).toBe("1 added to blackode ");
    expect((await relxJson(b, ["state", "blackode"])).json).toEqual({ name: "blackode", money: 30001 });
    const status = (await relxJson(b, ["status"])).json;
    expect(status).toMatchObject({ name: "bank", vsn: "1.0.0", permanent: "1.0.0" });
    expect(status.releases).toEqual([{ vsn: "1.0.0", state: "permanent" }]);
  });

  it("refuses a truncated, corrupt or tampered tarball, or another app's, and changes nothing", async () => {
    const a = await buildHost(true);
    const good = join(a, "releases", "bank-2.0.0.tar.gz");
    const scratch = join(a, "scratch");
    mkdirSync(scratch);
    const bytes = readFileSync(good);
    const truncated = join(scratch, "truncated.tar.gz");
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const corrupt = join(scratch, "corrupt.tar.gz");
    const flipped = Buffer.from(bytes);
    const middle = Math.floor(flipped.length / 2);
    flipped.writeUInt8(flipped.readUInt8(middle) ^ 0xff, middle);
    writeFileSync(corrupt, flipped);
    const tampered = await repack(good, scratch, (rel) => appendFileSync(join(rel, "lib", "demo_server.cjs"), "\n// patched by hand\n"));
    const smuggled = await repack(good, scratch, (rel) => writeFileSync(join(rel, "lib", "extra.cjs"), "module.exports = 1;\n"));

    const b = bareRoot("bank");
    expect((await relx(b, ["unpack", join(a, "releases", "bank-1.0.0.tar.gz")])).code).toBe(0);
    const before = snapshot(join(b, "releases"));
    const refusals: Array<[string, string]> = [
      [truncated, "RELX_BAD_RELEASE"],
      [corrupt, "RELX_BAD_RELEASE"],
      [tampered, "RELX_CHECKSUM_MISMATCH"],
      [smuggled, "RELX_CHECKSUM_MISMATCH"],
    ];
    for (const [file, code] of refusals) {
      const r = await relxJson(b, ["unpack", file]);
      expect({ file, code: r.code, error: r.json.error?.code }).toEqual({ file, code: 1, error: code });
      expect(snapshot(join(b, "releases"))).toEqual(before);
    }
    expect((await relxJson(b, ["releases"])).json).toEqual({ releases: [{ vsn: "1.0.0", state: "unpacked" }] });

    // Another app's tarball, into a root that had no releases/ at all.
    const other = bareRoot("other");
    const wrong = await relxJson(other, ["unpack", good]);
    expect(wrong).toMatchObject({ code: 1, json: { ok: false, error: { code: "RELX_WRONG_APP" } } });
    expect(existsSync(join(other, "releases"))).toBe(false);

    // The intact tarball still installs: the refusals above were about the files, not about B.
    expect((await relx(b, ["unpack", good])).code).toBe(0);
    expect((await relxJson(b, ["releases"])).json).toEqual({ releases: [
      { vsn: "1.0.0", state: "unpacked" },
      { vsn: "2.0.0", state: "unpacked" },
    ] });
  });
});
