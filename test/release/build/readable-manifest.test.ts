// The build's refusals: what relx's own read of release.json would
// refuse is refused by the build, worded where the value was written, and nothing is left.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { build } from "../../../src/release/build/build.js";
import { makeBank } from "../../fixtures/bank.js";
import { writeFiles } from "../../support/write-files.mjs";
import { cleanupRoots } from "../../support/temp-root.js";

afterEach(cleanupRoots);

describe("a server whose name or vsn the read of release.json would refuse", () => {
  it.each([
    ["an empty name", `defineServer({ name: "", init: () => 0 })`, 'src/z.ts: a server\'s name is ""', 'name: "'],
    ["an empty vsn", `defineServer({ name: "Z", vsn: "", init: () => 0 })`, 'server "Z" (src/z.ts): vsn expected a non-empty string, got ""', "vsn"],
  ])("is refused naming its module (%s), and nothing is built, tarball included", async (_what, def, message, hint) => {
    const root = await makeBank({ version: "1.0.0" });
    await writeFiles(root, { "src/z.ts": `import { defineServer } from "relx";\nexport default ${def};\n` });
    const thrown = await build({ root, tar: true }).then(() => undefined, (err: unknown) => err as { code: string; message: string; hint?: string });
    expect(thrown).toMatchObject({ code: "RELX_BUILD_FAILED", message: expect.stringContaining(message) });
    expect(thrown?.hint).toContain("src/z.ts");
    expect(thrown?.hint).toContain(hint);
    expect(existsSync(join(root, "releases"))).toBe(false);
  });
});

describe("a json config key whose default is not JSON", () => {
  // release.json would record something else: a function as no default (the key then required
  // where the release runs), NaN as null, a Map as {}; a BigInt failed the build with a bare TypeError.
  it.each([["() => 1", "a function"], ["NaN", "NaN"], ["new Map([[1, 2]])", "a Map"], ["10n", "a bigint"], ["[undefined]", "an array"]])(
    "is refused where the boot spec declares it (%s), and nothing is built",
    async (value) => {
      const root = await makeBank({ version: "1.0.0" });
      const app = join(root, "src", "app.ts");
      writeFileSync(app, readFileSync(app, "utf8").replace("export default defineApp({", `export default defineApp({\n  config: { J: { env: "J", type: "json", default: ${value} } } as any,`));
      const thrown = await build({ root }).then(() => undefined, (err: unknown) => err as { code: string; message: string; hint?: string });
      expect(thrown).toMatchObject({ code: "RELX_BAD_BOOT_SPEC", message: expect.stringContaining('key "J": "default" expected JSON data') });
      expect(existsSync(join(root, "releases"))).toBe(false);
    },
  );

  it("JSON data as a default is recorded as it is", async () => {
    const root = await makeBank({ version: "1.0.0" });
    const app = join(root, "src", "app.ts");
    writeFileSync(app, readFileSync(app, "utf8").replace("export default defineApp({", 'export default defineApp({\n  config: { J: { env: "J", type: "json", default: { a: [1, "x", null, true] } } },'));
    const { dir } = await build({ root });
    const written = JSON.parse(readFileSync(join(dir, "release.json"), "utf8")) as { config: unknown[] };
    expect(written.config).toEqual([{ key: "J", env: "J", type: "json", sensitive: false, default: { a: [1, "x", null, true] } }]);
  });
});
