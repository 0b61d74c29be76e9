/**
 * writeTarball: releases/<name>-<vsn>.tar.gz, byte-identical when built twice from the same
 * release: entries in byte order under a top-level "<vsn>/", no directory recursion (the list is
 * the order), portable headers (no uid, gid, atime, ctime, OS byte), one fixed mtime, modes
 * 0644 / 0755, and gzip without a timestamp.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Stats } from "node:fs";
import { compareBytes } from "../fs-util.js";

export interface TarballOptions {
  /** The directory holding `top`. */
  cwd: string;
  /** The release's top-level directory name inside the tarball: its vsn. */
  top: string;
  file: string;
  mtime: Date;
}

export async function writeTarball(options: TarballOptions): Promise<void> {
  const tar = await import("tar");
  const entries = [options.top, ...(await listEntries(options.cwd, options.top))].sort(compareBytes);
  await tar.create(
    {
      file: options.file,
      cwd: options.cwd,
      gzip: true,
      portable: true,
      noDirRecurse: true,
      mtime: options.mtime,
      filter: (_path: string, stat: Stats | unknown) => normaliseMode(stat),
    },
    entries,
  );
}

/** The name of a release tarball: scoped names ("@acme/bank") lose their "@" and "/". */
export function tarballName(name: string, vsn: string): string {
  return `${name.replace(/^@/, "").replace(/\//g, "-")}-${vsn}.tar.gz`;
}

function normaliseMode(stat: unknown): boolean {
  const s = stat as Stats;
  if (typeof s.isDirectory === "function") s.mode = (s.mode & ~0o7777) | (s.isDirectory() ? 0o755 : 0o644);
  return true;
}

async function listEntries(cwd: string, rel: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(cwd, rel), { withFileTypes: true })) {
    const path = `${rel}/${entry.name}`;
    found.push(path);
    if (entry.isDirectory()) found.push(...(await listEntries(cwd, path)));
  }
  return found;
}
