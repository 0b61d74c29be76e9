// The daemon's manifest cache (src/daemon/read-ahead/) on real release directories, with its real
// worker thread (dist/'s): what it reads ahead is what a fresh read gives, an unchanged file is
// served from the cache, a read joins the read-ahead in flight, a changed file is read again (its
// error is readManifest's), a releases dir it cannot watch or a worker that dies is logged and
// leaves reads to the caller's thread, as does a read-ahead that never ends, past a bound.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createManifestCache, type ManifestCache } from "../../src/daemon/read-ahead/manifest-cache.js";
import { loadedManifest, readManifest } from "../../src/release/store/read-manifest.js";
import { builtExample } from "../fixtures/bank.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";

let releases: string;
let lines: string[];
const caches: ManifestCache[] = [];

beforeEach(async () => {
  const root = tempRoot();
  await builtExample(root, { v2: true });
  releases = join(root, "releases");
  lines = [];
});
afterEach(async (ctx) => {
  caches.splice(0).forEach((c) => c.close());
  await cleanupRoots(ctx);
});

function cache(worker?: URL, waitMs?: number): ManifestCache {
  const c = createManifestCache({ releasesDir: releases, log: (line) => lines.push(line), ...(worker ? { worker } : {}), ...(waitMs ? { waitMs } : {}) });
  caches.push(c);
  return c;
}

const fresh = async (vsn: string) => loadedManifest(await readManifest(join(releases, vsn)));
const lineOf = (vsn: string) => waitFor(() => lines.find((l) => l.startsWith(`read ahead release ${vsn}`)), `the read-ahead of ${vsn}`);

describe("the manifest cache", () => {
  it("reads ahead every release present, newest first, and serves what a fresh read gives while the file is unchanged", async () => {
    const c = cache();
    c.start();
    await lineOf("1.0.0");
    expect(lines).toEqual([
      expect.stringMatching(/^read ahead release 2\.0\.0: release\.json of \d+ kB in \d+ ms$/),
      expect.stringMatching(/^read ahead release 1\.0\.0: release\.json of \d+ kB in \d+ ms$/),
    ]);
    const m = await c.read(join(releases, "2.0.0"));
    expect(m).toEqual(await fresh("2.0.0"));
    // What a node keeps: no plans, the boot processes by name.
    expect(m).not.toHaveProperty("plans");
    expect(m.boot).toEqual({ names: ["blackode"] });
    expect(await c.read(join(releases, "2.0.0"))).toBe(m);
  });

  it("makes a read that arrives while the read-ahead is due wait for it, and hurries it ahead of the others", async () => {
    // A third release (what readManifest checks holds: its vsn is its directory's).
    cpSync(join(releases, "2.0.0"), join(releases, "2.0.1"), { recursive: true });
    const file = join(releases, "2.0.1", "release.json");
    writeFileSync(file, readFileSync(file, "utf8").replace('"vsn": "2.0.0"', '"vsn": "2.0.1"'));
    const c = cache();
    c.start();
    const m = await c.read(join(releases, "1.0.0"));
    await lineOf("2.0.0");
    expect(lines).toEqual([
      expect.stringMatching(/^read ahead release 2\.0\.1: .* ms$/),
      expect.stringMatching(/^read ahead release 1\.0\.0: .* in \d+ ms \(an upgrade waited for it\)$/),
      expect.stringMatching(/^read ahead release 2\.0\.0: .* ms$/),
    ]);
    expect(await c.read(join(releases, "1.0.0"))).toBe(m);
    expect(m).toEqual(await fresh("1.0.0"));
  });

  it("reads a file changed since its read-ahead again: its error is readManifest's, its new contents are served", async () => {
    const c = cache();
    c.start();
    await lineOf("1.0.0");
    const dir = join(releases, "2.0.0");
    const file = join(dir, "release.json");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace('"format": 1', '"format": 2'));
    const expected = await readManifest(dir).then(() => null, (e: unknown) => e);
    expect(expected).toMatchObject({ code: "RELX_BAD_RELEASE" });
    await expect(c.read(dir)).rejects.toEqual(expected);
    const m = JSON.parse(text);
    m.createdAt = "2001-02-03T04:05:06.000Z";
    writeFileSync(file, JSON.stringify(m));
    expect((await c.read(dir)).createdAt).toBe("2001-02-03T04:05:06.000Z");
  });

  it("logs once a releases dir it cannot watch, and reads all the same", async () => {
    const c = createManifestCache({ releasesDir: join(releases, "missing"), log: (line) => lines.push(line) });
    caches.push(c);
    c.start();
    expect(lines).toEqual([expect.stringMatching(/^watching .*missing failed, releases are read when upgraded to: .*ENOENT/)]);
    expect(await c.read(join(releases, "2.0.0"))).toEqual(await fresh("2.0.0"));
  });

  it("does not wait for good behind a read-ahead that never ends: past its bound, the read is the caller's", { timeout: 30_000 }, async () => {
    const c = cache(new URL("../fixtures/read-ahead-stuck.mjs", import.meta.url), 200);
    c.start();
    // 2.0.0's read is stuck in the worker; 1.0.0's waits behind it, and is read here after 200 ms.
    expect(await c.read(join(releases, "1.0.0"))).toEqual(await fresh("1.0.0"));
    expect(await c.read(join(releases, "2.0.0"))).toEqual(await fresh("2.0.0"));
    expect(lines).toEqual([]);
  });

  it("logs a worker that dies, and leaves reads to the caller's thread", async () => {
    const c = cache(new URL("../fixtures/read-ahead-crash.mjs", import.meta.url));
    c.start();
    await lineOf("1.0.0");
    expect(lines).toEqual([
      "the read-ahead worker exited with code 3 (upgrades read release.json themselves)",
      "read ahead release 2.0.0 failed (an upgrade to it reads it again): the read-ahead worker exited with code 3",
      "read ahead release 1.0.0 failed (an upgrade to it reads it again): the read-ahead worker exited with code 3",
    ]);
    expect(await c.read(join(releases, "2.0.0"))).toEqual(await fresh("2.0.0"));
  });
});
