/** A path as a person would like to read it: relative when it is below the current directory. */
import { relative } from "node:path";

export function shownPath(path: string): string {
  let cwd: string;
  try {
    cwd = process.cwd();
  } catch {
    return path; // the current directory was removed: nothing is below it
  }
  const rel = relative(cwd, path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}
