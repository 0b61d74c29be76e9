/**
 * resolveServers: each server's effective vsn, checked against the previous release (the highest
 * release below this one in releases/), SPEC §2.
 *
 * | declared vsn | code vs previous | effective vsn               | build            |
 * |--------------|------------------|-----------------------------|------------------|
 * | "2"          | any              | "2"                         | ok               |
 * | "1" (same)   | changed          | -                           | RELX_VSN_NOT_BUMPED |
 * | none         | same             | the previous effective vsn  | ok               |
 * | none         | changed or new   | this release's vsn          | ok               |
 * A changed server without codeChange is a warning: its state is kept as it is.
 */
import { RelxError } from "../../errors.js";
import type { Manifest, ServerEntry } from "../manifest.js";
import type { FoundServer } from "./discover.js";

export interface ResolvedServers {
  servers: ServerEntry[];
  warnings: string[];
}

/** Throws RELX_VSN_NOT_BUMPED naming the server and both vsns. */
export function resolveServers(found: FoundServer[], previous: Manifest | null, vsn: string): ResolvedServers {
  const before = new Map(previous?.servers.map((s) => [s.name, s]) ?? []);
  const warnings: string[] = [];
  const servers = found.map((server): ServerEntry => {
    const old = before.get(server.name);
    const changed = old !== undefined && old.sha256 !== server.sha256;
    if (changed && server.declaredVsn !== null && server.declaredVsn === old.vsn) {
      throw new RelxError(
        "RELX_VSN_NOT_BUMPED",
        `server "${server.name}" (${server.source}) changed since release ${previous!.vsn} (its own code or code it imports) but its vsn is still "${old.vsn}"`,
        { hint: `bump vsn in ${server.source} (and handle "${old.vsn}" in codeChange), then run relx build` },
      );
    }
    if (changed && !server.hasCodeChange) {
      warnings.push(`server "${server.name}" changed since release ${previous!.vsn} and has no codeChange: running processes keep their state as it is`);
    }
    const { name, declaredVsn, file, source, sha256, hasCodeChange } = server;
    return { name, vsn: effectiveVsn(server, old, vsn), declaredVsn, file, source, sha256, hasCodeChange };
  });
  return { servers, warnings };
}

function effectiveVsn(server: FoundServer, old: ServerEntry | undefined, vsn: string): string {
  if (server.declaredVsn !== null) return server.declaredVsn;
  if (old !== undefined && old.sha256 === server.sha256) return old.vsn;
  return vsn;
}
