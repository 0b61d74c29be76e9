/** The CLI as a function: argv in, exit code out (0 done, 1 failed, 2 malformed command line, 3 no daemon). */
import { CommanderError } from "commander";
import { buildProgram } from "./program.js";
import { EXIT_USAGE, writeFailure, writeOutput } from "./output.js";

export async function run(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((output, json) => {
    exitCode = writeOutput(output, json);
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    // --json is known only once parsing got that far; look at argv for it.
    return writeFailure(err, argv.includes("--json"));
  }
}
