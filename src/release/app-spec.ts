/**
 * The boot spec (the app module's default export): `processes` (a list, or a function of the
 * app's config), the `config` schema, and lifecycle `hooks`. The build evaluates it with
 * placeholder config to check it and records only each process's name, server and restart; the
 * daemon evaluates it again at every boot and upgrade preflight, with the config resolved where it
 * runs. Every problem is RELX_BAD_BOOT_SPEC naming the process and the field.
 */
import { RelxError, describeValue, textOf } from "../errors.js";
import { RESTART_POLICIES } from "../runtime/define.js";
import type { RestartPolicy } from "../runtime/types.js";
import { readConfigSchema, type ConfigKey } from "./app-config.js";
import { isJsonValue, isPlainObject } from "./json-file.js";
import type { BootProcess } from "./manifest.js";

export const HOOK_NAMES = ["beforeUpgrade", "afterUpgrade", "afterStart", "beforeStop"] as const;
export type HookName = (typeof HOOK_NAMES)[number];
export type Hook = (info: Record<string, unknown>) => unknown;
export type AppHooks = Partial<Record<HookName, Hook>>;

export interface EvaluatedApp {
  schema: ConfigKey[];
  /** With their args, as evaluated. */
  processes: BootProcess[];
  hooks: AppHooks;
}

export interface EvaluateOptions {
  /** The app module, relative to the app root, for messages. */
  source: string;
  /** The servers the release defines. */
  servers: Set<string>;
  /** The config values to run `processes` with, given the declared schema. */
  config(schema: ConfigKey[]): Record<string, unknown>;
  /**
   * Boot processes whose names are known to be unique (the manifest's, which parseManifest
   * checked): when the evaluated list has the very same names in the same order, as it has unless
   * `processes` depends on the config, its names are unique too and no Set of them is built.
   */
  uniqueNames?: readonly string[];
}

const APP_KEYS = new Set(["processes", "config", "hooks"]);
const PROCESS_KEYS = new Set(["name", "server", "args", "restart"]);

/** Throws RELX_BAD_BOOT_SPEC, and whatever `options.config` throws (RELX_BAD_APP_CONFIG). */
export function evaluateApp(spec: unknown, options: EvaluateOptions): EvaluatedApp {
  const { source } = options;
  const fail = (what: string, hint?: string) =>
    new RelxError("RELX_BAD_BOOT_SPEC", `boot spec ${source}: ${what}`, { hint: hint ?? `fix ${source}, then run relx build again` });
  if (!isPlainObject(spec) || (!Array.isArray(spec.processes) && typeof spec.processes !== "function")) {
    throw fail(`expected a default export { processes: [...] }, got ${describeValue(spec)}`,
      `export default defineApp({ processes: [...] }) from ${source}`);
  }
  const extra = Object.keys(spec).find((key) => !APP_KEYS.has(key));
  if (extra !== undefined) throw fail(`unknown key "${extra}" (it takes ${[...APP_KEYS].join(", ")})`);
  const schema = readConfigSchema(spec.config, source);
  const hooks = readHooks(spec.hooks, fail);
  let list: unknown = spec.processes;
  if (typeof list === "function") {
    const config = options.config(schema);
    try {
      list = (spec.processes as (config: Record<string, unknown>) => unknown)(config);
    } catch (err) {
      throw fail(`processes(config) threw: ${textOf(err)}`);
    }
    if (!Array.isArray(list)) throw fail(`processes(config) expected to return a list, got ${describeValue(list)}`);
  }
  return { schema, processes: readProcesses(list as unknown[], options.servers, fail, options.uniqueNames), hooks };
}

function readHooks(raw: unknown, fail: (what: string) => RelxError): AppHooks {
  if (raw === undefined) return {};
  if (!isPlainObject(raw)) throw fail(`hooks expected an object, got ${describeValue(raw)}`);
  const hooks: AppHooks = {};
  for (const [name, fn] of Object.entries(raw)) {
    if (!(HOOK_NAMES as readonly string[]).includes(name)) throw fail(`unknown hook "${name}" (hooks: ${HOOK_NAMES.join(", ")})`);
    if (typeof fn !== "function") throw fail(`hook ${name} expected a function, got ${describeValue(fn)}`);
    hooks[name as HookName] = fn as Hook;
  }
  return hooks;
}

function readProcesses(list: unknown[], servers: Set<string>, fail: (what: string, hint?: string) => RelxError, unique?: readonly string[]): BootProcess[] {
  // One pass, no closure or key list per entry: 100,000 boot processes are read at every upgrade.
  // While the names are those of `unique`, in its order, they need no Set; from the first that is
  // not, the Set is filled with the names read so far and takes over.
  let names: Set<string> | null = null;
  let same = unique !== undefined && unique.length === list.length;
  const out: BootProcess[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const entry = list[i];
    if (!isPlainObject(entry)) throw fail(`processes[${i}] expected an object, got ${describeValue(entry)}`);
    for (const key of keysOf(entry)) if (!PROCESS_KEYS.has(key)) throw fail(`processes[${i}] has an unknown key "${key}"`);
    const { name, server, args, restart } = entry;
    if (typeof name !== "string" || name === "") throw fail(`processes[${i}].name expected a non-empty string, got ${describeValue(name)}`);
    if (same && unique![i] !== name) {
      same = false;
      names = new Set();
      for (let j = 0; j < i; j++) names.add(out[j]!.name);
    } else if (!same) names ??= new Set();
    if (names !== null && names.size === names.add(name).size) throw fail(`two processes are named "${name}"`);
    if (typeof server !== "string") throw fail(`process "${name}": server expected a string, got ${describeValue(server)}`);
    if (!servers.has(server)) {
      const known = [...servers].join(", ") || "none";
      throw fail(`process "${name}" names server "${server}", which is not in this release (servers: ${known})`,
        `add a module under srcDir whose default export is defineServer({ name: "${server}", ... }), or fix the boot spec`);
    }
    if (restart !== undefined && !RESTART_POLICIES.includes(restart as RestartPolicy)) {
      throw fail(`process "${name}": restart expected one of ${RESTART_POLICIES.join(", ")}, got ${describeValue(restart)}`);
    }
    if (args !== undefined && !isJsonValue(args, null)) {
      throw fail(`process "${name}": args must be JSON (plain objects, arrays without holes, strings, finite numbers, booleans, null)`);
    }
    out[i] = args === undefined
      ? { name, server, restart: (restart as RestartPolicy | undefined) ?? "permanent" }
      : { name, server, restart: (restart as RestartPolicy | undefined) ?? "permanent", args };
  }
  return out;
}

/** Object.keys(value) when it may have a key other than these four (then an error), else a shared empty list. */
function keysOf(value: object): readonly string[] {
  for (const key in value) if (!Object.hasOwn(value, key) || !PROCESS_KEYS.has(key)) return Object.keys(value);
  return NO_KEYS;
}
const NO_KEYS: readonly string[] = [];

/** Runs `fn`, recording which environment variables it reads (the build warns about them). */
export function recordEnvReads<T>(fn: () => T): { result: T; reads: string[] } {
  const real = process.env;
  const reads = new Set<string>();
  process.env = new Proxy(real, {
    get(target, key) {
      if (typeof key === "string") reads.add(key);
      return Reflect.get(target, key);
    },
  });
  try {
    return { result: fn(), reads: [...reads].sort() };
  } finally {
    process.env = real;
  }
}
