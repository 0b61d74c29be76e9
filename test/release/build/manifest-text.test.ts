// release.json's layout: the same data as JSON.stringify, indented for people, with one line per
// boot process and per list of names instead of one line per field.
import { describe, expect, it } from "vitest";
import { manifestText } from "../../../src/release/build/manifest-text.js";

describe("manifestText", () => {
  const value = {
    format: 1,
    boot: { processes: [{ name: "a", server: "Demo", restart: "permanent" }, { name: "b", server: "Demo", restart: "transient" }] },
    files: {},
    plans: { "1.0.0": { up: { added: [], steps: [{ op: "start", process: "b", server: "Demo", restart: undefined }] } } },
    long: { text: "x".repeat(120), list: Array.from({ length: 40 }, (_, i) => `process-${i}`) },
  };

  it("parses back to what JSON.stringify writes", () => {
    expect(JSON.parse(manifestText(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it("puts a short object on one line, a long one a field a line, and a list of names on one line however long", () => {
    const lines = manifestText(value).split("\n");
    expect(lines).toContain(`      {"name":"a","server":"Demo","restart":"permanent"},`);
    expect(lines).toContain(`    "text": "${"x".repeat(120)}",`);
    expect(lines.filter((l) => l.includes("process-")).length).toBe(1);
    expect(lines.at(-1)).toBe("");
    expect(manifestText(value)).toBe(manifestText(structuredClone(value)));
  });
});
