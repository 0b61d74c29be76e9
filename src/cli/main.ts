/**
 * The `relx` executable's entry. bin/relx requires its bundle, dist/cli/relx.cjs (built from this
 * file's output by scripts/build-cli.mjs). status, ping and call take the fast path
 * (fast-path.ts); every other command line loads commander and the full CLI (run.ts), lazily.
 * No top-level await: the bundle is CommonJS.
 */
import { runFast } from "./fast-path.js";
import { ignoreBrokenPipes, writeFailure } from "./output.js";
import type { RunOutcome } from "./run.js";

/** Either path's outcome; what escapes them (the fast path's parse reading a removed current directory) is a failure as run.ts writes one. */
async function outcome(argv: string[]): Promise<RunOutcome> {
  try {
    return (await runFast(argv)) ?? (await (await import("./run.js")).run(argv));
  } catch (err) {
    return { exitCode: writeFailure(err, argv.includes("--json")), keepRunning: false };
  }
}

async function main(argv: string[]): Promise<void> {
  const { exitCode, keepRunning } = await outcome(argv);
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
