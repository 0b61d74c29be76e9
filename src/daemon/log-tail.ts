/**
 * The `logTail` op: the last entries of the daemon's log file, for the dashboard. Reads only the
 * file's end, so a long-lived log costs the same as a new one. An entry is a line
 * `<ISO time> message` with its indented continuation lines (a stack trace) joined to it.
 */
import { open } from "node:fs/promises";
import type { LogTailResult } from "../protocol/results.js";
import { logFile } from "./daemon-files.js";

/** Enough for a few hundred entries with their stack traces. */
const TAIL_BYTES = 256 * 1024;

/** The last `count` entries of <root>/.relx/log/daemon.log, oldest first; none when it does not exist. */
export async function readLogTail(root: string, count: number): Promise<LogTailResult> {
  const file = logFile(root);
  const text = await readEnd(file);
  const entries: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("    ") && entries.length > 0) entries[entries.length - 1] += "\n" + line;
    else entries.push(line);
  }
  return { file, lines: entries.slice(-count) };
}

async function readEnd(file: string): Promise<string> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch {
    return "";
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const text = buffer.toString("utf8");
    // Started mid-file: drop the partial first line (and any continuation lines of its entry).
    return start === 0 ? text : text.slice(text.indexOf("\n") + 1).replace(/^(    .*\n)+/, "");
  } finally {
    await handle.close();
  }
}
