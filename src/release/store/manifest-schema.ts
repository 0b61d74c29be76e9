/**
 * The shape of release.json (docs/release-format.md), checked in full wherever a manifest is read:
 * the daemon before it boots or upgrades to a release, unpack before it installs one, the build
 * for every older release it plans from. Loaded lazily (verify.ts imports it when it reads a
 * manifest), so commands that read none never load valibot.
 *
 * Top-level keys this relx does not know are ignored (a newer relx may add a field without a new
 * format); inside `app`, `boot.processes[]`, `config[]` and `servers[]` every key is known and
 * checked. `config` and `relx` are optional: releases built before relx 0.2 have neither.
 * `plans` is only a record for people and scripts (the daemon recomputes plans), so it is checked
 * loosely: an object of `{ up, down }` objects.
 */
import { basename } from "node:path";
import * as v from "valibot";
import { RelxError, describeValue } from "../../errors.js";
import { CONFIG_TYPES, matchesType } from "../app-config.js";
import { isPlainObject } from "../json-file.js";
import { MANIFEST_FORMAT, type BootProcess, type Manifest } from "../manifest.js";
import { RESTART_POLICIES } from "../../runtime/define.js";
import type { RestartPolicy } from "../../runtime/types.js";
import { isVsn } from "../vsn.js";
import { fieldPath, issueText } from "./schema-issue.js";

/** valibot takes an array for an object; relx's files never hold one where an object goes. */
const plain = (what: string) => v.custom<Record<string, unknown>>(isPlainObject, what);
export const strict = <const E extends v.ObjectEntries>(entries: E, what: string) => v.pipe(plain(what), v.strictObject(entries, what));
const loose = <const E extends v.ObjectEntries>(entries: E, what: string) => v.pipe(plain(what), v.looseObject(entries, what));
const record = <K extends v.GenericSchema<string, string>, V extends v.GenericSchema>(key: K, value: V, what: string) =>
  v.pipe(plain(what), v.record(key, value, what));
const text = (what = "a non-empty string") => v.pipe(v.string(what), v.minLength(1, what));
const SHA = "a sha256 (64 lowercase hex digits)";
const sha256 = v.pipe(v.string(SHA), v.regex(/^[0-9a-f]{64}$/, SHA));
const PATH = "a relative path inside the release";
const relPath = v.pipe(v.string(PATH), v.check(isSafeRelPath, PATH));
const fileKey = v.pipe(relPath, v.check((p) => p !== "release.json", "a file other than release.json"));
const VSN = "a semver version like 1.2.3";
export const vsnSchema = v.pipe(v.string(VSN), v.check((s: string) => isVsn(s), VSN));
const TIME = "an ISO timestamp like 2024-01-01T00:00:00.000Z";
const timestamp = v.pipe(v.string(TIME), v.check(isIsoTimestamp, TIME));

const bootProcess = strict(
  {
    name: text(),
    server: text(),
    restart: v.picklist(RESTART_POLICIES, `one of ${RESTART_POLICIES.join(", ")}`),
    args: v.optional(v.unknown()),
  },
  "an object { name, server, restart, args? }",
);

const server = strict(
  {
    name: text(),
    vsn: text(),
    declaredVsn: v.nullable(text("a non-empty string or null")),
    file: relPath,
    source: text(),
    sha256,
    hasCodeChange: v.boolean("true or false"),
  },
  "an object { name, vsn, declaredVsn, file, source, sha256, hasCodeChange }",
);

const plan = loose({}, "an object");

const ENV = "a variable name";
const configKey = strict(
  {
    key: text(),
    env: v.pipe(v.string(ENV), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, ENV)),
    type: v.picklist(CONFIG_TYPES, `one of ${CONFIG_TYPES.join(", ")}`),
    sensitive: v.boolean("true or false"),
    default: v.optional(v.unknown()),
  },
  "an object { key, env, type, sensitive, default? }",
);

const manifest = loose(
  {
    format: v.literal(MANIFEST_FORMAT, `format ${MANIFEST_FORMAT}`),
    name: text(),
    vsn: vsnSchema,
    createdAt: timestamp,
    node: text("a node version range"),
    app: strict({ file: relPath, source: text(), sha256 }, "an object { file, source, sha256 }"),
    boot: strict({ processes: v.array(bootProcess, "an array") }, "an object { processes }"),
    config: v.optional(v.array(configKey, "an array")),
    relx: v.optional(text("a relx version")),
    servers: v.array(server, "an array"),
    files: record(fileKey, sha256, "an object { path: sha256 }"),
    plans: record(v.string(), loose({ up: plan, down: plan }, "an object { up, down }"), "an object { vsn: { up, down } }"),
  },
  "an object",
);

/**
 * `value` (the parsed `file`, the release.json of directory `dir`) as a Manifest, once its shape
 * and its consistency hold. Throws RELX_BAD_RELEASE naming the file and the field.
 */
