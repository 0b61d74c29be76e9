/**
 * Loads a release's code from its own directory (SPEC §7 step 2): the daemon's boot and upgrades,
 * and check-upgrade's worker. Checksums are verified first, every time (the release.json itself may
 * come from the daemon's read-ahead, when it has not changed since: read-ahead/). Each server module is
 * evaluated with loadModule (vm.compileFunction, outside Node's module cache), so once no process
 * runs a release's code, it is garbage-collected: the daemon's answer to OTP's code purge.
 */
import { join } from "node:path";
import * as relx from "../index.js";
import { RelxError } from "../errors.js";
import type { RelxConfig } from "./config.js";
import { defaultExport, loadModule } from "./load-module.js";
import type { LoadedManifest } from "./manifest.js";
import { loadedManifest, readManifest } from "./store/read-manifest.js";
import { checkRelease, releaseDir } from "./store/verify.js";
import { isServerDef } from "../runtime/define.js";
import type { ServerDef } from "../runtime/types.js";

export interface LoadedRelease {
  manifest: LoadedManifest;
  dir: string;
  /** Server name → definition, its vsn set to the effective vsn the build recorded. */
  servers: Map<string, ServerDef>;
  /** The app module's default export (the boot spec), evaluated afresh with this load. */
  app: unknown;
}

export interface LoadOptions {
  /** The release.json of `dir`, read and checked; by default read now (readManifest). */
  readManifest?(dir: string): Promise<LoadedManifest>;
}

const host = { relx };

/** Throws RELX_NO_SUCH_RELEASE, RELX_CHECKSUM_MISMATCH, RELX_WRONG_APP, RELX_WRONG_RELX, RELX_BAD_RELEASE. */
export async function loadRelease(config: RelxConfig, vsn: string, options: LoadOptions = {}): Promise<LoadedRelease> {
  const dir = releaseDir(config, vsn);
  const manifest = await (options.readManifest ?? readNow)(dir);
  await checkRelease(dir, manifest, config.name);
  const servers = new Map<string, ServerDef>();
  for (const entry of manifest.servers) {
    const def = defaultExport(loadModule(join(dir, entry.file), host));
    if (!isServerDef(def) || def.name !== entry.name) {
      throw new RelxError("RELX_BAD_RELEASE", `release ${vsn}: ${entry.file} does not export server ${entry.name}`, {
        hint: "the release does not match its manifest; rebuild it with relx build",
      });
    }
    servers.set(entry.name, { ...def, vsn: entry.vsn });
  }
  const app = defaultExport(loadModule(join(dir, manifest.app.file), host));
  return { manifest, dir, servers, app };
}

async function readNow(dir: string): Promise<LoadedManifest> {
  return loadedManifest(await readManifest(dir));
}

/** The server a release defines under `name`; RELX_BAD_RELEASE when it has none. */
export function serverOf(release: LoadedRelease, name: string): ServerDef {
  const def = release.servers.get(name);
  if (def) return def;
  throw new RelxError("RELX_BAD_RELEASE", `release ${release.manifest.vsn} has no server ${name}`, {
    hint: "its boot spec names a server it does not contain; rebuild it with relx build",
  });
}
