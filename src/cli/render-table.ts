/** Plain-text tables: columns padded to their widest cell, two spaces apart. */

export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => rows.reduce((w, row) => Math.max(w, (row[i] ?? "").length), title.length));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
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
