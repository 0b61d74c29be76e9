/**
 * The app's runtime config: the `config` schema a boot spec declares, resolved where the release
 * runs, never where it is built. Each key comes from its `env` variable (the env file's value
 * wins over the environment's; an empty string counts as unset), parsed by its `type`, else its
 * `default`; a key with no default that is unset, or a value that does not parse, is
 * RELX_BAD_APP_CONFIG naming the key and the variable. A sensitive key's value is never shown.
 */
import { RelxError, describeValue } from "../errors.js";
import { isJsonValue } from "./json-file.js";

export type ConfigType = "string" | "number" | "boolean" | "json";

/** One key of the schema, as release.json records it (no default for a sensitive key). */
export interface ConfigKey {
  key: string;
  env: string;
  type: ConfigType;
  sensitive: boolean;
  default?: unknown;
}

export type ConfigSource = "env" | "env-file" | "default";

/** A resolved key, as `relx config` shows it (a sensitive value masked). */
export interface ConfigEntry {
  key: string;
  env: string;
  value: unknown;
  source: ConfigSource;
}

export interface ResolvedConfig {
  values: Record<string, unknown>;
  entries: ConfigEntry[];
}

export const SENSITIVE = "[sensitive]";
export const CONFIG_TYPES: readonly ConfigType[] = ["string", "number", "boolean", "json"];
const TYPES = CONFIG_TYPES;
const KEY_FIELDS = new Set(["env", "type", "sensitive", "default"]);

/** The schema declared by `config` in a boot spec. Throws RELX_BAD_BOOT_SPEC naming the key. */
export function readConfigSchema(config: unknown, source: string): ConfigKey[] {
  if (config === undefined) return [];
  const fail = (what: string) => new RelxError("RELX_BAD_BOOT_SPEC", `boot spec ${source}: config ${what}`, {
    hint: 'declare each key as { env: "PORT", type: "number", default?: 4567, sensitive?: true }',
  });
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw fail(`expected an object, got ${describeValue(config)}`);
  const keys: ConfigKey[] = [];
  for (const [key, raw] of Object.entries(config)) {
    if (key === "") throw fail('key "": a config key needs a name');
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw fail(`key "${key}": expected { env, type }, got ${describeValue(raw)}`);
    const spec = raw as Record<string, unknown>;
    for (const field of Object.keys(spec)) if (!KEY_FIELDS.has(field)) throw fail(`key "${key}": unknown field "${field}"`);
    if (typeof spec.env !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(spec.env)) throw fail(`key "${key}": "env" expected a variable name, got ${describeValue(spec.env)}`);
    if (!TYPES.includes(spec.type as ConfigType)) throw fail(`key "${key}": "type" expected one of ${TYPES.join(", ")}, got ${describeValue(spec.type)}`);
    if (spec.sensitive !== undefined && typeof spec.sensitive !== "boolean") throw fail(`key "${key}": "sensitive" expected a boolean, got ${describeValue(spec.sensitive)}`);
    const entry: ConfigKey = { key, env: spec.env, type: spec.type as ConfigType, sensitive: spec.sensitive === true };
    if (spec.default !== undefined) {
      if (!matchesType(spec.default, entry.type)) throw fail(`key "${key}": "default" expected a ${entry.type}, got ${describeValue(spec.default)}`);
      // release.json records it as JSON: anything else would be recorded as something else.
      if (entry.type === "json" && !isJsonValue(spec.default, null)) {
        throw fail(`key "${key}": "default" expected JSON data (plain objects, arrays without holes, strings, finite numbers, booleans, null), got ${describeValue(spec.default)}`);
      }
      entry.default = spec.default;
    }
    keys.push(entry);
  }
  return keys;
}

/** The schema as release.json records it: a sensitive key's default is left out. */
export function recordSchema(schema: ConfigKey[]): ConfigKey[] {
  return schema.map((k) => (k.sensitive && "default" in k ? { key: k.key, env: k.env, type: k.type, sensitive: true } : k));
}

/** What the build runs the boot spec with: each default, else a placeholder of its type. */
export function placeholderConfig(schema: ConfigKey[]): Record<string, unknown> {
  const placeholder: Record<ConfigType, unknown> = { string: "", number: 0, boolean: false, json: null };
  return Object.fromEntries(schema.map((k) => [k.key, "default" in k ? k.default : placeholder[k.type]]));
}

export interface ConfigInputs {
  /** The daemon's environment. */
  env: Record<string, string | undefined>;
  /** The env file's variables (they win over the environment's). */
  file: Record<string, string>;
  /** Where the env file is, for messages. */
  fileName?: string;
}

/** Resolves every key. Throws RELX_BAD_APP_CONFIG naming the key and its variable. */
export function resolveConfig(schema: ConfigKey[], inputs: ConfigInputs): ResolvedConfig {
  const values: Record<string, unknown> = {};
  const entries: ConfigEntry[] = [];
  for (const k of schema) {
    const fromFile = nonEmpty(inputs.file[k.env]);
    const fromEnv = nonEmpty(inputs.env[k.env]);
    const text = fromFile ?? fromEnv;
    let value: unknown;
    let source: ConfigSource;
    if (text !== undefined) {
      source = fromFile !== undefined ? "env-file" : "env";
      value = parseValue(k, text, source === "env-file" ? inputs.fileName : undefined);
    } else if ("default" in k) {
      source = "default";
      value = k.default;
    } else {
      throw new RelxError("RELX_BAD_APP_CONFIG", `config key "${k.key}" needs ${k.env}, which is not set`, {
        hint: `set ${k.env} in the daemon's environment or its env file (relx start --env-file <file>), then try again`,
      });
    }
    values[k.key] = value;
    entries.push({ key: k.key, env: k.env, value: k.sensitive ? SENSITIVE : value, source });
  }
  return { values, entries };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

function parseValue(k: ConfigKey, text: string, fileName: string | undefined): unknown {
  const where = fileName === undefined ? k.env : `${k.env} (in ${fileName})`;
  const bad = (expected: string) => new RelxError("RELX_BAD_APP_CONFIG", `config key "${k.key}": ${where} expected ${expected}, got ${k.sensitive ? "a value that does not parse" : JSON.stringify(text)}`, {
    hint: `fix ${k.env}, then try again`,
  });
  switch (k.type) {
    case "string":
      return text;
    case "number": {
      const n = Number(text);
      if (text.trim() === "" || !Number.isFinite(n)) throw bad("a number");
      return n;
    }
    case "boolean":
      if (text === "true" || text === "1") return true;
      if (text === "false" || text === "0") return false;
      throw bad("true, false, 1 or 0");
    case "json":
      try {
        return JSON.parse(text);
      } catch {
        throw bad("JSON");
      }
  }
}

/** Whether `v` is a value of config type `type` (what a default must be). */
export function matchesType(v: unknown, type: ConfigType): boolean {
  if (type === "json") return true;
  if (type === "number") return typeof v === "number" && Number.isFinite(v);
  return typeof v === type;
}
