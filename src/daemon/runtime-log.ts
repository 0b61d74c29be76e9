/** Writes the runtime's crash reports, restarts and exits to the daemon log. */
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
      log(`exit: ${who} (${e.reason instanceof Error ? e.reason.message : String(e.reason ?? "normal")})`);
      return;
    case "unhandled":
      log(`unhandled: ${e.error.message}`);
      return;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}
