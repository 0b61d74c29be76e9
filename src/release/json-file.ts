/** Reading JSON files whose problems are user errors: each failure names the file. */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { RelxError, type RelxErrorCode } from "../errors.js";

/** A missing file: what readJson returns instead of throwing. */
export const MISSING = Symbol("missing");

/** The parsed contents of `file`, or MISSING. Unreadable or malformed → RelxError(code). */
export async function readJson(file: string, code: RelxErrorCode): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return unreadable(file, code, err);
  }
  return parse(file, code, text);
}

/**
 * readJson without the libuv thread pool: for the few small files read where a thread pool would
 * cost more than the read (the app's config, read by every `relx status`).
 */
export function readJsonSync(file: string, code: RelxErrorCode): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return unreadable(file, code, err);
  }
  return parse(file, code, text);
}

function unreadable(file: string, code: RelxErrorCode, err: unknown): typeof MISSING {
  if ((err as NodeJS.ErrnoException).code === "ENOENT") return MISSING;
  throw new RelxError(code, `cannot read ${file}: ${(err as Error).message}`, {
    cause: err,
    hint: `make ${file} a file the user running relx can read`,
  });
}

function parse(file: string, code: RelxErrorCode, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RelxError(code, `${file} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
      hint: `fix the JSON in ${file}`,
    });
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * JSON data: plain objects and arrays (no cycle, no hole, no key beside an array's indices),
 * strings, finite numbers, booleans, null: what JSON.stringify writes and JSON.parse gives back as it was.
 * `ancestors` (the objects above this one) is made only below a nested object: args of primitives
 * (100,000 boot processes' { name, money }) allocate nothing.
 */
export function isJsonValue(value: unknown, ancestors: object[] | null): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object") return false;
  if (ancestors !== null && ancestors.includes(value)) return false;
  const proto = Object.getPrototypeOf(value);
  const keys = Object.keys(value);
  if (Array.isArray(value)) {
    // A hole (written as null) or a key beside the indices (left out) is not what JSON keeps.
    // The count alone misses a hole and a key together: Object.keys lists an array's indices
    // first, in order, so with as many keys as the length the last is the last index only when
    // every index is there.
    const n = value.length;
    if (keys.length !== n || (n > 0 && keys[n - 1] !== String(n - 1))) return false;
  } else if (proto !== Object.prototype && proto !== null) return false;
  let below: object[] | null = null;
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === "object" && item !== null) {
      below ??= ancestors === null ? [value] : [...ancestors, value];
      if (!isJsonValue(item, below)) return false;
    } else if (!isJsonValue(item, null)) return false;
  }
  return true;
}
