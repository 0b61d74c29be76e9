/** Rendering a command's outcome: human text or `--json` on stdout, failures as SPEC §6 says. */
import { RelxError, toRelxError } from "../errors.js";

/** What a command returns: the `--json` value, its human rendering, and its exit code (0 unless set). */
export interface CommandOutput {
  value: unknown;
  text(): string;
  exitCode?: number;
  /** It started something that runs on in this process (`start --foreground`): the CLI must not exit. */
  keepRunning?: boolean;
  /** With --json: print these one per line (NDJSON, `relx logs`) instead of `value`. */
  jsonLines?: unknown[];
  /**
   * With --json: print these bytes instead of `value`: JSON.stringify(value) already, in UTF-8, as
   * the daemon wrote it (an upgrade's result, megabytes at 100,000 processes, printed without
   * decoding or parsing it).
   */
  jsonText?: Uint8Array;
  /** Runs once the output is written (`logs -f` starts following then). */
  afterOutput?: () => void;
}

/** The options every command takes. */
export interface CommonOptions {
  root: string;
  socket?: string;
  json?: boolean;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_NO_DAEMON = 3;

/**
 * A reader that goes away early (`relx status --json | head -c 10`) breaks the pipe: what is left
 * to write is dropped, quietly, and the command still exits with its own code. Any other error of
 * stdout or stderr stays fatal.
 */
export function ignoreBrokenPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
    });
  }
}

/** Writes the output and returns the exit code. */
export function writeOutput(output: CommandOutput, json: boolean): number {
  if (json && output.jsonText !== undefined && output.jsonLines === undefined) {
    process.stdout.write(output.jsonText);
    process.stdout.write("\n");
    return output.exitCode ?? EXIT_OK;
  }
  const text = !json ? output.text()
    : output.jsonLines !== undefined ? output.jsonLines.map((line) => JSON.stringify(line)).join("\n")
    : JSON.stringify(output.value ?? null);
  if (text !== "") process.stdout.write(text.endsWith("\n") ? text : text + "\n");
  return output.exitCode ?? EXIT_OK;
}

/**
 * The shell's current directory was removed: what process.cwd() throws then (a relative --root,
 * the default root, a relative path argument), said as what happened. A command whose paths are
 * all absolute (`--root /srv/bank`) does not read the current directory and runs as usual.
 */
function lostWorkingDir(err: unknown): RelxError | null {
  if (!(err instanceof Error) || (err as NodeJS.ErrnoException).syscall !== "uv_cwd") return null;
  return new RelxError("RELX_BAD_ARGUMENT", `the current directory no longer exists (${(err as NodeJS.ErrnoException).code ?? "unreadable"})`, {
    cause: err,
    hint: "cd into an existing directory, or pass an absolute --root, then run the command again",
  });
}

/** Renders a failure: `relx: <what and why>` then `hint: …` on stderr, or the §6 JSON on stdout. */
export function writeFailure(err: unknown, json: boolean): number {
  const error = lostWorkingDir(err) ?? toRelxError(err);
  const details = error.details ?? {};
  const code = error.code === "RELX_NO_DAEMON" ? EXIT_NO_DAEMON : EXIT_FAILED;
  if (json) {
    process.stdout.write(JSON.stringify({ ok: false, error: error.toWire(), ...details }) + "\n");
    return code;
  }
  const lines = [`relx: ${error.message}${rollbackNote(error.message, details)}`];
  if (error.hint !== undefined) lines.push(`hint: ${error.hint}`);
  if (Array.isArray(details.log) && details.log.length > 0) {
    lines.push(`last lines of ${String(details.logFile ?? "the daemon log")}:`, ...details.log.map((l) => `  ${String(l)}`));
  }
  process.stderr.write(lines.join("\n") + "\n");
  return code;
}

function rollbackNote(message: string, details: Record<string, unknown>): string {
  if (details.rolledBack === true) return " (rolled back: every process runs its old code with its old state)";
  // A message that says so already (a suspend timeout) is not told twice.
  if (details.rolledBack === false) return message.endsWith("nothing was changed") ? "" : " (nothing was changed)";
  return "";
}
