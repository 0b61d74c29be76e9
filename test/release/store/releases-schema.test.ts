// A hand-edited RELEASES that breaks the store's invariant is refused, naming the file, with a
// hint (issue 9, finding 10): relx never picks one of two "permanent" releases by itself.
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readReleases, setReleaseState } from "../../../src/release/store/releases-store.js";
import { cleanupRoots, tempRoot } from "../../support/temp-root.js";

afterEach(cleanupRoots);

async function releasesWith(vsns: string[], records: unknown): Promise<string> {
  const dir = join(tempRoot(), "releases");
  for (const vsn of vsns) {
    await mkdir(join(dir, vsn), { recursive: true });
    await writeFile(join(dir, vsn, "release.json"), "{}");
  }
  await writeFile(join(dir, "RELEASES"), JSON.stringify(records));
  return dir;
}

const CASES: [string, unknown, RegExp][] = [
  ["two permanent releases", [{ vsn: "1.0.0", state: "permanent" }, { vsn: "1.1.0", state: "permanent" }], /two releases are "permanent": 1\.0\.0 and 1\.1\.0; at most one can be/],
  ["two current releases", [{ vsn: "1.0.0", state: "current" }, { vsn: "1.1.0", state: "current" }], /two releases are "current"/],
  ["one vsn twice", [{ vsn: "1.0.0", state: "old" }, { vsn: "1.0.0", state: "permanent" }], /entries 0 and 1 both list 1\.0\.0/],
  ["a vsn that is not semver", [{ vsn: "1.0", state: "old" }], /\[0\]\.vsn expected a semver version like 1\.2\.3, got "1\.0"/],
  ["an unknown state", [{ vsn: "1.0.0", state: "running" }], /\[0\]\.state expected one of unpacked, current, permanent, old, got "running"/],
  ["an unknown key", [{ vsn: "1.0.0", state: "old", note: "x" }], /\[0\] has an unknown key "note"/],
  ["a prototype-named key", JSON.parse('[{ "vsn": "1.0.0", "state": "old", "__proto__": {} }]'), /\[0\] has an unknown key "__proto__"/],
  ["an object", { "1.0.0": "old" }, /expected an array of \{ vsn, state \}, got an object/],
];

describe("RELEASES refuses", () => {
  it.each(CASES)("%s, naming the file, and a write leaves it as it was", async (_what, records, message) => {
    const dir = await releasesWith(["1.0.0", "1.1.0"], records);
    const file = join(dir, "RELEASES");
    const text = await readFile(file, "utf8");
    const expected = { code: "RELX_BAD_RELEASE", message: expect.stringMatching(message), hint: expect.stringContaining(`fix ${file}`) };
    const err = await readReleases(dir).then(() => null, (e) => e);
    expect(err).toMatchObject(expected);
    expect(err.message).toContain(`${file} is malformed: `);
    await expect(setReleaseState(dir, "1.1.0", "permanent")).rejects.toMatchObject(expected);
    expect(await readFile(file, "utf8")).toBe(text);
    expect((await readdir(dir)).sort()).toEqual(["1.0.0", "1.1.0", "RELEASES"]);
  });
});
