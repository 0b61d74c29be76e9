/**
 * release.json as the build writes it: indented two spaces, as JSON.stringify(value, null, 2)
 * would, except that a list of strings or numbers, and any object or list whose one-line form fits
 * in WIDTH columns, is written on one line. So a boot process is one line, not four lines and their
 * indentation, and a plan step's list of processes is one line: at 100,000 boot processes the file
 * is a sixth of the fully indented one, and parsing it is that much cheaper for the daemon.
 * Deterministic (tarballs are byte-identical); the value is plain JSON data.
 */
const WIDTH = 100;

export function manifestText(value: unknown): string {
  return write(value, "") + "\n";
}

function write(value: unknown, indent: string): string | undefined {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)) return JSON.stringify(value);
  if (oneLineLength(value, WIDTH - indent.length) <= WIDTH - indent.length) return JSON.stringify(value);
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => inner + (write(v, inner) ?? "null")).join(",\n")}\n${indent}]`;
  }
  const parts: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const text = write(v, inner);
    if (text !== undefined) parts.push(`${inner}${JSON.stringify(key)}: ${text}`);
  }
  return parts.length === 0 ? "{}" : `{\n${parts.join(",\n")}\n${indent}}`;
}

/** About the length of JSON.stringify(value); once past `limit` it stops counting (the answer is then > limit). */
function oneLineLength(value: unknown, limit: number): number {
  if (typeof value !== "object" || value === null) return JSON.stringify(value)?.length ?? 4;
  let n = 2;
  for (const [key, v] of Object.entries(value)) {
    n += oneLineLength(v, limit - n) + 1 + (Array.isArray(value) ? 0 : key.length + 3);
    if (n > limit) return n;
  }
  return n;
}
