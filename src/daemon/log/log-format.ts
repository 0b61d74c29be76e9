/**
 * The daemon log's format, written by daemon-log.ts and read back by `relx logs`:
 *
 *   2025-01-01T00:00:00.000Z booted bank 1.0.0: 1 processes        a daemon event
 *   2025-01-01T00:00:01.000Z [web <0.1.0>] listening on 4567       what process web printed
 *   2025-01-01T00:00:02.000Z crash: Web "web" in handleCall: boom  an entry of several lines:
 *       at handleCall (lib/web.cjs:12:9)                           each further line indented
 *                                                                  by four spaces
 * An entry starts with an ISO timestamp; a line that does not (output written to the daemon's
 * file descriptors behind relx's back, such as a fatal V8 error) belongs to the entry before it.
 */

/** One entry, as `relx logs --json` prints it. `at` is null only for lines before any entry. */
export interface LogEntry {
  at: string | null;
  process?: string;
  message: string;
}

const INDENT = "    ";
const STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) /;
const PROCESS = /^\[(.*?<0\.\d+\.0>)\] /;

/** The text of one entry written now, newline included. */
export function formatEntry(process: string | undefined, message: string): string {
  const who = process === undefined ? "" : `[${process}] `;
  const text = message.includes("\n") ? message.replace(/\r?\n/g, "\n" + INDENT) : message;
  return `${isoNow()} ${who}${text}\n`;
}

let lastMs = -1;
let lastIso = "";

/** The time as an ISO string, made once per millisecond (toISOString costs microseconds; a flood prints many lines per ms). */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** Whether `line` starts an entry. */
export function startsEntry(line: string): boolean {
  return STAMP.test(line);
}

/** An entry's lines (its first, then its indented or stray continuation lines) as a LogEntry. */
export function parseEntry(lines: readonly string[]): LogEntry {
  const [first = "", ...rest] = lines;
  const more = rest.map((line) => (line.startsWith(INDENT) ? line.slice(INDENT.length) : line));
  const stamp = STAMP.exec(first);
  if (stamp === null) return { at: null, message: [first, ...more].join("\n") };
  let text = first.slice(stamp[0].length);
  const who = PROCESS.exec(text);
  if (who !== null) text = text.slice(who[0].length);
  const message = [text, ...more].join("\n");
  return who === null ? { at: stamp[1]!, message } : { at: stamp[1]!, process: who[1]!, message };
}

/**
 * Groups `lines` into entries (each an array of lines). Lines before the first entry start form
 * one entry of their own.
 */
export function groupEntries(lines: readonly string[]): string[][] {
  const out: string[][] = [];
  for (const line of lines) {
    if (out.length === 0 || startsEntry(line)) out.push([line]);
    else out[out.length - 1]!.push(line);
  }
  return out;
}
