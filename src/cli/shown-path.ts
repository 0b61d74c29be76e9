/** A path as a person would like to read it: relative when it is below the current directory. */
import { relative } from "node:path";

export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}
