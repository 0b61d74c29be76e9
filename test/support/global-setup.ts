/**
 * vitest globalSetup: builds dist/ (tsc -p tsconfig.build.json) before any test runs, because the
 * integration and CLI tests run bin/relx, which runs dist/. A plain `npx vitest` after an edit of
 * src/ therefore tests the edit, not the last build.
 *
 * The build is skipped when dist/ was built from exactly the current inputs: a sha256 over every
 * file under src/, both tsconfigs and the TypeScript version, recorded in dist/.build-inputs after
 * a successful build. Content, not mtimes, so a checkout, a rename or a revert is never missed.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./paths.js";

const STAMP = join(REPO, "dist", ".build-inputs");
const OUTPUTS = ["dist/cli/main.js", "dist/daemon/main.js", "dist/index.js"];

export default async function setup(): Promise<void> {
  const inputs = inputsHash();
  if (isBuilt(inputs)) return;
  const { code, output } = await tsc(["-p", "tsconfig.build.json"]);
  if (code !== 0) throw new Error(`the build for the tests failed (tsc -p tsconfig.build.json, exit ${code}):\n${output}`);
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
    "node_modules/typescript/package.json",
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

function tsc(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, "node_modules", "typescript", "bin", "tsc"), ...args], { cwd: REPO });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}
