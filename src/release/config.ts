/**
 * An app's config (SPEC §1): package.json's name, version and engines.node, plus the relx keys
 * from relx.config.json or package.json's "relx" key. Validated, never silently ignored.
 *
 * loadConfig throws RELX_BAD_CONFIG, naming the file and the key, when: package.json is missing or
 * does not parse; relx.config.json does not parse; both config sources are present; a key is
 * unknown (an own key of the table, so "constructor" or "__proto__" is unknown too); a value has
 * the wrong type; a timeout is above MAX_TIMEOUT_MS; the app has no name.
 */
import { existsSync } from "node:fs";
import { join, posix, resolve } from "node:path";
import { RelxError, describeValue } from "../errors.js";
import { MISSING, isPlainObject, readJsonSync } from "./json-file.js";

export interface RelxConfig {
  /** Absolute app root. */
  root: string;
  name: string;
  /** package.json's version ("" when it has none). */
  version: string;
  /** The paths below are absolute: configured relative to `root`, resolved once here. */
  srcDir: string;
  app: string;
  releasesDir: string;
  socket: string;
  suspendTimeoutMs: number;
  codeChangeTimeoutMs: number;
  callTimeoutMs: number;
  /** The daemon log rotates past this many bytes. */
  logMaxBytes: number;
  /** package.json engines.node, else ">=20.10". */
  nodeRange: string;
  /** What a boot process that restarted too often does: stay down, or stop the node (exit 1). */
  onGiveUp: "stay" | "exit";
  /** Each lifecycle hook of the boot spec must return within this. */
  hookTimeoutMs: number;
  /** The synchronous part of a `relx eval` / `relx remote` entry is cut off after this. */
  evalTimeoutMs: number;
  /** The dotenv file the daemon reads the app's config from (absolute), or null for none. */
  envFile: string | null;
}

type Kind = "string" | "timeout" | "giveup" | "bytes";
const KEYS: Record<string, Kind> = {
  name: "string",
  srcDir: "string",
  app: "string",
  releasesDir: "string",
  socket: "string",
  suspendTimeoutMs: "timeout",
  codeChangeTimeoutMs: "timeout",
  callTimeoutMs: "timeout",
  hookTimeoutMs: "timeout",
  evalTimeoutMs: "timeout",
  envFile: "string",
  onGiveUp: "giveup",
  logMaxBytes: "bytes",
};
type UserConfig = Partial<Record<keyof typeof KEYS, string | number>>;

/** Node's timers take at most 2^31 - 1 ms (about 24.8 days); a longer delay fires after 1 ms. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const APP_NAMES = ["app.ts", "app.js", "app.mts", "app.mjs"];
const CONFIG_FILE = "relx.config.json";

/**
 * The validated config of the app at `root`. Throws RELX_BAD_CONFIG. Its reads (two small files
 * and a stat or so) are synchronous: `relx status` reads the config for the socket's path, and
 * asynchronous reads would start libuv's thread pool, which costs that command more than the reads.
 */
export async function loadConfig(root: string): Promise<RelxConfig> {
  const absRoot = resolve(root);
  const pkgFile = join(absRoot, "package.json");
  const pkg = readPackageJson(pkgFile);
  const user = readUserConfig(absRoot, pkg, pkgFile);
  const name = user.name ?? packageField(pkg, "name", pkgFile);
  if (!name) {
    throw new RelxError("RELX_BAD_CONFIG", `${pkgFile}: the app has no "name"`, {
      hint: `add "name" to package.json (or to ${CONFIG_FILE})`,
    });
  }
  const srcDir = (user.srcDir as string | undefined) ?? "src";
  const app = (user.app as string | undefined) ?? defaultApp(absRoot, srcDir);
  return {
    root: absRoot,
    name: name as string,
    version: packageField(pkg, "version", pkgFile) ?? "",
    srcDir: resolve(absRoot, srcDir),
    app: resolve(absRoot, app),
    releasesDir: resolve(absRoot, (user.releasesDir as string | undefined) ?? "releases"),
    socket: resolve(absRoot, (user.socket as string | undefined) ?? ".relx/relx.sock"),
    suspendTimeoutMs: (user.suspendTimeoutMs as number | undefined) ?? 5000,
    codeChangeTimeoutMs: (user.codeChangeTimeoutMs as number | undefined) ?? 5000,
    callTimeoutMs: (user.callTimeoutMs as number | undefined) ?? 5000,
    logMaxBytes: (user.logMaxBytes as number | undefined) ?? 10 * 1024 * 1024,
    nodeRange: nodeRange(pkg, pkgFile),
    onGiveUp: (user.onGiveUp as "stay" | "exit" | undefined) ?? "stay",
    hookTimeoutMs: (user.hookTimeoutMs as number | undefined) ?? 30_000,
    evalTimeoutMs: (user.evalTimeoutMs as number | undefined) ?? 5000,
    envFile: user.envFile === undefined ? null : resolve(absRoot, user.envFile as string),
  };
}