export function parseManifest(value: unknown, file: string, dir: string): Manifest {
  // 100,000 boot processes through the generic schema cost more than reading the file: when every
  // one has the shape the build writes, the schema checks the rest and they are taken as they are.
  // Any other shape goes through the schema whole, so every malformed file gets the same error.
  const processes = wellFormedBootProcesses(value);
  const checked = processes === null ? value : withoutBootProcesses(value as { boot: object });
  const parsed = v.safeParse(manifest, checked, { abortEarly: true });
  if (!parsed.success) throw malformed(file, dir, issueText(parsed.issues[0]));
  const m = parsed.output as unknown as Manifest;
  if (processes !== null) m.boot.processes = processes;
  const problem = inconsistency(m, value as { files: object }, basename(dir));
  if (problem) throw malformed(file, dir, problem);
  return m;
}

const BOOT_KEYS: Record<string, true> = { name: true, server: true, restart: true, args: true };

/**
 * value.boot.processes when each of them certainly passes `bootProcess`, unchanged by it: a plain
 * object with only its keys, non-empty string name and server, a known restart. Else null (the
 * schema decides, and words the error).
 */
function wellFormedBootProcesses(value: unknown): BootProcess[] | null {
  if (!isPlainObject(value) || !isPlainObject(value.boot) || !Array.isArray(value.boot.processes)) return null;
  const list: unknown[] = value.boot.processes;
  for (let i = 0; i < list.length; i++) {
    const p = list[i];
    if (!isPlainObject(p)) return null;
    for (const key in p) if (BOOT_KEYS[key] !== true || !Object.hasOwn(p, key)) return null;
    const { name, server, restart } = p;
    if (typeof name !== "string" || name === "" || typeof server !== "string" || server === "") return null;
    if (!RESTART_POLICIES.includes(restart as RestartPolicy)) return null;
  }
  return list as BootProcess[];
}

/** `value` with an empty boot.processes (its other keys, boot's too, kept for the schema to check). */
function withoutBootProcesses(value: { boot: object }): unknown {
  return { ...value, boot: { ...value.boot, processes: [] } };
}

/** What makes a well-shaped manifest unusable: names twice, a server it lacks, files it does not list. */
function inconsistency(m: Manifest, raw: { files: object }, dirName: string): string | null {
  if (m.vsn !== dirName) return `vsn is "${m.vsn}", but the release's directory is named ${JSON.stringify(dirName)}`;
  const dropped = Object.keys(raw.files).find((key) => !Object.hasOwn(m.files, key));
  if (dropped !== undefined) return `${fieldPath(["files", dropped])} is not a file a release can hold`;
  const listed = (path: (string | number)[], file: string, sha: string): string | null => {
    if (!Object.hasOwn(m.files, file)) return `${fieldPath(path)} ${JSON.stringify(file)} is not listed in files`;
    return m.files[file] === sha ? null : `${fieldPath(path)}: its sha256 differs from files[${JSON.stringify(file)}]`;
  };
  const app = listed(["app", "file"], m.app.file, m.app.sha256);
  if (app) return app;
  const servers = new Set<string>();
  for (const [i, s] of m.servers.entries()) {
    if (servers.has(s.name)) return `${fieldPath(["servers", i, "name"])}: two servers are named "${s.name}"`;
    servers.add(s.name);
    const problem = listed(["servers", i, "file"], s.file, s.sha256);
    if (problem) return problem;
    if (s.declaredVsn !== null && s.declaredVsn !== s.vsn) {
      return `${fieldPath(["servers", i, "vsn"])} is "${s.vsn}", but the server declares vsn "${s.declaredVsn}"`;
    }
  }
  const keys = new Set<string>();
  for (const [i, k] of (m.config ?? []).entries()) {
    if (keys.has(k.key)) return `${fieldPath(["config", i, "key"])}: two config keys are named "${k.key}"`;
    keys.add(k.key);
    if ("default" in k && k.sensitive) return `${fieldPath(["config", i, "default"])}: a sensitive key's default is never recorded`;
    if ("default" in k && !matchesType(k.default, k.type)) return `${fieldPath(["config", i, "default"])} expected a ${k.type}, got ${describeValue(k.default)}`;
  }
  const names = new Set<string>();
  const processes = m.boot.processes;
  for (let i = 0; i < processes.length; i++) {
    const p = processes[i]!;
    if (names.size === names.add(p.name).size) return `${fieldPath(["boot", "processes", i, "name"])}: two boot processes are named "${p.name}"`;
    if (!servers.has(p.server)) {
      return `${fieldPath(["boot", "processes", i, "server"])} names server "${p.server}", which is not in servers (${[...servers].join(", ") || "none"})`;
    }
  }
  return null;
}

function malformed(file: string, dir: string, problem: string): RelxError {
  return new RelxError("RELX_BAD_RELEASE", `${file} is malformed: ${problem}`, {
    hint: `rebuild the release with relx build, or reinstall it with relx unpack; to drop it, rm -r ${dir}`,
  });
}

/** A path a release may hold: relative, no "." / ".." / empty segment, no NUL. */
function isSafeRelPath(path: string): boolean {
  if (path === "" || path.startsWith("/") || path.includes("\0")) return false;
  return path.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}

/** What the build writes: `Date.prototype.toISOString()` of a date it can represent. */
function isIsoTimestamp(value: string): boolean {
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === value;
}

