import { createHash } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import * as tar from "tar";
import { afterEach, describe, expect, it } from "vitest";
import { build } from "../../../src/release/build/build.js";
import { makeBank } from "../../fixtures/bank.js";
import { cleanupRoots } from "../../support/temp-root.js";

afterEach(cleanupRoots);

const sha = async (file: string) => createHash("sha256").update(await readFile(file)).digest("hex");

interface Seen {
  path: string;
  mode: number | undefined;
  mtime: string | undefined;
  uid: number | undefined;
}

async function entries(file: string): Promise<Seen[]> {
  const seen: Seen[] = [];
  await tar.list({
    file,
    onReadEntry: (e) => void seen.push({ path: e.path, mode: e.mode, mtime: e.mtime?.toISOString(), uid: e.uid }),
  });
  return seen;
}

describe("build --tar", () => {
  it("writes releases/<name>-<vsn>.tar.gz with sorted entries under <vsn>/, fixed mtime and modes", async () => {
    const root = await makeBank();
    const result = await build({ root, tar: true });
    expect(result.tarball).toBe(join(root, "releases", "bank-1.0.0.tar.gz"));
    const list = await entries(result.tarball!);
    expect(list.map((e) => e.path)).toEqual([
      "1.0.0/",
      "1.0.0/lib/",
      "1.0.0/lib/app.cjs",
      "1.0.0/lib/counter.cjs",
      "1.0.0/lib/demo_server.cjs",
      "1.0.0/release.json",
    ]);
    for (const e of list) {
      const dir = e.path.endsWith("/");
      expect(e.mode).toBe(dir ? 0o755 : 0o644);
      // Portable archives carry no mtime on directories, and no owner at all.
      expect(e.mtime).toBe(dir ? undefined : result.manifest.createdAt);
      expect(e.uid).toBeUndefined();
    }
  });

  it("is byte-identical when rebuilt from the same inputs", async () => {
    const root = await makeBank();
    const first = await build({ root, tar: true });
    const before = await sha(first.tarball!);
    await rm(first.dir, { recursive: true });
    await rm(first.tarball!);
    const second = await build({ root, tar: true });
    expect(await sha(second.tarball!)).toBe(before);
  });

  it("is byte-identical across two checkouts given the same SOURCE_DATE_EPOCH", async () => {
    process.env.SOURCE_DATE_EPOCH = "1700000000";
    try {
      const a = await build({ root: await makeBank(), tar: true });
      const b = await build({ root: await makeBank(), tar: true });
      expect(await sha(a.tarball!)).toBe(await sha(b.tarball!));
    } finally {
      delete process.env.SOURCE_DATE_EPOCH;
    }
  });
});
