import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { build } from "../../../src/release/build/build.js";
import { defaultExport, loadModule } from "../../../src/release/load-module.js";
import { HOST, makeBank } from "../../fixtures/bank.js";
import { cleanupRoots } from "../../support/temp-root.js";
import { writeFiles } from "../../support/write-files.mjs";

afterEach(cleanupRoots);

describe("dependencies", () => {
  it("are bundled: a server still runs with the app's node_modules deleted", async () => {
    const root = await makeBank();
    await writeFiles(root, {
      "node_modules/money-fmt/package.json": JSON.stringify({ name: "money-fmt", version: "1.0.0", main: "index.js" }),
      "node_modules/money-fmt/index.js": `const { format } = require("node:util");\nexports.fmt = (n) => format("$%d", n);\n`,
      "src/helpers/greeting.ts": `export const greet = (who: string) => "hello " + who;\n`,
      "src/teller.ts": `import { fmt } from "money-fmt";
import { greet } from "./helpers/greeting.js";
import { defineServer } from "relx";
export default defineServer({
  name: "Teller",
  init: () => 0,
  handleCall: (msg: string, from: unknown, n: number) => ({ reply: greet(msg) + " " + fmt(n), state: n }),
});
`,
    });
    const result = await build({ root });
    await rm(join(root, "node_modules"), { recursive: true });
    expect(result.manifest.files).toHaveProperty(["lib/helpers/greeting.cjs"]);
    const teller = defaultExport(loadModule(join(result.dir, "lib/teller.cjs"), HOST)) as any;
    expect(teller.handleCall("ann", null, 42)).toEqual({ reply: "hello ann $42", state: 42 });
  });

  it("change the sha256 of the servers that import them", async () => {
    const root = await makeBank();
    const dep = (v: string) => ({
      "node_modules/rates/package.json": JSON.stringify({ name: "rates", main: "index.js" }),
      "node_modules/rates/index.js": `exports.rate = ${v};\n`,
      "src/rater.ts": `import { rate } from "rates";\nexport default { name: "Rater", init: () => rate };\n`,
    });
    await writeFiles(root, dep("1"));
    const first = await build({ root, vsn: "1.0.0" });
    await writeFiles(root, dep("2"));
    const second = await build({ root, vsn: "1.0.1" });
    const sha = (r: typeof first, name: string) => r.manifest.servers.find((s) => s.name === name)!.sha256;
    expect(sha(second, "Rater")).not.toBe(sha(first, "Rater"));
    expect(sha(second, "DemoServer")).toBe(sha(first, "DemoServer"));
    expect(second.manifest.plans["1.0.0"]!.up.changed).toEqual([{ name: "Rater", fromVsn: "1.0.0", toVsn: "1.0.1" }]);
  });
});
