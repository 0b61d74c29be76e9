/**
 * Loads a release's code from its own directory (SPEC §7 step 2): the daemon's boot and upgrades,
 * and check-upgrade's worker. Checksums are verified first, every time. Each server module is
 * evaluated with loadModule (vm.compileFunction, outside Node's module cache), so once no process
 * runs a release's code, it is garbage-collected: the daemon's answer to OTP's code purge.
 */
import { join } from "node:path";
import * as relx from "../index.js";
import { RelxError } from "../errors.js";
import type { RelxConfig } from "./config.js";
import { defaultExport, loadModule } from "./load-module.js";
import type { Manifest } from "./manifest.js";
import { releaseDir, verifyRelease } from "./store/verify.js";
import { isServerDef } from "../runtime/define.js";
import type { ServerDef } from "../runtime/types.js";

export interface LoadedRelease {
  manifest: Manifest;
  dir: string;
  /** Server name → definition, its vsn set to the effective vsn the build recorded. */
  servers: Map<string, ServerDef>;
  /** The app module's default export (the boot spec), evaluated afresh with this load. */
  app: unknown;
}

const host = { relx };

/** Throws RELX_NO_SUCH_RELEASE, RELX_CHECKSUM_MISMATCH, RELX_WRONG_APP, RELX_BAD_RELEASE. */
export async function loadRelease(config: RelxConfig, vsn: string): Promise<LoadedRelease> {
  const dir = releaseDir(config, vsn);
  const manifest = await verifyRelease(dir, config.name);
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

/** The server a release defines under `name`; RELX_BAD_RELEASE when it has none. */
export function serverOf(release: LoadedRelease, name: string): ServerDef {
  const def = release.servers.get(name);
  if (def) return def;
  throw new RelxError("RELX_BAD_RELEASE", `release ${release.manifest.vsn} has no server ${name}`, {
    hint: "its boot spec names a server it does not contain; rebuild it with relx build",
  });
}
