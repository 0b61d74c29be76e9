/** `--health '<command>'`: run on the host (through ssh, or in a local root's directory); exit 0 is healthy. */
import { execFile } from "node:child_process";
import { RelxError } from "../errors.js";
import { hostArgv } from "./connect.js";
import type { Fleet, FleetHost } from "./fleet-file.js";

/** Resolves when the command exits 0; throws RELX_HEALTH_FAILED with its exit and last line otherwise. */
export function runHealth(fleet: Fleet, host: FleetHost, command: string): Promise<void> {
  const [cmd, ...args] = hostArgv(fleet, host, command);
  return new Promise((resolve, reject) => {
    execFile(cmd!, args, { cwd: host.ssh === undefined ? host.root : undefined }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const last = `${stderr}${stdout}`.trim().split("\n").pop();
      reject(new RelxError("RELX_HEALTH_FAILED", `host ${host.name}: the health check \`${command}\` failed (exit ${String((err as { code?: unknown }).code ?? "?")})${last ? `: ${last}` : ""}`, {
        hint: "the host was moved back; fix what the check found, then run the fleet command again",
        cause: err,
      }));
    });
  });
}
