/**
 * vitest globalSetup: builds dist/ as `npm run build` does (tsc -p tsconfig.build.json, then
 * scripts/build-cli.mjs for the CLI's bundle, dist/cli/relx.cjs) before any test runs, because the
 * integration and CLI tests run bin/relx, which runs dist/. A plain `npx vitest` after an edit of
 * src/ therefore tests the edit, not the last build.
 *
 * The build is skipped when dist/ was built from exactly the current inputs: a sha256 over every
 * file under src/, both tsconfigs, the bundle script and the TypeScript and esbuild versions,
 * recorded in dist/.build-inputs after a successful build. Content, not mtimes, so a checkout, a
 * rename or a revert is never missed.
 *
 * It also makes the run's cache of prebuilt roots (test/support/prebuilt.ts), which the test
 * workers find in RELX_TEST_PREBUILT, and removes it once the run is over.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./paths.js";

const STAMP = join(REPO, "dist", ".build-inputs");
const OUTPUTS = ["dist/cli/main.js", "dist/cli/relx.cjs", "dist/daemon/main.js", "dist/index.js"];

export default async function setup(): Promise<() => void> {
  await buildDist();
  const prebuilt = mkdtempSync(join(tmpdir(), "rx-prebuilt-"));
  process.env.RELX_TEST_PREBUILT = prebuilt; // the workers, forked after this, inherit it
  return () => rmSync(prebuilt, { recursive: true, force: true });
}

async function buildDist(): Promise<void> {
  const inputs = inputsHash();
  if (isBuilt(inputs)) return;
  const steps = [
    [join(REPO, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
    [join(REPO, "scripts", "build-cli.mjs")],
  ];
  for (const args of steps) {
    const { code, output } = await node(args);
    if (code !== 0) throw new Error(`the build for the tests failed (node ${args.join(" ")}, exit ${code}):\n${output}`);
  }
  writeFileSync(STAMP, inputs + "\n");
}

function isBuilt(inputs: string): boolean {
  if (!OUTPUTS.every((file) => existsSync(join(REPO, file)))) return false;
  return existsSync(STAMP) && readFileSync(STAMP, "utf8").trim() === inputs;
}

function inputsHash(): string {
  const hash = createHash("sha256");
  const files = [
    ...filesUnder("src"),
    "tsconfig.json",
    "tsconfig.build.json",
    "scripts/build-cli.mjs",
    "node_modules/typescript/package.json",
    "node_modules/esbuild/package.json",
  ];
  for (const rel of files) {
    hash.update(`${rel}\0`);
    hash.update(readFileSync(join(REPO, rel)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** Files under `dir` (relative to the repo), sorted so the hash does not depend on readdir order. */
function filesUnder(dir: string): string[] {
  return readdirSync(join(REPO, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(REPO.length + 1))
    .sort();
}

function node(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, BUILD_CLI_QUIET: "1" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}
