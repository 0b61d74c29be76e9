/** The `relx` executable's entry (bin/relx imports it). */
import { ignoreBrokenPipes } from "./output.js";
import { run } from "./run.js";

ignoreBrokenPipes();

const { exitCode, keepRunning } = await run(process.argv.slice(2));
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
