// docs/errors.md lists exactly the codes relx can throw: the RelxErrorCode union in src/errors.ts,
// every code used anywhere in src/, and nothing else.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = join(import.meta.dirname, "../..");
const codesIn = (text: string): Set<string> => new Set(text.match(/RELX_[A-Z_]+[A-Z]/g) ?? []);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

describe("docs/errors.md", () => {
  const documented = [...readFileSync(join(REPO, "docs/errors.md"), "utf8").matchAll(/^\| `(RELX_[A-Z_]+)` \|/gm)].map((m) => m[1]!);
  const errorsTs = readFileSync(join(REPO, "src/errors.ts"), "utf8");
  const union = codesIn(errorsTs.slice(errorsTs.indexOf("export type RelxErrorCode"), errorsTs.indexOf("export interface RelxErrorOptions")));

  it("has one row per code of the RelxErrorCode union, each once", () => {
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...union].sort());
  });

  it("covers every code the source throws, and lists none it never throws", () => {
    const used = new Set<string>();
    for (const file of sourceFiles(join(REPO, "src"))) {
      if (file.endsWith("errors.ts") && file.includes(join("src", "errors.ts"))) continue;
      for (const m of readFileSync(file, "utf8").matchAll(/"(RELX_[A-Z_]+)"/g)) used.add(m[1]!);
    }
    expect([...used].filter((c) => !union.has(c))).toEqual([]);
    expect([...union].filter((c) => !used.has(c))).toEqual([]);
  });
});
