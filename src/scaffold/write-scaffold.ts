/**
 * Writes a new app into a directory that is empty or does not exist yet; all or nothing (on a
 * failure, what was written is removed, and the directory too if this made it).
 */
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { RelxError } from "../errors.js";
import { scaffoldFiles } from "./template.js";

export interface InitResult {
  ok: true;
  dir: string;
  name: string;
  /** The files written, relative to `dir`. */
  files: string[];
}

/** Throws RELX_DIR_NOT_EMPTY, or RELX_BAD_ARGUMENT when `dir` is a file. */
export async function writeScaffold(dir: string, relxVersion: string): Promise<InitResult> {
  await refuseUnlessEmpty(dir);
  const name = packageName(basename(dir));
  const files = scaffoldFiles(name, relxVersion);
  const made = await mkdir(dir, { recursive: true });
  const written: string[] = [];
  try {
    for (const [rel, contents] of Object.entries(files)) {
      const file = join(dir, rel);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, contents, { flag: "wx" });
      written.push(file);
    }
  } catch (err) {
    if (made !== undefined) await rm(made, { recursive: true, force: true });
    else await Promise.all([...written, join(dir, "src")].map((f) => rm(f, { recursive: true, force: true })));
    throw err;
  }
  return { ok: true, dir, name, files: Object.keys(files) };
}

async function refuseUnlessEmpty(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (info === null) return;
  if (!info.isDirectory()) {
    throw new RelxError("RELX_BAD_ARGUMENT", `${dir} exists and is not a directory`, {
      hint: "pass a new directory: `relx init <dir>`",
    });
  }
  const entries = await readdir(dir);
  if (entries.length > 0) {
    const shown = entries.slice(0, 3).join(", ") + (entries.length > 3 ? `, … (${entries.length} entries)` : "");
    throw new RelxError("RELX_DIR_NOT_EMPTY", `${dir} is not empty (${shown}); relx init writes only into an empty or new directory`, {
      hint: "pass a new directory: `relx init <dir>`",
    });
  }
}

/** A valid npm package name from a directory name: "My App!" → "my-app". */
export function packageName(dirName: string): string {
  const name = dirName.toLowerCase().replace(/[^a-z0-9._~-]+/g, "-").replace(/^[-._~]+|-+$/g, "");
  return name === "" ? "app" : name.slice(0, 214);
}
