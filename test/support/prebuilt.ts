/**
 * Roots built once per test run and copied by the tests that only need them built: a test whose
 * subject is the running node, not the build, starts from a copy instead of running `relx build`
 * again on the same sources (~0.4 s of CPU each). The build itself stays under test where it is
 * the subject (test/release/build, the walk-through, install-atomic's and bad-release's later builds).
 *
 * The cache is a directory global-setup.ts makes for the run (RELX_TEST_PREBUILT) and removes
 * after it. A root is made in a private staging directory and renamed into place, so a worker
 * sees either none or a whole one; two workers that miss at once both build, and one rename wins.
 * A release records nothing of the root it was built in, so a copy is what a build there makes.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made = new Map<string, Promise<string>>();

/** The cache's root `name`, made by `make(dir)` into an empty dir if this run has none yet. */
export function prebuilt(name: string, make: (dir: string) => Promise<void>): Promise<string> {
  let root = made.get(name);
  if (root === undefined) {
    root = prebuild(name, make);
    made.set(name, root);
    root.catch(() => made.delete(name));
  }
  return root;
}

async function prebuild(name: string, make: (dir: string) => Promise<void>): Promise<string> {
  const cache = process.env.RELX_TEST_PREBUILT ?? ownCache();
  mkdirSync(cache, { recursive: true });
  const final = join(cache, name);
  if (existsSync(final)) return final;
  const staging = mkdtempSync(join(cache, `.${name}-`));
  try {
    await make(staging);
    renameSync(staging, final);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(final)) throw err; // else another worker's rename won: use its root
  }
  return final;
}

/** Without global-setup.ts (another config): a cache of this process's own, removed as it exits. */
function ownCache(): string {
  const dir = mkdtempSync(join(tmpdir(), "rx-prebuilt-"));
  process.env.RELX_TEST_PREBUILT = dir;
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Copies the cache's root `name` (see prebuilt) into `root`. */
export async function copyPrebuilt(root: string, name: string, make: (dir: string) => Promise<void>): Promise<void> {
  cpSync(await prebuilt(name, make), root, { recursive: true });
}
