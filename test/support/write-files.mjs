// The one file writer of the tests (and of the benchmarks, hence plain JavaScript).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Writes files (path relative to root → content), creating folders. */
export function writeFiles(root, files) {
  for (const [rel, text] of Object.entries(files)) {
    const file = join(root, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}
