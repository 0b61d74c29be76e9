/** Telling "no daemon runs here" apart from "a daemon may run but cannot be reached". */
import { RelxError } from "../errors.js";

/** True when nothing listens on the socket: no socket file, or a dead daemon's. (EACCES is someone else's daemon.) */
export function nothingListens(err: unknown): boolean {
  if (!(err instanceof RelxError) || err.code !== "RELX_NO_DAEMON") return false;
  const cause = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  return cause === "ENOENT" || cause === "ECONNREFUSED" || cause === "ENOTSOCK" || cause === "ENOTDIR";
}
