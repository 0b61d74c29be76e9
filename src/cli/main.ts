/**
 * The `relx` executable's entry. bin/relx requires its bundle, dist/cli/relx.cjs (built from this
 * file's output by scripts/build-cli.mjs). status, ping and call take the fast path
 * (fast-path.ts); every other command line loads commander and the full CLI (run.ts), lazily.
 * No top-level await: the bundle is CommonJS.
 */
import { RelxError } from "../errors.js";
import { runFast } from "./fast-path.js";
import { ignoreBrokenPipes, writeFailure } from "./output.js";
import type { RunOutcome } from "./run.js";

/** The shell's working directory was removed (every command resolves --root and other paths against it): the error, else null. */
function lostWorkingDir(): RelxError | null {
  try {
    process.cwd();
    return null;
  } catch (err) {
    return new RelxError("RELX_BAD_ARGUMENT", `the current directory no longer exists (${(err as NodeJS.ErrnoException).code ?? "unreadable"})`, {
      hint: "cd into an existing directory, then run the command again",
    });
  }
}

async function main(argv: string[]): Promise<void> {
  const lost = lostWorkingDir();
  const { exitCode, keepRunning }: RunOutcome = lost !== null
    ? { exitCode: writeFailure(lost, argv.includes("--json")), keepRunning: false }
    : (await runFast(argv)) ?? (await (await import("./run.js")).run(argv));
  process.exitCode = exitCode;
  // A command may have run the app's own code in this process (build evaluates its modules; a
  // foreground boot that failed ran its inits): a timer or socket of theirs must not keep the CLI
  // alive. So every command exits once its output is flushed, but a foreground daemon, which runs on.
  if (!keepRunning) {
    let pending = 2;
    const done = (): void => {
      if (--pending === 0) process.exit(exitCode);
    };
    process.stdout.write("", done);
    process.stderr.write("", done);
  }
}

ignoreBrokenPipes();
void main(process.argv.slice(2));
