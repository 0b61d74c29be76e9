// No source or doc file still holds a merge's conflict markers (docs/operating.md once shipped one).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = join(import.meta.dirname, "../..");
const MARKER = /^(<{7} |>{7} |={7}$)/m;
const TEXT = /\.(md|ts|mts|cts|js|mjs|cjs|json|sh)$/;

/** The text files under `dir` (node_modules and build output left out). */
function textFiles(dir: string): string[] {
  return readdirSync(join(REPO, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && TEXT.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !/[/\\](node_modules|dist)[/\\]/.test(f));
}

describe("the project's files", () => {
  it("hold no merge conflict markers", () => {
    const files = [join(REPO, "README.md"), join(REPO, "package.json"), join(REPO, ".ci/run"), ...["docs", "src", "test", "bench", "scripts", "examples"].flatMap(textFiles)];
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => MARKER.test(readFileSync(f, "utf8")))).toEqual([]);
  });

  it("would find one", () => {
    expect(MARKER.test("text\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> other\n")).toBe(true);
    expect(MARKER.test("a table\n| ======= |\n")).toBe(false);
  });
});