function readPackageJson(file: string): Record<string, unknown> {
  const pkg = readJsonObject(file);
  if (pkg === null) {
    throw new RelxError("RELX_BAD_CONFIG", `no package.json at ${file}`, {
      hint: "run relx in the app's root, or pass --root <dir>",
    });
  }
  return pkg;
}

function readUserConfig(root: string, pkg: Record<string, unknown>, pkgFile: string): UserConfig {
  const file = join(root, CONFIG_FILE);
  const fromFile = readJsonObject(file);
  if (fromFile !== null && pkg.relx !== undefined) {
    throw new RelxError("RELX_BAD_CONFIG", `config is in both ${file} and the "relx" key of ${pkgFile}`, {
      hint: "keep one of them",
    });
  }
  if (fromFile !== null) return validateKeys(fromFile, file, "");
  if (pkg.relx === undefined) return {};
  if (!isPlainObject(pkg.relx)) {
    throw badType(pkgFile, "relx", "an object", pkg.relx);
  }
  return validateKeys(pkg.relx, pkgFile, "relx.");
}

function validateKeys(raw: Record<string, unknown>, file: string, prefix: string): UserConfig {
  for (const [key, value] of Object.entries(raw)) {
    const kind = Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
    if (kind === undefined) {
      throw new RelxError("RELX_BAD_CONFIG", `${file}: unknown key "${prefix}${key}"`, {
        hint: `known keys: ${Object.keys(KEYS).join(", ")}`,
      });
    }
    if (kind === "string" && (typeof value !== "string" || value === "")) {
      throw badType(file, prefix + key, "a non-empty string", value);
    }
    if (kind === "timeout" && !(Number.isInteger(value) && (value as number) > 0)) {
      throw badType(file, prefix + key, "a positive integer (milliseconds)", value);
    }
    if (kind === "giveup" && value !== "stay" && value !== "exit") {
      throw badType(file, prefix + key, '"stay" or "exit"', value);
    }
    if (kind === "timeout" && (value as number) > MAX_TIMEOUT_MS) {
      throw new RelxError("RELX_BAD_CONFIG", `${file}: "${prefix}${key}" is ${String(value)} ms, more than the ${MAX_TIMEOUT_MS} ms (about 24.8 days) a Node timer can wait`, {
        hint: `set "${prefix}${key}" in ${file} to at most ${MAX_TIMEOUT_MS}`,
      });
    }
    if (kind === "bytes" && !(Number.isSafeInteger(value) && (value as number) > 0)) {
      throw badType(file, prefix + key, "a positive integer (bytes)", value);
    }
  }
  return raw as UserConfig;
}

function packageField(pkg: Record<string, unknown>, key: "name" | "version", file: string): string | undefined {
  const value = pkg[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw badType(file, key, "a string", value);
  return value;
}

function nodeRange(pkg: Record<string, unknown>, file: string): string {
  if (pkg.engines === undefined) return ">=20.10";
  if (!isPlainObject(pkg.engines)) throw badType(file, "engines", "an object", pkg.engines);
  const node = pkg.engines.node;
  if (node === undefined) return ">=20.10";
  if (typeof node !== "string" || node === "") throw badType(file, "engines.node", "a non-empty version range (or no engines.node: >=20.10)", node);
  return node;
}

function defaultApp(root: string, srcDir: string): string {
  for (const name of APP_NAMES) {
    const rel = posix.join(srcDir, name);
    if (existsSync(join(root, rel))) return rel;
  }
  return posix.join(srcDir, APP_NAMES[0]!);
}

/** The parsed object in `file`, or null when the file does not exist. */
function readJsonObject(file: string): Record<string, unknown> | null {
  const value = readJsonSync(file, "RELX_BAD_CONFIG");
  if (value === MISSING) return null;
  if (!isPlainObject(value)) {
    throw new RelxError("RELX_BAD_CONFIG", `${file}: expected a JSON object, got ${describeValue(value)}`);
  }
  return value;
}

function badType(file: string, key: string, expected: string, value: unknown): RelxError {
  return new RelxError("RELX_BAD_CONFIG", `${file}: "${key}" expected ${expected}, got ${describeValue(value)}`, {
    hint: `fix "${key}" in ${file}`,
  });
}
