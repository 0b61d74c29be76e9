/** Reading JSON files whose problems are user errors: each failure names the file. */
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
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return MISSING;
    throw new RelxError(code, `cannot read ${file}: ${(err as Error).message}`, {
      cause: err,
      hint: `make ${file} a file the user running relx can read`,
    });
  }
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
