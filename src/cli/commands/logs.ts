/**
 * `relx logs [-n <entries>] [-f]`: the daemon log's last entries, read from the files (no daemon
 * needed), then with -f every new entry, across rotations, until interrupted.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { rotationChain } from "../../daemon/log/rotating-file.js";
import { RelxError } from "../../errors.js";
import { logFile } from "../../daemon/daemon-files.js";
import { followLog } from "../../daemon/log/log-follow.js";
import { parseEntry, type LogEntry } from "../../daemon/log/log-format.js";
import { tailEntries, type TailEnd } from "../../daemon/log/log-tail.js";
import type { CommandOutput, CommonOptions } from "../output.js";
import { shownPath } from "../shown-path.js";

export interface LogsOptions extends CommonOptions {
  /** -n: how many entries (a multi-line entry is one); default 50. */
  lines?: string;
  follow?: boolean;
}

export const DEFAULT_ENTRIES = 50;

export async function logs(options: LogsOptions): Promise<CommandOutput> {
  const count = parseCount(options.lines);
  const root = resolve(options.root);
  const file = logFile(root);
  const tail = await tailEntries(file, count, options.follow === true);
  const entries = tail.entries.map(parseEntry);
  const json = options.json === true;
  const text = (): string => {
    if (tail.entries.length > 0) return tail.entries.map((lines) => lines.join("\n")).join("\n");
    // No entry because there is no log at all (not because -n 0 asked for none, or it is empty).
    const noLog = !options.follow && !rotationChain(file).some((path) => existsSync(path));
    return noLog ? `relx: no log yet at ${shownPath(file)}; \`relx start\` writes it` : "";
  };
  const output: CommandOutput = { value: { entries }, jsonLines: entries, text };
  if (!options.follow) return output;
  // Listened for before the tail is printed: whoever reads it may interrupt at once, before the
  // follow starts (a SIGTERM then killed the command with no exit code).
  const interrupted = onInterrupt();
  return {
    ...output,
    keepRunning: true,
    afterOutput: () => follow(file, tail.end, json, interrupted),
  };
}

/** SIGINT or SIGTERM, from now on: `stopWith` is given what ends the follow, and runs it when one comes (at once if one came already). */
function onInterrupt(): { stopWith(end: () => void): void } {
  let came = false;
  let ending: (() => void) | null = null;
  const got = (): void => {
    came = true;
    ending?.();
  };
  process.once("SIGINT", got);
  process.once("SIGTERM", got);
  return {
    stopWith(end) {
      ending = end;
      if (came) end();
    },
  };
}

/** Prints every new entry until SIGINT or SIGTERM (or a closed stdout), then exits 0. */
function follow(file: string, from: TailEnd | null, json: boolean, interrupted: { stopWith(end: () => void): void }): void {
  const render = (lines: string[]): string => (json ? JSON.stringify(parseEntry(lines) satisfies LogEntry) : lines.join("\n"));
  const follower = followLog({ file, from, onEntry: (lines) => process.stdout.write(render(lines) + "\n") });
  let ending = false;
  const end = (): void => {
    if (ending) return;
    ending = true;
    void follower.stop().finally(() => process.stdout.write("", () => process.exit(0)));
  };
  interrupted.stopWith(end);
  process.stdout.on("error", () => process.exit(0));
}

/** -n's value. Throws RELX_BAD_ARGUMENT unless it is a whole number. */
function parseCount(value: string | undefined): number {
  if (value === undefined) return DEFAULT_ENTRIES;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  throw new RelxError("RELX_BAD_ARGUMENT", `-n expects a whole number of entries, got ${JSON.stringify(value)}`, {
    hint: `e.g. \`relx logs -n ${DEFAULT_ENTRIES}\``,
  });
}
