/** A release's createdAt: SOURCE_DATE_EPOCH when set, else the newest input's mtime, so a rebuild matches. */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { RelxError } from "../../errors.js";

/** Files that change a build without being compiled inputs. */
const CONFIG_INPUTS = ["package.json", "relx.config.json", "tsconfig.json"];

/** The last second of 9999: the latest createdAt an ISO date (and so release.json) can hold. */
const MAX_EPOCH = 253_402_300_799;

/**
 * An ISO date, whole seconds. Throws RELX_BAD_ARGUMENT for a SOURCE_DATE_EPOCH that is not an
 * integer of seconds from 0 to MAX_EPOCH.
 */
export async function createdAt(root: string, inputs: string[]): Promise<string> {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== "") {
    if (!/^\d+$/.test(epoch) || Number(epoch) > MAX_EPOCH) {
      throw new RelxError("RELX_BAD_ARGUMENT", `SOURCE_DATE_EPOCH expected whole seconds since 1970, from 0 to ${MAX_EPOCH} (the end of year 9999), got "${epoch}"`, {
        hint: "set SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), or unset it",
      });
    }
    return new Date(Number(epoch) * 1000).toISOString();
  }
  const times = await Promise.all(
    [...CONFIG_INPUTS, ...inputs].map((rel) => stat(join(root, rel)).then((s) => s.mtimeMs, () => 0)),
  );
  return new Date(Math.floor(Math.max(0, ...times) / 1000) * 1000).toISOString();
}
