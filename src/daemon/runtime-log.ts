/** Writes the runtime's crash reports, restarts and exits to the daemon log. */
import { textOf } from "../errors.js";
import type { RuntimeEvent } from "../runtime/host.js";

export function logRuntimeEvent(log: (line: string) => void, e: RuntimeEvent): void {
  const who = e.process.label;
  switch (e.type) {
    case "crash":
      log(`crash: ${who} in ${e.callback}: ${describe(e.error)}`);
      return;
    case "restart":
      log(`restart: ${who} restarted from its start args (restart ${e.process.restarts})`);
      return;
    case "giveup":
      log(`giveup: ${who} restarted too often; it stays down: ${describe(e.error)}`);
      return;
    case "exit":
      log(`exit: ${who} (${textOf(e.reason ?? "normal")})`);
      return;
    case "unhandled":
      log(`unhandled: ${textOf(e.error)}`);
      return;
  }
}

function describe(err: unknown): string {
  return textOf(err, true);
}
