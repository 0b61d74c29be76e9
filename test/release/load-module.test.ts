import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import * as esbuild from "esbuild";
import { afterEach, describe, expect, it } from "vitest";
import { defaultExport, loadModule } from "../../src/release/load-module.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

async function moduleFile(code: string): Promise<string> {
  const dir = tempRoot();
  await writeFiles(dir, { "m.cjs": code });
  return join(dir, "m.cjs");
}

describe("loadModule", () => {
  it("gives the module its host modules and Node builtins, with or without node:", async () => {
    const file = await moduleFile(`
      const relx = require("relx");
      const path = require("path");
      const { basename } = require("node:path");
      module.exports = { default: relx.tag(basename(__filename)), same: path.sep === require("node:path").sep, dir: __dirname };
    `);
    const mod = loadModule(file, { relx: { tag: (s: string) => `<${s}>` } }) as any;
    expect(defaultExport(mod)).toBe("<m.cjs>");
    expect(mod.same).toBe(true);
    expect(mod.dir).toBe(join(file, ".."));
  });

  it("refuses any other require, naming the id and the file", async () => {
    const file = await moduleFile(`require("lodash");`);
    expect(() => loadModule(file, {})).toThrow(expect.objectContaining({
      code: "RELX_BAD_RELEASE",
      message: `${file} requires "lodash", which is not part of the release`,
    }));
  });

  it("reports a module that throws or does not parse as RELX_BAD_RELEASE, keeping the cause", async () => {
    const throws = await moduleFile(`throw new TypeError("boom");`);
    expect(() => loadModule(throws, {})).toThrow(expect.objectContaining({ code: "RELX_BAD_RELEASE", cause: expect.any(TypeError) }));
    const broken = await moduleFile(`module.exports = {`);
    expect(() => loadModule(broken, {})).toThrow(expect.objectContaining({ code: "RELX_BAD_RELEASE" }));
  });

  it("evaluates afresh each time, outside require's cache", async () => {
    const file = await moduleFile(`module.exports = { at: {} };`);
    const a = loadModule(file, {}) as { at: object };
    const b = loadModule(file, {}) as { at: object };
    expect(a.at).not.toBe(b.at);
    expect(Object.keys(createRequire(import.meta.url).cache)).not.toContain(file);
  });

  it("lets a module's code be garbage-collected once nothing holds its exports", async () => {
    const dir = tempRoot();
    // Node cannot run the TypeScript source: bundle loadModule for a child started with --expose-gc.
    await esbuild.build({ entryPoints: [join(import.meta.dirname, "../../src/release/load-module.ts")], bundle: true, platform: "node", format: "esm", outfile: join(dir, "load-module.mjs"), logLevel: "silent" });
    await writeFiles(dir, {
      "release.cjs": `const big = new Array(1e6).fill(7); module.exports = { default: { name: "S", init: () => big.length } };`,
      "probe.mjs": `import { loadModule } from "./load-module.mjs";
        const refs = [];
        for (let i = 0; i < 20; i++) refs.push(new WeakRef(loadModule(${JSON.stringify(join(dir, "release.cjs"))}, {})));
        await new Promise((r) => setTimeout(r, 10));
        globalThis.gc();
        console.log(refs.filter((r) => r.deref() !== undefined).length);`,
    });
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", join(dir, "probe.mjs")]);
    expect(stdout.trim()).toBe("0");
  });
});
