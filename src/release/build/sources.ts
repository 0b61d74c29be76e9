/** Which files under an app's srcDir are compiled into a release, and what each becomes. */
import { readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { compareBytes } from "../fs-util.js";

const SOURCE = /\.(ts|js|mts|mjs|cts|cjs)$/;
const NOT_SOURCE = /(\.d\.[cm]?ts|\.(test|spec)\.[cm]?[jt]s)$/;
const SKIP_DIRS = new Set(["node_modules", "__tests__"]);

/**
 * Every source file under `srcDir` (absolute paths, byte-sorted): .ts/.js/.mts/.mjs/.cts/.cjs but
 * not declarations or tests. Dot directories, node_modules and `exclude` (the releases dir, when
 * it lies inside srcDir) are skipped.
 */
export async function listSources(srcDir: string, exclude: string[] = []): Promise<string[]> {
  const found: string[] = [];
  await walk(srcDir, new Set(exclude), found);
  return found.sort(compareBytes);
}

async function walk(dir: string, exclude: Set<string>, found: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith(".") || SKIP_DIRS.has(entry.name) || exclude.has(path)) continue;
      await walk(path, exclude, found);
    } else if (entry.isFile() && SOURCE.test(entry.name) && !NOT_SOURCE.test(entry.name)) {
      found.push(path);
    }
  }
}

/** The path of `abs` relative to `from`, with forward slashes (as recorded in release.json). */
export function relPosix(from: string, abs: string): string {
  return relative(from, abs).split(sep).join("/");
}

/** The compiled name of a source, relative to lib/ and without extension ("sub/x.ts" → "sub/x"). */
export function outputStem(srcDir: string, source: string): string {
  return relPosix(srcDir, source).replace(SOURCE, "");
}
