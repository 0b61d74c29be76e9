/**
 * The bridge's side of `relx fleet push`: base64 chunks appended to a temp file, then installed
 * as `relx unpack` installs a tarball. A vsn already installed whose release.json is byte for
 * byte the tarball's (so the same files and checksums) and whose files still match counts as
 * pushed ("present"); one that differs is refused with RELX_RELEASE_EXISTS.
 */
import { createHash } from "node:crypto";
import { appendFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RelxError } from "../errors.js";
import { loadConfig } from "../release/config.js";
import { verifyRelease } from "../release/store/verify.js";
import { listTarEntries, releaseTop } from "../release/tarball/tar-entries.js";
import { unpack } from "../release/tarball/unpack.js";

export interface PushOutcome {
  vsn: string;
  pushed: "installed" | "present";
}

export class PushReceiver {
  private dir: string | undefined;
  private bytes = 0;

  constructor(private readonly root: string) {}

  /** Appends one chunk; on the last, installs and returns the outcome (else the bytes so far). */
  async chunk(base64: string, last: boolean): Promise<PushOutcome | { bytes: number }> {
    this.dir ??= await mkdtemp(join(tmpdir(), "relx-push-"));
    const data = Buffer.from(base64, "base64");
    await appendFile(this.file(), data);
    this.bytes += data.length;
    if (!last) return { bytes: this.bytes };
    try {
      return await this.install();
    } finally {
      await this.discard();
    }
  }

  async discard(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.bytes = 0;
  }

  private file(): string {
    return join(this.dir!, "release.tar.gz");
  }

  private async install(): Promise<PushOutcome> {
    try {
      const { vsn } = await unpack({ root: this.root, file: this.file() });
      return { vsn, pushed: "installed" };
    } catch (err) {
      if (!(err instanceof RelxError) || err.code !== "RELX_RELEASE_EXISTS") throw err;
      return this.present(err);
    }
  }

  private async present(exists: RelxError): Promise<PushOutcome> {
    const vsn = releaseTop(this.file(), await listTarEntries(this.file()));
    const config = await loadConfig(this.root);
    const installed = join(config.releasesDir, vsn);
    const [mine, theirs] = await Promise.all([readFile(join(installed, "release.json")), manifestIn(this.file(), vsn)]);
    if (theirs === undefined || sha256(mine) !== sha256(theirs)) {
      throw new RelxError("RELX_RELEASE_EXISTS", `${exists.message}, with other contents than the pushed tarball`, {
        hint: exists.hint,
        cause: exists,
      });
    }
    await verifyRelease(installed, config.name);
    return { vsn, pushed: "present" };
  }
}

/** The bytes of `<vsn>/release.json` in the tarball, if it has one. */
async function manifestIn(file: string, vsn: string): Promise<Buffer | undefined> {
  const tar = await import("tar");
  const chunks: Buffer[] = [];
  let found = false;
  await tar.list({
    file,
    onReadEntry: (entry) => {
      if (entry.path !== `${vsn}/release.json`) return void entry.resume();
      found = true;
      entry.on("data", (c: Buffer) => chunks.push(c));
    },
  });
  return found ? Buffer.concat(chunks) : undefined;
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
