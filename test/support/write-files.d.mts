// Types for write-files.mjs.
/** Writes files (path relative to root → content), creating folders. */
export function writeFiles(root: string, files: Record<string, string>): void;
