// "relx/testing" as a user's app uses it: the app installs relx (node_modules/relx links to this
// checkout, as `npm install <dir>` does), imports checkUpgrade from the package's published entry
// (dist/testing.js, through package.json "exports"), and runs its own vitest test on it, type-
// checked against the published types.
import { execFile } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { builtExample } from "../fixtures/bank.js";
import { REPO } from "../support/paths.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

const USER_TEST = `import { expect, test } from "vitest";
import { writeFileSync } from "node:fs";
import { checkUpgrade, type CheckResult } from "relx/testing";

test("2.0.0 migrates the boot state and back", async () => {
  const report: CheckResult = await checkUpgrade({ from: "1.0.0", to: "2.0.0" });
  expect(report).toEqual({
    ok: true, from: "1.0.0", to: "2.0.0",
    results: [{ name: "blackode", server: "DemoServer", up: { ok: true }, down: { ok: true }, roundTrip: true }],
  });
});

test("a recorded state with no money does not come back the same", async () => {
  const state = { name: "ghost" };
  writeFileSync("states.json", JSON.stringify({ processes: [{ name: "ghost", pid: "<0.9.0>", server: "DemoServer", vsn: "1", state }] }));
  const report = await checkUpgrade({ from: "1.0.0", to: "2.0.0", states: "states.json" });
  expect(report.ok).toBe(true);
  expect(report.results[0]?.roundTrip).toBe(false);
  // @ts-expect-error: from is a vsn string
  await expect(checkUpgrade({ from: 1, to: "2.0.0" })).rejects.toThrow("is not a semver version");
});
`;

function run(cwd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd, env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

describe("relx/testing in a user's app", () => {
  it("runs checkUpgrade from the app's own vitest test, typed", async () => {
    const root = tempRoot();
    await builtExample(root, { v2: true });
    mkdirSync(join(root, "node_modules", "@types"), { recursive: true });
    symlinkSync(REPO, join(root, "node_modules", "relx"), "dir");
    for (const dev of ["vitest", "@types/node"]) symlinkSync(join(REPO, "node_modules", dev), join(root, "node_modules", dev), "dir");
    writeFiles(root, {
      "test/upgrade.test.ts": USER_TEST,
      "tsconfig.json": JSON.stringify({
        compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, noEmit: true, skipLibCheck: true, types: ["node"] },
        include: ["test"],
      }),
    });

    const types = await run(root, [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"]);
    expect(types.code, types.out).toBe(0);
    const tests = await run(root, [join(REPO, "node_modules", "vitest", "vitest.mjs"), "run"]);
    expect(tests.code, tests.out).toBe(0);
    expect(tests.out).toMatch(/Tests\s+2 passed \(2\)/);
  });
});
