// build and unpack are all or nothing (issue 9, finding 6, and the read-only releases/ of finding
// 10), through the real CLI: when RELEASES cannot be recorded (its lock held by a live process
// past the wait, the file immutable, the directory read-only), the command exits 1 with a clear
// error, installs nothing, and the retry succeeds instead of saying "already exists".
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { builtExample, copyExample } from "../fixtures/bank.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

/** Whether `chattr +i` works here (root, on a file system with attributes); else those tests skip. */
function chattrWorks(): boolean {
  const dir = mkdtempSync(join(tmpdir(), "rx-attr-"));
  try {
    writeFileSync(join(dir, "f"), "");
    execFileSync("chattr", ["+i", join(dir, "f")], { stdio: "ignore" });
    execFileSync("chattr", ["-i", join(dir, "f")], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const immutable = chattrWorks();

/** Runs `body` with `path` immutable (chattr +i), and always makes it mutable again. */
async function whileImmutable(path: string, body: () => Promise<void>): Promise<void> {
  execFileSync("chattr", ["+i", path]);
  try {
    await body();
  } finally {
    execFileSync("chattr", ["-i", path]);
  }
}

/** Everything under `dir`: relative path → "dir" or the file's sha256. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath ?? entry.path, entry.name);
    out[path.slice(dir.length + 1)] = entry.isDirectory() ? "dir" : createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return out;
}

/** The bank built as 1.0.0 (with its tarball), so releases/ and RELEASES exist: a copy of the run's prebuilt one. */
async function bank(): Promise<{ root: string; tarball: string }> {
  const root = tempRoot();
  await builtExample(root, { tar: true });
  return { root, tarball: join(root, "releases", "bank-1.0.0.tar.gz") };
}

/** A second root of the same app, with 1.0.0 unpacked (so it has releases/ and RELEASES). */
async function otherHost(tarball: string): Promise<string> {
  const b = tempRoot();
  writeFiles(b, { "package.json": JSON.stringify({ name: "bank", version: "0.0.1", type: "module" }) });
  const r = await relx(b, ["unpack", tarball]);
  expect(r.code, r.stderr).toBe(0);
  return b;
}

/** A held RELEASES.lock is waited for 100 ms rather than 5 s: what is tested is what happens after. */
const SHORT_LOCK_WAIT = { env: { RELX_LOCK_WAIT_MS: "100" } };

/** `relx <args>` fails with `code` and `message`, and releases/ is byte for byte as it was. */
async function expectNothingInstalled(root: string, args: string[], code: string, message: RegExp): Promise<void> {
  const releases = join(root, "releases");
  const before = snapshot(releases);
  const r = await relxJson(root, args, SHORT_LOCK_WAIT);
  expect(r.code).toBe(1);
  expect(r.json.error).toMatchObject({ code, message: expect.stringMatching(message), hint: expect.any(String) });
  expect(snapshot(releases)).toEqual(before);
}

describe("build and unpack record the release in RELEASES as they install it, or install nothing", () => {
  it("when a live process holds RELEASES.lock past the wait (an upgrade in flight); the retry then succeeds", async () => {
    const { root, tarball } = await bank();
    const lock = join(root, "releases", "RELEASES.lock");
    writeFileSync(lock, String(process.pid)); // this test process: alive, so the lock is held
    await expectNothingInstalled(root, ["build", "--vsn", "1.0.1", "--tar"], "RELX_BUSY", /RELEASES\.lock is held by another relx process/);
    rmSync(lock);
    const retry = await relx(root, ["build", "--vsn", "1.0.1", "--tar"]);
    expect(retry.code, retry.stderr).toBe(0);

    const b = tempRoot();
    writeFiles(b, { "package.json": JSON.stringify({ name: "bank", version: "0.0.1", type: "module" }), "releases/RELEASES.lock": String(process.pid) });
    await expectNothingInstalled(b, ["unpack", tarball], "RELX_BUSY", /RELEASES\.lock is held/);
    rmSync(join(b, "releases", "RELEASES.lock"));
    expect((await relx(b, ["unpack", tarball])).code).toBe(0);
    expect((await relxJson(b, ["releases"])).json).toEqual({ releases: [{ vsn: "1.0.0", state: "unpacked" }] });
  });

  it.skipIf(!immutable)("when RELEASES cannot be replaced (chattr +i): the renamed release is moved back, a replaced tarball restored", async () => {
    const { root, tarball } = await bank();
    const releases = join(root, "releases");
    writeFileSync(join(releases, "bank-1.0.1.tar.gz"), "a stale tarball of a removed release");
    await whileImmutable(join(releases, "RELEASES"), () =>
      expectNothingInstalled(root, ["build", "--vsn", "1.0.1", "--tar"], "RELX_WRITE_FAILED",
        /cannot write .*releases\/RELEASES: operation not permitted \(EPERM\); release 1\.0\.1 was not installed/));
    expect(readFileSync(join(releases, "bank-1.0.1.tar.gz"), "utf8")).toBe("a stale tarball of a removed release");
    expect((await relx(root, ["build", "--vsn", "1.0.1", "--tar"])).code).toBe(0);
    expect((await relxJson(root, ["releases"])).json).toEqual({ releases: [{ vsn: "1.0.0", state: "unpacked" }, { vsn: "1.0.1", state: "unpacked" }] });

    const b = await otherHost(tarball);
    const v101 = join(releases, "bank-1.0.1.tar.gz");
    await whileImmutable(join(b, "releases", "RELEASES"), () =>
      expectNothingInstalled(b, ["unpack", v101], "RELX_WRITE_FAILED", /operation not permitted \(EPERM\); release 1\.0\.1 was not installed/));
    expect((await relx(b, ["unpack", v101])).code).toBe(0);
  });

  it.skipIf(!immutable)("when releases/ is read-only: a clear error naming it, not a relx bug", async () => {
    const { root, tarball } = await bank();
    const b = await otherHost(tarball);
    const v2 = await relx(root, ["build", "--vsn", "2.0.0", "--tar"]);
    expect(v2.code, v2.stderr).toBe(0);
    for (const [where, args] of [[root, ["build", "--vsn", "3.0.0"]], [b, ["unpack", join(root, "releases", "bank-2.0.0.tar.gz")]]] as const) {
      const releases = join(where, "releases");
      await whileImmutable(releases, async () => {
        await expectNothingInstalled(where, [...args], "RELX_WRITE_FAILED", /cannot write .*releases\/\.staging-[^:]+: operation not permitted \(EPERM\)/);
        const r = await relxJson(where, [...args]);
        expect(r.json.error.hint).toContain(`make ${releases} writable by uid ${process.getuid!()}`);
      });
    }
  });
});

describe("relx build refuses before writing anything", () => {
  it("a file where releases/ should be: a clear error naming it, not a relx bug", async () => {
    const root = tempRoot();
    copyExample(root);
    writeFileSync(join(root, "releases"), "not a directory");
    const r = await relxJson(root, ["build"]);
    expect(r.code).toBe(1);
    expect(r.json.error).toMatchObject({
      code: "RELX_WRITE_FAILED",
      message: expect.stringContaining(`cannot write ${join(root, "releases")}: a file that is not a directory is in the way`),
      hint: expect.stringContaining("releasesDir"),
    });
    expect(readFileSync(join(root, "releases"), "utf8")).toBe("not a directory");
  });

  it("an out-of-range SOURCE_DATE_EPOCH, as a bad argument", async () => {
    const { root } = await bank();
    const before = snapshot(join(root, "releases"));
    const r = await relxJson(root, ["build", "--vsn", "1.0.1"], { env: { SOURCE_DATE_EPOCH: "99999999999999999" } });
    expect(r.code).toBe(1);
    expect(r.json.error).toMatchObject({ code: "RELX_BAD_ARGUMENT", message: expect.stringContaining('got "99999999999999999"'), hint: expect.stringContaining("SOURCE_DATE_EPOCH") });
    expect(snapshot(join(root, "releases"))).toEqual(before);
  });

  it("config with a prototype-named key, or a timeout a Node timer cannot wait", async () => {
    const root = tempRoot();
    copyExample(root);
    for (const [config, message] of [
      ['{ "constructor": 1 }', /relx\.config\.json: unknown key "constructor"/],
      ['{ "__proto__": { "srcDir": "src" } }', /unknown key "__proto__"/],
      ['{ "suspendTimeoutMs": 3000000000 }', /"suspendTimeoutMs" is 3000000000 ms, more than the 2147483647 ms/],
    ] as const) {
      writeFileSync(join(root, "relx.config.json"), config);
      const r = await relxJson(root, ["build"]);
      expect({ code: r.code, error: r.json.error }).toMatchObject({ code: 1, error: { code: "RELX_BAD_CONFIG", message: expect.stringMatching(message) } });
      expect(existsSync(join(root, "releases", "1.0.0"))).toBe(false);
    }
  });
});
