// Fuzz-style tests of release.json and RELEASES parsing (issue 9): random and mutated inputs from
// a seeded PRNG (so a failure replays), a fixed count, no time bound. Each input must give either
// success or a RelxError with a known code and a hint (never RELX_BUG, never a raw TypeError), a
// manifest that verifies must be usable (the upgrade plan is computed from it), and nothing else on disk changes.
import { createHash } from "node:crypto";
import { readFile, readdir, stat, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RelxError } from "../../src/errors.js";
import { build } from "../../src/release/build/build.js";
import type { Manifest } from "../../src/release/manifest.js";
import { recordPlan } from "../../src/release/plan.js";
import { readReleases, setReleaseState } from "../../src/release/store/releases-store.js";
import { readManifest, verifyRelease } from "../../src/release/store/verify.js";
import { makeBank, writeBank } from "../fixtures/bank.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";

afterEach(cleanupRoots);

const MANIFEST_INPUTS = 2000;
const RELEASES_INPUTS = 1200;
/** Every how many RELEASES inputs setReleaseState (which writes and fsyncs) is tried too. */
const WRITE_EVERY = 4;

/** mulberry32: a tiny seeded PRNG, so every run tries the same inputs. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const STRINGS = ["", "1.0.0", "1.1.0", "2.0.0", "v1", "1.0", "__proto__", "constructor", "toString", "prototype",
  "lib/app.cjs", "lib/counter.cjs", "../x", "/etc/passwd", "lib//a", "./lib", "lib/a\u0000b", "release.json",
  "permanent", "current", "old", "unpacked", "transient", "temporary", "DemoServer", "Counter", "blackode",
  "a".repeat(64), "A".repeat(64), "2023-11-14T22:13:20.000Z", "2023-11-14", "\u{1F600}", "x".repeat(300)];
const KEYS = ["format", "name", "vsn", "createdAt", "node", "app", "boot", "processes", "servers", "files", "plans",
  "file", "source", "sha256", "server", "restart", "args", "state", "up", "down", "declaredVsn", "hasCodeChange",
  "__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "extra"];
const NUMBERS = [0, 1, -1, 2, 5, 1.5, 1e21, -0, 2 ** 53, 99999999999999999, 2 ** 31];

class Gen {
  constructor(readonly rand: () => number) {}
  int(n: number): number {
    return Math.floor(this.rand() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  value(depth = 0): Json {
    const kind = this.int(depth > 3 ? 5 : 8);
    if (kind === 0) return null;
    if (kind === 1) return this.rand() < 0.5;
    if (kind === 2) return this.pick(NUMBERS);
    if (kind <= 4) return this.rand() < 0.8 ? this.pick(STRINGS) : this.text(this.int(12));
    if (kind === 5) return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
    if (kind === 6) return Object.fromEntries(Array.from({ length: this.int(4) }, () => [this.pick(KEYS), this.value(depth + 1)]));
    return this.deep(50 + this.int(2000));
  }
  text(n: number): string {
    return Array.from({ length: n }, () => String.fromCharCode(this.int(0x250))).join("");
  }
  deep(levels: number): Json {
    let v: Json = this.pick(STRINGS);
    for (let i = 0; i < levels; i++) v = this.rand() < 0.5 ? [v] : { [this.pick(KEYS)]: v };
    return v;
  }
}

/** Every [container, key] in `root`, the root itself as [box, "v"]. */
function slots(root: { v: Json }): [Record<string, Json> | Json[], string | number][] {
  const out: [Record<string, Json> | Json[], string | number][] = [[root as unknown as Record<string, Json>, "v"]];
  const walk = (node: Json, depth: number): void => {
    if (depth > 8 || node === null || typeof node !== "object") return;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      out.push([node, key]);
      walk((node as any)[key], depth + 1);
    }
  };
  walk(root.v, 0);
  return out;
}

/** One to three structural edits of `base` (a deep copy): delete, replace, duplicate, add, swap. */
function mutate(g: Gen, base: Json): Json {
  const box = { v: JSON.parse(JSON.stringify(base)) as Json };
  for (let n = 1 + g.int(3); n > 0; n--) {
    const all = slots(box);
    const [node, key] = g.pick(all);
    const edit = g.int(6);
    const target = node as any;
    if (edit === 0 && !Array.isArray(node) && key !== "v") delete target[key];
    else if (edit === 0 && Array.isArray(node)) node.splice(key as number, 1);
    else if (edit === 1) target[key] = g.value();
    else if (edit === 2 && Array.isArray(target[key])) target[key].push(JSON.parse(JSON.stringify(target[key][0] ?? null)));
    else if (edit === 3 && target[key] && typeof target[key] === "object" && !Array.isArray(target[key])) {
      Object.defineProperty(target[key], g.pick(KEYS), { value: g.value(), enumerable: true, configurable: true, writable: true });
    } else if (edit === 4) {
      const [other, otherKey] = g.pick(all);
      target[key] = JSON.parse(JSON.stringify((other as any)[otherKey] ?? null));
    } else target[key] = g.pick(STRINGS);
  }
  return box.v;
}

/** The text of an input: a structural mutation, a mutated text, or something random. */
function input(g: Gen, base: Json): string {
  const r = g.rand();
  if (r < 0.6) return JSON.stringify(mutate(g, base), null, g.int(3));
  const text = JSON.stringify(base, null, 2);
  if (r < 0.7) return text.slice(0, g.int(text.length));
  if (r < 0.85) {
    const at = g.int(text.length);
    return text.slice(0, at) + g.text(1 + g.int(3)) + text.slice(at + g.int(4));
  }
  if (r < 0.95) return JSON.stringify(g.value());
  return g.text(g.int(200));
}

