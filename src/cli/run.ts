/** The CLI as a function: argv in, exit code out (0 done, 1 failed, 2 malformed command line, 3 no daemon). */
import { CommanderError } from "commander";
import { buildProgram } from "./program.js";
import { EXIT_USAGE, writeFailure, writeOutput } from "./output.js";

export interface RunOutcome {
  exitCode: number;
  /** The command left something running in this process (a foreground daemon). */
  keepRunning: boolean;
}

export async function run(argv: string[]): Promise<RunOutcome> {
  let exitCode = 0;
  let keepRunning = false;
  const program = buildProgram((output, json) => {
    exitCode = writeOutput(output, json);
    keepRunning = output.keepRunning === true;
    output.afterOutput?.();
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return { exitCode, keepRunning };
  } catch (err) {
    if (err instanceof CommanderError) return { exitCode: err.exitCode === 0 ? 0 : EXIT_USAGE, keepRunning: false };
    // --json is known only once parsing got that far; look at argv for it.
    return { exitCode: writeFailure(err, argv.includes("--json")), keepRunning: false };
  }
}
