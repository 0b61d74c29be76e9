// release.json is checked in full wherever it is read (issue 9, finding 5): each malformed or
// inconsistent manifest below is RELX_BAD_RELEASE naming the file and the field, with a hint.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { build } from "../../../src/release/build/build.js";
import { readManifest, verifyRelease } from "../../../src/release/store/verify.js";
import { makeBank, writeBank } from "../../fixtures/bank.js";
import { cleanupRoots } from "../../support/temp-root.js";

afterEach(cleanupRoots);

type Json = any;

/** A built bank 1.0.0 and a way to rewrite its release.json. */
async function builtBank() {
  const root = await makeBank();
  const { dir } = await build({ root });
  const file = join(dir, "release.json");
  const original = await readFile(file, "utf8");
  const rewrite = (edit: (m: Json) => void) => {
    const m = JSON.parse(original);
    edit(m);
    return writeFile(file, JSON.stringify(m));
  };
  return { root, dir, file, rewrite };
}

const PORT = { key: "port", env: "PORT", type: "number", sensitive: false, default: 80 };

const CASES: [string, (m: Json) => void, RegExp][] = [
  ["boot processes that are not objects", (m) => (m.boot.processes = [null, { name: 5 }]), /boot\.processes\[0\] expected an object \{ name, server, restart, args\? \}, got null/],
  ["a boot process name that is not a string", (m) => (m.boot.processes[1].name = 5), /boot\.processes\[1\]\.name expected a non-empty string, got number 5/],
  ["two boot processes with one name", (m) => (m.boot.processes[1].name = "blackode"), /boot\.processes\[1\]\.name: two boot processes are named "blackode"/],
  ["a boot process naming a server the release lacks", (m) => (m.boot.processes[0].server = "Ghost"), /boot\.processes\[0\]\.server names server "Ghost", which is not in servers \(Counter, DemoServer\)/],
  ["a bogus restart policy", (m) => (m.boot.processes[0].restart = "sometimes"), /boot\.processes\[0\]\.restart expected one of permanent, transient, temporary, got "sometimes"/],
  ["a boot process without restart", (m) => delete m.boot.processes[0].restart, /boot\.processes\[0\]\.restart is missing/],
  ["an unknown key in a boot process", (m) => (m.boot.processes[0].restrat = "permanent"), /boot\.processes\[0\] has an unknown key "restrat"/],
  // Well-formed boot processes are checked by hand, not by the schema: what is around them still is.
  ["an unknown key in boot beside well-formed processes", (m) => (m.boot.extra = 1), /boot has an unknown key "extra"/],
  ["a bad format before well-formed processes", (m) => (m.format = "1"), /format expected format 1, got "1"/],
  ["a bad server after well-formed processes", (m) => (m.servers[0].name = ""), /servers\[0\]\.name expected a non-empty string, got ""/],
  ["a boot process with an inherited-looking key", (m) => (m.boot.processes[0] = JSON.parse(`{"__proto__":{},"name":"x","server":"Counter","restart":"permanent"}`)), /boot\.processes\[0\] has an unknown key "__proto__"/],
  ["a vsn unlike its directory", (m) => (m.vsn = "1.0.1"), /vsn is "1\.0\.1", but the release's directory is named "1\.0\.0"/],
  ["a vsn that is not semver", (m) => (m.vsn = "v1"), /vsn expected a semver version like 1\.2\.3, got "v1"/],
  ["another format", (m) => (m.format = 2), /format expected format 1, got number 2/],
  ["a createdAt that is no date", (m) => (m.createdAt = "yesterday"), /createdAt expected an ISO timestamp/],
  ["two servers with one name", (m) => (m.servers[1].name = "Counter"), /servers\[1\]\.name: two servers are named "Counter"/],
  ["a server file that files does not list", (m) => (m.servers[0].file = "lib/other.cjs"), /servers\[0\]\.file "lib\/other\.cjs" is not listed in files/],
  ["a server sha256 that is not files'", (m) => (m.servers[0].sha256 = "a".repeat(64)), /servers\[0\]\.file: its sha256 differs from files\["lib\/counter\.cjs"\]/],
  ["a server vsn other than the one it declares", (m) => (m.servers[1].vsn = "7"), /servers\[1\]\.vsn is "7", but the server declares vsn "1"/],
  ["hasCodeChange that is not a boolean", (m) => (m.servers[0].hasCodeChange = "no"), /servers\[0\]\.hasCodeChange expected true or false, got "no"/],
  ["an absolute path in files", (m) => (m.files["/etc/passwd"] = "a".repeat(64)), /files\["\/etc\/passwd"\] expected a relative path inside the release/],
  ["a path with .. in files", (m) => (m.files["lib/../../x"] = "a".repeat(64)), /files\["lib\/\.\.\/\.\.\/x"\] expected a relative path inside the release/],
  ["a NUL in a path", (m) => (m.files["lib/a\u0000b"] = "a".repeat(64)), /expected a relative path inside the release/],
  ["a prototype-named key in files", (m) => (m.files.constructor = "a".repeat(64)), /files\.constructor is not a file a release can hold/],
  ["release.json listed in files", (m) => (m.files["release.json"] = "a".repeat(64)), /files\["release\.json"\] expected a file other than release\.json/],
  ["a sha256 that is not hex", (m) => (m.files["lib/app.cjs"] = "xyz"), /files\["lib\/app\.cjs"\] expected a sha256 \(64 lowercase hex digits\), got "xyz"/],
  ["a config key whose default is not of its type", (m) => (m.config = [{ key: "port", env: "PORT", type: "number", sensitive: false, default: "80" }]), /config\[0\]\.default expected a number, got "80"/],
  ["a config key with a bad variable name", (m) => (m.config = [{ key: "port", env: "1PORT", type: "number", sensitive: false }]), /config\[0\]\.env expected a variable name, got "1PORT"/],
  ["two config keys with one name", (m) => (m.config = [PORT, PORT]), /config\[1\]\.key: two config keys are named "port"/],
  ["a config key with an unknown field", (m) => (m.config = [{ ...PORT, secret: true }]), /config\[0\] has an unknown key "secret"/],
  ["a sensitive config key with a recorded default", (m) => (m.config = [{ ...PORT, sensitive: true, default: 1 }]), /config\[0\]\.default: a sensitive key's default is never recorded/],
  ["a relx version that is not a string", (m) => (m.relx = 2), /relx expected a relx version, got number 2/],
  ["plans that are not { up, down } objects", (m) => (m.plans = { "0.9.0": { up: [], down: {} } }), /plans\["0\.9\.0"\]\.up expected an object, got an array/],
];

describe("readManifest refuses", () => {
  it.each(CASES)("%s, naming the file and the field", async (_what, edit, message) => {
    const { dir, file, rewrite } = await builtBank();
    await rewrite(edit);
    const err = await readManifest(dir).then(() => null, (e) => e);
    expect(err).toMatchObject({ code: "RELX_BAD_RELEASE", message: expect.stringMatching(message), hint: expect.stringContaining(`rm -r ${dir}`) });
    expect(err.message).toContain(`${file} is malformed: `);
    await expect(verifyRelease(dir, "bank")).rejects.toMatchObject({ code: "RELX_BAD_RELEASE" });
  });
});

describe("readManifest refuses a file that is not a manifest at all", () => {
  it("an array, a number, invalid JSON", async () => {
    const { dir, file } = await builtBank();
    for (const [text, message] of [["[]", /is malformed: expected an object, got an array/], ["7", /got number 7/], ["{", /is not valid JSON/]] as const) {
      await writeFile(file, text);
      await expect(readManifest(dir)).rejects.toMatchObject({ code: "RELX_BAD_RELEASE", message: expect.stringMatching(message) });
    }
  });
});

describe("readManifest accepts", () => {
  it("what the build writes, plans included, and ignores a top-level key a newer relx may add", async () => {
    const root = await makeBank();
    await build({ root });
    await writeBank(root, { version: "1.1.0", demo: 2 });
    const { dir, manifest } = await build({ root });
    expect(await verifyRelease(dir, "bank")).toEqual(manifest);
    expect(manifest).toMatchObject({ config: [], relx: expect.any(String) });
    const m = JSON.parse(await readFile(join(dir, "release.json"), "utf8"));
    await writeFile(join(dir, "release.json"), JSON.stringify({ ...m, builtWith: "relx 9" }));
    expect((await readManifest(dir)).vsn).toBe("1.1.0");
    const { config: _config, relx: _relx, ...older } = m; // as relx before 0.2 wrote it, with args
    older.boot.processes[0].args = { name: "blackode", money: 30000 };
    await writeFile(join(dir, "release.json"), JSON.stringify(older));
    expect((await readManifest(dir)).boot.processes[0]).toMatchObject({ name: "blackode", args: { name: "blackode", money: 30000 } });
    await writeFile(join(dir, "release.json"), JSON.stringify({ ...m, config: [PORT] }));
    expect((await readManifest(dir)).config).toEqual([PORT]);
  });
});