/** Every file under `dir` but `except`: path → sha256, size, mode. */
async function snapshot(dir: string, except: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (path === except) continue;
    const info = await stat(path);
    out[path] = entry.isDirectory() ? `dir ${info.mode}` : `${createHash("sha256").update(await readFile(path)).digest("hex")} ${info.mode}`;
  }
  return out;
}

/** The outcome of `run`: ok, or the code of a RelxError that has a message and a hint. Anything else fails the test. */
async function outcome<T>(run: () => Promise<T>, known: string[], text: string): Promise<"ok" | string> {
  try {
    await run();
    return "ok";
  } catch (err) {
    if (!(err instanceof RelxError) || !known.includes(err.code) || !err.hint || !err.message) {
      throw new Error(`input ${JSON.stringify(text.slice(0, 300))} gave ${String(err)} (${(err as RelxError).code})`, { cause: err });
    }
    return err.code;
  }
}

describe("fuzz: release.json", () => {
  it(`${MANIFEST_INPUTS} random and mutated manifests verify or are refused with a known code; nothing else changes`, async () => {
    const root = await makeBank();
    process.env.SOURCE_DATE_EPOCH = "1700000000"; // the same base manifest, so the same inputs, every run
    let v1, v2;
    try {
      v1 = await build({ root });
      await writeBank(root, { version: "1.1.0", demo: 2 });
      v2 = await build({ root });
    } finally {
      delete process.env.SOURCE_DATE_EPOCH; // this file's worker runs other files next (vitest.config.ts)
    }
    const file = join(v2.dir, "release.json");
    const base = JSON.parse(await readFile(file, "utf8")) as Json;
    const before = await snapshot(root, file);
    const g = new Gen(prng(0x5eed));
    const seen: Record<string, number> = {};
    for (let i = 0; i < MANIFEST_INPUTS; i++) {
      const text = input(g, base);
      await writeFile(file, text);
      let manifest: Manifest | undefined;
      const code = await outcome(async () => (manifest = await verifyRelease(v2.dir, "bank")), ["RELX_BAD_RELEASE", "RELX_CHECKSUM_MISMATCH", "RELX_WRONG_APP", "RELX_WRONG_RELX"], text);
      seen[code] = (seen[code] ?? 0) + 1;
      if (manifest) {
        // What verifies is usable: the plans both ways, as the daemon and the build compute them.
        recordPlan(v1.manifest, manifest, "up");
        recordPlan(manifest, v1.manifest, "down");
        expect(await readManifest(v2.dir)).toEqual(manifest);
      }
      expect(await readFile(file, "utf8")).toBe(text);
    }
    expect(await snapshot(root, file)).toEqual(before);
    console.log(`fuzz: ${MANIFEST_INPUTS} release.json inputs tried: ${JSON.stringify(seen)}`);
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.RELX_BAD_RELEASE).toBeGreaterThan(MANIFEST_INPUTS / 2);
  });
});

describe("fuzz: RELEASES", () => {
  it(`${RELEASES_INPUTS} random and mutated RELEASES files are read or refused; a refused write changes nothing`, async () => {
    const dir = join(tempRoot(), "releases");
    for (const vsn of ["1.0.0", "1.1.0", "2.0.0"]) {
      await mkdir(join(dir, vsn), { recursive: true });
      await writeFile(join(dir, vsn, "release.json"), "{}");
    }
    const file = join(dir, "RELEASES");
    const base: Json = [{ vsn: "1.0.0", state: "old" }, { vsn: "1.1.0", state: "permanent" }, { vsn: "2.0.0", state: "unpacked" }];
    const before = await snapshot(dir, file);
    const g = new Gen(prng(0xbeef));
    const seen: Record<string, number> = {};
    for (let i = 0; i < RELEASES_INPUTS; i++) {
      const text = input(g, base);
      await writeFile(file, text);
      const code = await outcome(async () => expectValid(await readReleases(dir)), ["RELX_BAD_RELEASE"], text);
      seen[code] = (seen[code] ?? 0) + 1;
      if (i % WRITE_EVERY === 0) {
        const wrote = await outcome(async () => expectValid(await setReleaseState(dir, "2.0.0", "permanent")), ["RELX_BAD_RELEASE"], text);
        expect(wrote).toBe(code); // setReleaseState reads what readReleases reads
        if (wrote !== "ok") expect(await readFile(file, "utf8")).toBe(text);
        else expectValid(await readReleases(dir));
      }
      expect(await snapshot(dir, file)).toEqual(before); // no temp or lock file left, no release touched
    }
    console.log(`fuzz: ${RELEASES_INPUTS} RELEASES inputs tried (${Math.ceil(RELEASES_INPUTS / WRITE_EVERY)} also written): ${JSON.stringify(seen)}`);
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.RELX_BAD_RELEASE).toBeGreaterThan(0);
  });
});

/** The invariant RELEASES keeps: the three releases, each once, at most one permanent and one current. */
function expectValid(records: { vsn: string; state: string }[]): void {
  expect(records.map((r) => r.vsn)).toEqual(["1.0.0", "1.1.0", "2.0.0"]);
  for (const state of ["permanent", "current"]) expect(records.filter((r) => r.state === state).length).toBeLessThanOrEqual(1);
}
