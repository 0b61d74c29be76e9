/**
 * sealRelease: before a release is renamed into releases/, every file and directory in it is made
 * the running user's and writable by that user only (directories 0755, files 0644, no setuid,
 * setgid or sticky bits), whatever the tarball's headers or the umask said. Nobody else may rewrite
 * a release's code or its release.json: the checksums in release.json are the only other check.
 */
import { chmod, lchown, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import { RelxError } from "../../errors.js";

const DIR_MODE = 0o755;
const FILE_MODE = 0o644;

/** Throws RELX_BAD_RELEASE for anything that is neither a file nor a directory (never followed). */
export async function sealRelease(dir: string): Promise<void> {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const paths = [dir, ...entries.map((e) => join(e.parentPath ?? e.path, e.name))];
  for (const path of paths) {
    const info = await lstat(path);
    if (!info.isFile() && !info.isDirectory()) {
      throw new RelxError("RELX_BAD_RELEASE", `${path} is neither a file nor a directory; a release holds only those`, {
        hint: "build the release again with relx build",
      });
    }
    if (uid !== undefined && gid !== undefined && info.uid !== uid) await lchown(path, uid, gid);
    const mode = info.isDirectory() ? DIR_MODE : FILE_MODE;
    if ((info.mode & 0o7777) !== mode) await chmod(path, mode);
  }
}
