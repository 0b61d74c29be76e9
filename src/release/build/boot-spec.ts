/**
 * Validation of the boot spec (SPEC §3), the default export of config.app. Throws
 * RELX_BAD_BOOT_SPEC naming the process and the field, so that a boot spec the daemon could not
 * run never becomes a release.
 */
import { RelxError, describeValue } from "../../errors.js";
import type { BootProcess, RestartPolicy } from "../manifest.js";
import { isPlainObject } from "../json-file.js";
import { RESTART_POLICIES } from "../../runtime/define.js";

const PROCESS_KEYS = new Set(["name", "server", "args", "restart"]);

/** The boot processes in `spec`, restart filled in ("permanent" by default). */
export function validateBootSpec(spec: unknown, source: string, servers: Set<string>): BootProcess[] {
  const fail = (what: string, hint?: string) =>
    new RelxError("RELX_BAD_BOOT_SPEC", `boot spec ${source}: ${what}`, {
      hint: hint ?? `fix ${source}, then run relx build again`,
    });
  if (!isPlainObject(spec) || !Array.isArray(spec.processes)) {
    throw fail(`expected a default export { processes: [...] }, got ${describeValue(spec)}`,
      `export default defineApp({ processes: [...] }) from ${source}`);
  }
  const names = new Set<string>();
  return spec.processes.map((entry: unknown, i: number) => {
    if (!isPlainObject(entry)) throw fail(`processes[${i}] expected an object, got ${describeValue(entry)}`);
    const unknown = Object.keys(entry).find((key) => !PROCESS_KEYS.has(key));
    if (unknown) throw fail(`processes[${i}] has an unknown key "${unknown}"`);
    const { name, server, args, restart } = entry;
    if (typeof name !== "string" || name === "") {
      throw fail(`processes[${i}].name expected a non-empty string, got ${describeValue(name)}`);
    }
    if (names.has(name)) throw fail(`two processes are named "${name}"`);
    names.add(name);
    if (typeof server !== "string") throw fail(`process "${name}": server expected a string, got ${describeValue(server)}`);
    if (!servers.has(server)) {
      const known = [...servers].join(", ") || "none";
      throw fail(`process "${name}" names server "${server}", which is not in this release (servers: ${known})`,
        `add a module under srcDir whose default export is defineServer({ name: "${server}", ... }), or fix ${source}`);
    }
    if (restart !== undefined && !RESTART_POLICIES.includes(restart as RestartPolicy)) {
      throw fail(`process "${name}": restart expected one of ${RESTART_POLICIES.join(", ")}, got ${describeValue(restart)}`);
    }
    if (args !== undefined && !isJsonValue(args)) {
      throw fail(`process "${name}": args must be JSON (plain objects, arrays, strings, finite numbers, booleans, null)`);
    }
    const proc: BootProcess = { name, server, restart: (restart as RestartPolicy | undefined) ?? "permanent" };
    if (args !== undefined) proc.args = args;
    return proc;
  });
}

function isJsonValue(value: unknown, seen = new Set<object>()): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object" || seen.has(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return false;
  seen.add(value);
  const ok = Object.values(value).every((item) => isJsonValue(item, seen));
  seen.delete(value);
  return ok;
}
