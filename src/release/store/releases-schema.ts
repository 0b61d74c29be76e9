/**
 * The shape of releases/RELEASES: `[{ "vsn", "state" }, …]`, each vsn once, at most one
 * "permanent" and at most one "current" (the invariant setReleaseState keeps). A hand-edited file
 * that breaks it is refused rather than guessed at: which of two "permanent" releases a restarted
 * daemon should boot is not relx's to choose. Loaded lazily by releases-store.ts.
 */
import * as v from "valibot";
import { RelxError } from "../../errors.js";
import type { ReleaseRecord, ReleaseState } from "../manifest.js";
import { strict, vsnSchema } from "./manifest-schema.js";
import { issueText } from "./schema-issue.js";

const STATES: ReleaseState[] = ["unpacked", "current", "permanent", "old"];

const records = v.array(
  strict(
    { vsn: vsnSchema, state: v.picklist(STATES, `one of ${STATES.join(", ")}`) },
    "an object { vsn, state }",
  ),
  "an array of { vsn, state }",
);

/** The records in `value` (the parsed `file`). Throws RELX_BAD_RELEASE naming the file and the entry. */
export function parseReleaseRecords(value: unknown, file: string): ReleaseRecord[] {
  const parsed = v.safeParse(records, value, { abortEarly: true });
  if (!parsed.success) throw malformed(file, issueText(parsed.issues[0]));
  const seen = new Map<string, number>();
  const holder = new Map<ReleaseState, number>();
  for (const [i, { vsn, state }] of parsed.output.entries()) {
    const twin = seen.get(vsn);
    if (twin !== undefined) throw malformed(file, `entries ${twin} and ${i} both list ${vsn}`);
    seen.set(vsn, i);
    const other = holder.get(state);
    if (other !== undefined && (state === "permanent" || state === "current")) {
      const first = parsed.output[other]!.vsn;
      throw malformed(file, `two releases are "${state}": ${first} and ${vsn}; at most one can be`);
    }
    holder.set(state, i);
  }
  return parsed.output;
}

function malformed(file: string, problem: string): RelxError {
  return new RelxError("RELX_BAD_RELEASE", `${file} is malformed: ${problem}`, {
    hint: `fix ${file} by hand (each vsn once, at most one "permanent" and one "current"), or remove it: relx then lists every release as "unpacked" and the daemon boots the newest`,
  });
}
