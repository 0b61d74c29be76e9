import { appendFile, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { build } from "../../../src/release/build/build.js";
import { makeBank, writeBank } from "../../fixtures/bank.js";
import { cleanupRoots } from "../../support/temp-root.js";
import { writeFiles } from "../../support/write-files.mjs";

afterEach(cleanupRoots);

/** The build of `root` fails with `code`, a message matching `message`, a hint; no release, no staging dir. */
async function expectRefused(root: string, options: { vsn?: string }, code: string, message: RegExp) {
  const before = await readdir(join(root, "releases")).catch(() => []);
  const err = await build({ root, ...options }).then(() => null, (e) => e);
  expect(err).toMatchObject({ code, message: expect.stringMatching(message), hint: expect.any(String) });
  expect(await readdir(join(root, "releases")).catch(() => [])).toEqual(before);
  return err;
}

const SERVER = (name: string, vsn = "1") =>
  `export default { name: "${name}", vsn: "${vsn}", init: (a) => a };\n`;

describe("build refuses", () => {
  it("a vsn that is not semver", async () => {
    const root = await makeBank();
    await expectRefused(root, { vsn: "1.0" }, "RELX_BAD_VSN", /--vsn "1.0" is not a semver version/);
    const err = await expectRefused(root, { vsn: "v2.0.0" }, "RELX_BAD_VSN", /"v2.0.0" is not a semver/);
    expect(err.hint).toContain("relx build --vsn 2.0.0");
  });

  it("a package.json version that is not semver", async () => {
    const root = await makeBank({ version: "latest" });
    await expectRefused(root, {}, "RELX_BAD_VSN", /package.json version "latest"/);
  });

  it("a vsn that already exists", async () => {
    const root = await makeBank();
    await build({ root });
    const err = await expectRefused(root, {}, "RELX_RELEASE_EXISTS", /release 1.0.0 already exists/);
    expect(err.hint).toContain("--vsn");
  });

  it("two servers with the same name, naming both files", async () => {
    const root = await makeBank();
    await writeFiles(root, { "src/other.ts": SERVER("DemoServer") });
    await expectRefused(root, {}, "RELX_DUPLICATE_SERVER", /two servers are named "DemoServer": src\/demo_server.ts and src\/other.ts/);
  });

  it("a boot spec naming a server that does not exist", async () => {
    const root = await makeBank();
    await writeFiles(root, {
      "src/app.ts": `export default { processes: [{ name: "p", server: "Ghost" }] };\n`,
    });
    await expectRefused(root, {}, "RELX_BAD_BOOT_SPEC", /process "p" names server "Ghost", which is not in this release/);
  });

  it("a processes(config) that throws a value with no string form (an object with no prototype)", async () => {
    const root = await makeBank();
    await writeFiles(root, {
      "src/app.ts": `export default { processes: () => { throw Object.create(null); } };\n`,
    });
    await expectRefused(root, {}, "RELX_BAD_BOOT_SPEC", /processes\(config\) threw: an object/);
  });

  it("a malformed boot spec", async () => {
    const root = await makeBank();
    await writeFiles(root, {
      "src/app.ts": `export default { processes: [{ name: "p", server: "Counter", restart: "always" }] };\n`,
    });
    await expectRefused(root, {}, "RELX_BAD_BOOT_SPEC", /restart expected one of permanent, transient, temporary, got "always"/);
  });

  it("a missing boot spec", async () => {
    const root = await makeBank();
    await rm(join(root, "src/app.ts"));
    await expectRefused(root, {}, "RELX_BAD_BOOT_SPEC", /no boot spec: src\/app.ts does not exist/);
  });

  it("an app without its source directory", async () => {
    const root = await makeBank();
    await rm(join(root, "src"), { recursive: true });
    await expectRefused(root, {}, "RELX_BAD_CONFIG", /no source directory: .*src does not exist/);
  });

  it("a boot spec outside srcDir", async () => {
    const root = await makeBank({ pkg: { relx: { app: "app.ts" } } });
    await writeFiles(root, { "app.ts": "export default { processes: [] };\n" });
    await expectRefused(root, {}, "RELX_BAD_CONFIG", /the boot spec "app.ts" is outside srcDir "src"/);
  });

  it("a server whose code changed while its declared vsn did not", async () => {
    const root = await makeBank();
    await build({ root });
    await writeBank(root, { version: "1.1.0" });
    await appendFile(join(root, "src/demo_server.ts"), "export const tweak = 1;\n");
    const err = await expectRefused(root, {}, "RELX_VSN_NOT_BUMPED",
      /server "DemoServer" \(src\/demo_server.ts\) changed since release 1.0.0 \(its own code or code it imports\) but its vsn is still "1"/);
    expect(err.hint).toMatch(/bump vsn in src\/demo_server.ts/);
  });

  it("a module that does not compile, with esbuild's message", async () => {
    const root = await makeBank();
    await writeFiles(root, { "src/broken.ts": "export const x = ;\n" });
    await expectRefused(root, {}, "RELX_BUILD_FAILED", /src\/broken.ts:1:\d+: Unexpected ";"/);
  });

  it("a module that throws when loaded", async () => {
    const root = await makeBank();
    await writeFiles(root, { "src/boom.ts": `throw new Error("no config");\n` });
    await expectRefused(root, {}, "RELX_BUILD_FAILED", /src\/boom.ts fails when loaded: no config/);
  });

  it("an import that cannot be resolved", async () => {
    const root = await makeBank();
    await writeFiles(root, { "src/uses.ts": `import x from "left-pad";\nexport default x;\n` });
    await expectRefused(root, {}, "RELX_BUILD_FAILED", /Could not resolve "left-pad"/);
  });

  it("a native addon dependency, naming it", async () => {
    const root = await makeBank();
    await writeFiles(root, {
      "node_modules/fast-native/package.json": JSON.stringify({ name: "fast-native", main: "index.js" }),
      "node_modules/fast-native/index.js": `module.exports = require("./build/Release/fast.node");\n`,
      "src/uses.ts": `import fast from "fast-native";\nexport default fast;\n`,
    });
    await mkdir(join(root, "node_modules/fast-native/build/Release"), { recursive: true });
    await writeFile(join(root, "node_modules/fast-native/build/Release/fast.node"), "");
    await expectRefused(root, {}, "RELX_BUILD_FAILED", /native addon ".\/build\/Release\/fast.node" of fast-native cannot be bundled/);
  });

  it("a dependency that loads a native addon at run time, naming the package", async () => {
    const root = await makeBank();
    await writeFiles(root, {
      "node_modules/@acme/gyp/package.json": JSON.stringify({ name: "@acme/gyp", main: "index.js", gypfile: true }),
      "node_modules/@acme/gyp/index.js": `module.exports = require("node-gyp-build")(__dirname);\n`,
      "node_modules/node-gyp-build/package.json": JSON.stringify({ name: "node-gyp-build", main: "index.js" }),
      "node_modules/node-gyp-build/index.js": `module.exports = (dir) => require(dir + "/build/Release/x.node");\n`,
      "src/uses.ts": `import gyp from "@acme/gyp";\nexport default gyp;\n`,
    });
    await expectRefused(root, {}, "RELX_BUILD_FAILED", /cannot bundle native addon package @acme\/gyp/);
  });
});
