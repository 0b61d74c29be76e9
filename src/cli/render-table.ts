/** Plain-text tables: columns padded to their widest cell, two spaces apart. */

export function renderTable(header: string[], rows: string[][]): string {
  return renderColumns(header, rows.length, (row, column) => rows[row]![column] ?? "");
}

/**
 * renderTable of `count` rows whose cells `cell(row, column)` gives, without building the rows:
 * an upgrade of 100,000 processes prints a table of 100,000 rows. The last column is not padded,
 * so its cells are asked for once, the others twice (for the widths, then for the line).
 */
export function renderColumns(header: readonly string[], count: number, cell: (row: number, column: number) => string): string {
  const last = header.length - 1;
  const widths = header.map((title) => title.length);
  for (let row = 0; row < count; row++) {
    for (let column = 0; column < last; column++) {
      const length = cell(row, column).length;
      if (length > widths[column]!) widths[column] = length;
    }
  }
  const lines: string[] = new Array(count + 1);
  lines[0] = line(widths, last, (column) => header[column]!);
  for (let row = 0; row < count; row++) lines[row + 1] = line(widths, last, (column) => cell(row, column));
  return lines.join("\n");
}

function line(widths: number[], last: number, cell: (column: number) => string): string {
  let text = "";
  for (let column = 0; column < last; column++) text += cell(column).padEnd(widths[column]!) + "  ";
  return text + cell(last);
}

/** 93784000 → "1d 2h 3m"; under a minute, seconds. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const parts: string[] = [];
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) parts.push(`${d}d`);
  if (h > 0 || d > 0) parts.push(`${h}h`);
  parts.push(`${m}m`);
  return parts.join(" ");
}
