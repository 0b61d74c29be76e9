// renderTable and renderColumns (src/cli/render-table.ts) lay a table out as the first renderTable
// did: columns padded to their widest cell, two spaces apart, the last column unpadded.
import { describe, expect, it } from "vitest";
import { renderColumns, renderTable } from "../../src/cli/render-table.js";

/** The first renderTable, verbatim. */
function reference(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => rows.reduce((w, row) => Math.max(w, (row[i] ?? "").length), title.length));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

describe("renderTable", () => {
  it.each([
    [["A"], []],
    [["A"], [["x"], ["longer than the title"]]],
    [["NAME", "VSN"], [["a", "1 → 2"], ["émoji \u{1F680}", ""], ["", "x"]]],
    [["KEY", "ENV", "VALUE", "SOURCE"], [["port", "PORT", "8080", "env"], ["a-much-longer-key", "X", '"text"', "default"]]],
  ])("lays out %j as before", (header, rows) => {
    expect(renderTable(header, rows)).toBe(reference(header, rows));
    expect(renderColumns(header, rows.length, (r, c) => rows[r]![c]!)).toBe(reference(header, rows));
  });
});
