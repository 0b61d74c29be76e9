// `relx build` through the CLI: it evaluates the app's modules in its own process, so what they
// leave running must not keep it alive, whether the build succeeds or fails.
import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyExample } from "../fixtures/bank.js";
import { relx } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";

afterEach(cleanupRoots);

describe("relx build", () => {
  it("exits after building an app whose module starts a timer at its top level", async () => {
    const root = tempRoot();
    copyExample(root);
    appendFileSync(join(root, "src", "demo_server.ts"), "\nsetInterval(() => {}, 1000);\n");
    const r = await relx(root, ["build"]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("exits 1 when a module that started a timer then throws at its top level", async () => {
    const root = tempRoot();
    copyExample(root);
    appendFileSync(join(root, "src", "demo_server.ts"), '\nsetInterval(() => {}, 1000);\nthrow new Error("top-level failure");\n');
    const r = await relx(root, ["build"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("top-level failure");
  });

  it("leaves no releases/ behind when the first build of an app fails", async () => {
    const root = tempRoot();
    copyExample(root);
    appendFileSync(join(root, "src", "demo_server.ts"), '\nthrow new Error("top-level failure");\n');
    const r = await relx(root, ["build"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("top-level failure");
    expect(existsSync(join(root, "releases"))).toBe(false);
  });

  it("names the npm install to run when the app imports a package that is not installed", async () => {
    const root = tempRoot();
    copyExample(root);
    appendFileSync(join(root, "src", "demo_server.ts"), '\nimport "left-pad-not-installed/sub";\n');
    const r = await relx(root, ["build"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Could not resolve "left-pad-not-installed/sub"');
    expect(r.stderr).toContain("hint: install the package the app imports (`npm install left-pad-not-installed` in the app's root)");
  });
});
