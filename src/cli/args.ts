/** Checks for values given on the command line: a bad one is RELX_BAD_ARGUMENT, exit 1. */
import { RelxError } from "../errors.js";

/** `text` parsed as JSON. Throws RELX_BAD_ARGUMENT naming the argument and the value. */
export function parseJsonArgument(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RelxError("RELX_BAD_ARGUMENT", `${what} is not valid JSON: ${shorten(text)} (${(err as Error).message})`, {
      hint: `quote it for the shell, e.g. '{"add": 30000}' or '"text"'`,
      cause: err,
    });
  }
}

function shorten(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > 80 ? quoted.slice(0, 79) + "…\"" : quoted;
}

/** `text` as a whole number of 0 or more (an --offset, a --limit). Throws RELX_BAD_ARGUMENT. */
export function parseCount(text: string, what: string): number {
  const n = Number(text);
  if (/^\d+$/.test(text) && Number.isSafeInteger(n)) return n;
  throw new RelxError("RELX_BAD_ARGUMENT", `${what} expects a whole number of 0 or more, got ${shorten(text)}`, {
    hint: `e.g. ${what} 100`,
  });
}
