/** The `relx` executable's entry (bin/relx imports it). */
import { run } from "./run.js";

// Exit code only, no process.exit(): Node exits once stdout and stderr are flushed.
process.exitCode = await run(process.argv.slice(2));
