import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { build } from "../../../src/release/build/build.js";
import { defaultExport, loadModule } from "../../../src/release/load-module.js";
import { HOST, makeBank } from "../../fixtures/bank.js";
import { cleanupRoots } from "../../support/temp-root.js";
import { writeFiles } from "../../support/write-files.mjs";

afterEach(cleanupRoots);

describe("source languages", () => {
  it("builds a plain JavaScript app (src/app.js found without config)", async () => {
    const root = await makeBank({ lang: "js" });
    const result = await build({ root });
    expect(result.manifest.app).toMatchObject({ file: "lib/app.cjs", source: "src/app.js" });
    expect(result.manifest.servers.map((s) => [s.name, s.source])).toEqual([
      ["Counter", "src/counter.js"],
      ["DemoServer", "src/demo_server.js"],
    ]);
    const demo = defaultExport(loadModule(join(result.dir, "lib/demo_server.cjs"), HOST)) as any;
    expect(demo.handleCall({ add: 1 }, null, { name: "b", money: 1 }).reply).toBe("1 added to b ");
  });

  it("builds .mts, .cjs and nested modules to lib/<path>.cjs, skipping tests and declarations", async () => {
    const root = await makeBank();
    await writeFiles(root, {
      "src/util/clock.mts": "export const now = () => 1;\n",
      "src/legacy.cjs": "module.exports = { name: 'Legacy', init: () => null };\n",
      "src/demo_server.test.ts": "throw new Error('not part of a release');\n",
      "src/types.d.ts": "export type X = 1;\n",
    });
    const result = await build({ root });
    expect(Object.keys(result.manifest.files)).toEqual([
      "lib/app.cjs", "lib/counter.cjs", "lib/demo_server.cjs", "lib/legacy.cjs", "lib/util/clock.cjs",
    ]);
    expect(result.manifest.servers.map((s) => s.name)).toEqual(["Counter", "DemoServer", "Legacy"]);
  });

  it("ignores type errors unless --typecheck", async () => {
    const root = await makeBank();
    await writeFiles(root, { "src/typo.ts": `export const n: number = "not a number";\n` });
    await expect(build({ root, vsn: "1.0.0" })).resolves.toMatchObject({ vsn: "1.0.0" });
    await expect(build({ root, vsn: "1.0.1", typecheck: true })).rejects.toMatchObject({
      code: "RELX_BUILD_FAILED",
      message: expect.stringMatching(/type errors: src\/typo.ts:1:14: Type 'string' is not assignable to type 'number'/),
    });
  });

  it("passes --typecheck on a well-typed app", async () => {
    const root = await makeBank();
    await writeFiles(root, {
      "src/app.ts": `export default { processes: [{ name: "c", server: "Typed" }] };\n`,
      "src/demo_server.ts": `export default { name: "Typed", init: (n: number) => n + 1 };\n`,
      "src/counter.ts": `export const unused: string = "ok";\n`,
    });
    await expect(build({ root, typecheck: true })).resolves.toMatchObject({ vsn: "1.0.0" });
  });

  it("type-checks the bank against relx's own types when the app has no relx installed", async () => {
    const root = await makeBank({ demo: 2 });
    await expect(build({ root, typecheck: true })).resolves.toMatchObject({ vsn: "1.0.0" });
    await writeFiles(root, { "src/app.ts": `import { defineApp } from "relx";\nexport default defineApp({ processes: [{ name: 1 }] });\n` });
    await expect(build({ root, vsn: "1.0.1", typecheck: true })).rejects.toMatchObject({
      message: expect.stringMatching(/src\/app.ts:2:\d+: Type 'number' is not assignable to type 'string'/),
    });
  });

  it("turns a dynamic import() into something the release loader can run", async () => {
    const root = await makeBank();
    await writeFiles(root, {
      "src/later.ts": `export const hello = () => "later";\n`,
      "src/lazy.ts": `export default {
  name: "Lazy",
  init: () => null,
  async handleCall() {
    const os = await import("node:os");
    const { hello } = await import("./later.js");
    return { reply: typeof os.cpus === "function" && hello(), state: null };
  },
};
`,
    });
    const { dir } = await build({ root });
    const lazy = defaultExport(loadModule(join(dir, "lib/lazy.cjs"), HOST)) as any;
    await expect(lazy.handleCall()).resolves.toEqual({ reply: "later", state: null });
  });
});
