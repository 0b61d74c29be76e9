/**
 * The one vsn parser: `relx build`, `relx upgrade`/`downgrade` and the socket's upgrade ops all
 * check a release version here, so the same mistake gets the same code (RELX_BAD_VSN) and the
 * same hint everywhere. A vsn is strict semver, as the release directories are named.
 */
import semver from "semver";
import { RelxError, describeValue } from "../errors.js";

export interface VsnContext {
  /** What the value is, for the message: "--vsn", "package.json version", "the version". */
  what: string;
  /** The command to run with a corrected vsn, for the hint. */
  retry(vsn: string): string;
}

/** Whether `value` is a strict semver version (what the manifest and RELEASES schemas accept too). */
export function isVsn(value: unknown): value is string {
  return typeof value === "string" && semver.valid(value) === value;
}

/** `value` when it is a strict semver version. Throws RELX_BAD_VSN, hinting the cleaned-up form. */
export function parseVsn(value: unknown, context: VsnContext): string {
  if (isVsn(value)) return value;
  const shown = typeof value === "string" ? JSON.stringify(value) : describeValue(value);
  const clean = typeof value === "string" ? semver.valid(value) : null;
  throw new RelxError("RELX_BAD_VSN", `${context.what} ${shown} is not a semver version`, {
    hint: clean !== null ? `use "${clean}": ${context.retry(clean)}` : `versions look like 1.2.3: ${context.retry("1.2.3")}; \`relx releases\` lists the ones there are`,
  });
}
