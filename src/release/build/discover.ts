/**
 * discover: evaluates each compiled module once (with loadModule, as the daemon will) to find the
 * servers (default export with a string `name` and an `init` function) and the boot spec.
 */
import { join } from "node:path";
import { RelxError, describeValue } from "../../errors.js";
import { defineApp, defineServer, isServerDef } from "../../runtime/define.js";
import type { ServerDef } from "../../runtime/types.js";
import { placeholderConfig, recordSchema, type ConfigKey } from "../app-config.js";
import { evaluateApp, recordEnvReads } from "../app-spec.js";
import type { BootProcess } from "../manifest.js";
import type { CompiledModule } from "./compile.js";
import { compareBytes } from "../fs-util.js";
import { defaultExport, loadModule } from "../load-module.js";

export interface FoundServer {
  name: string;
  declaredVsn: string | null;
  hasCodeChange: boolean;
  file: string;
  source: string;
  sha256: string;
}

export interface Discovery {
  servers: FoundServer[];
  app: CompiledModule;
  /** The boot processes without their args: those are evaluated where the release runs. */
  boot: { processes: BootProcess[] };
  /** The app's config schema, as release.json records it. */
  config: ConfigKey[];
  /** Environment variables the boot spec read while it was evaluated here, at build time. */
  envReads: string[];
}

/** What the build's modules see as "relx": the definition helpers, enough to evaluate a module. */
const BUILD_HOST = { relx: { defineServer, defineApp } };

/**
 * Finds the servers and the boot spec among `modules`, already written under `releaseDir`.
 * Throws RELX_BUILD_FAILED (a module throws while loading, a bad vsn), RELX_DUPLICATE_SERVER,
 * RELX_BAD_BOOT_SPEC (missing or malformed boot spec, a process naming a missing server).
 */
export function discover(releaseDir: string, modules: CompiledModule[], appSource: string): Discovery {
  const servers: FoundServer[] = [];
  let app: { module: CompiledModule; spec: unknown; reads: string[] } | undefined;
  for (const module of modules) {
    if (module.source === appSource) {
      const { result, reads } = recordEnvReads(() => defaultExport(load(releaseDir, module)));
      app = { module, spec: result, reads };
      continue;
    }
    const value = defaultExport(load(releaseDir, module));
    if (isServerDef(value)) servers.push(toFound(value, module, servers));
  }
  if (!app) {
    throw new RelxError("RELX_BAD_BOOT_SPEC", `no boot spec: ${appSource} does not exist`, {
      hint: `create ${appSource} with export default defineApp({ processes: [...] }), or set "app" in relx.config.json`,
    });
  }
  const names = new Set(servers.map((s) => s.name));
  const spec = app.spec;
  const { result: evaluated, reads } = recordEnvReads(() => evaluateApp(spec, { source: appSource, servers: names, config: placeholderConfig }));
  const processes = evaluated.processes.map(({ args: _args, ...rest }) => rest);
  const envReads = [...new Set([...app.reads, ...reads])].sort();
  return {
    servers: servers.sort((a, b) => compareBytes(a.name, b.name)),
    app: app.module,
    boot: { processes },
    config: recordSchema(evaluated.schema),
    envReads,
  };
}

function load(releaseDir: string, module: CompiledModule): unknown {
  try {
    return loadModule(join(releaseDir, module.file), BUILD_HOST);
  } catch (err) {
    const why = (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
    throw new RelxError("RELX_BUILD_FAILED", `${module.source} fails when loaded: ${why}`, {
      cause: err,
      hint: "relx build evaluates every module once to find the servers; fix its top-level code and rebuild",
    });
  }
}

function toFound(def: ServerDef, module: CompiledModule, found: FoundServer[]): FoundServer {
  const name = def.name as string;
  // Refused by the read of release.json (a non-empty string): worded here, naming the module.
  if (name === "") {
    throw new RelxError("RELX_BUILD_FAILED", `${module.source}: a server's name is "", and release.json needs a non-empty one`, {
      hint: `give it a name in ${module.source}, e.g. name: "Counter" (a server's name is its identity across releases)`,
    });
  }
  const twin = found.find((s) => s.name === name);
  if (twin) {
    throw new RelxError("RELX_DUPLICATE_SERVER", `two servers are named "${name}": ${twin.source} and ${module.source}`, {
      hint: "server names are their identity across releases: rename one of them, then run relx build",
    });
  }
  const vsn: unknown = def.vsn;
  if (vsn !== undefined && typeof vsn !== "string") {
    throw new RelxError("RELX_BUILD_FAILED", `server "${name}" (${module.source}): vsn expected a string, got ${describeValue(vsn)}`, {
      hint: `write vsn: "${String(vsn)}" in ${module.source}`,
    });
  }
  if (vsn === "") {
    throw new RelxError("RELX_BUILD_FAILED", `server "${name}" (${module.source}): vsn expected a non-empty string, got ""`, {
      hint: `write a vsn such as vsn: "1" in ${module.source}, or leave vsn out (the server then takes the release's vsn when its code changes)`,
    });
  }
  return {
    name,
    declaredVsn: vsn ?? null,
    hasCodeChange: typeof def.codeChange === "function",
    file: module.file,
    source: module.source,
    sha256: module.sha256,
  };
}
