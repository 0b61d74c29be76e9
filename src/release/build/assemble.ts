/**
 * assembleRelease: writes one release's contents into a directory (the build's staging dir):
 * compiled lib/, then release.json. It writes nothing outside that directory: the caller commits it.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import semver from "semver";
import { RelxError } from "../../errors.js";
import { MANIFEST_FORMAT, type Manifest } from "../manifest.js";
import type { RelxConfig } from "../config.js";
import { compile, type CompiledModule } from "./compile.js";
import { createdAt } from "./created-at.js";
import { pathExists } from "../fs-util.js";
import { discover } from "./discover.js";
import { recordPlan } from "../plan.js";
import { manifestText } from "./manifest-text.js";
import { listReleaseVsns } from "../store/release-dirs.js";
import { resolveServers } from "./resolve-servers.js";
import { listSources, relPosix } from "./sources.js";
import { readManifest } from "../store/verify.js";
import { relxVersion } from "../relx-version.js";

export interface AssembleOptions {
  config: RelxConfig;
  vsn: string;
  /** Where the release's files go. */
  dir: string;
  typecheck: boolean;
  progress: (msg: string) => void;
}

/** Throws what compile, discover, resolveServers and typecheck throw. */
export async function assembleRelease(options: AssembleOptions): Promise<{ manifest: Manifest; warnings: string[] }> {
  const { config, vsn, dir, progress } = options;
  const { releasesDir, srcDir } = config;
  const app = relPosix(config.root, config.app);
  if (!(await pathExists(srcDir))) {
    throw new RelxError("RELX_BAD_CONFIG", `the app has no source directory: ${srcDir} does not exist`, {
      hint: 'put the app\'s modules under src/, or set "srcDir" in relx.config.json',
    });
  }
  if (relPosix(srcDir, config.app).startsWith("../")) {
    throw new RelxError("RELX_BAD_CONFIG", `the boot spec "${app}" is outside srcDir "${relPosix(config.root, srcDir)}"`, {
      hint: "move it under srcDir, or change \"app\" or \"srcDir\" in relx.config.json",
    });
  }
  const sources = await listSources(srcDir, [releasesDir]);
  if (options.typecheck) {
    progress(`type-checking ${sources.length} modules`);
    await (await import("./typecheck.js")).typecheck(config.root, sources);
  }
  progress(`compiling ${sources.length} modules`);
  const compiled = await compile(config.root, srcDir, sources);
  await writeModules(dir, compiled.modules);
  progress("finding servers and the boot spec");
  const found = discover(dir, compiled.modules, app);
  const older = await readOlder(releasesDir, vsn);
  const { servers, warnings } = resolveServers(found.servers, older.at(-1) ?? null, vsn);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    name: config.name,
    vsn,
    createdAt: await createdAt(config.root, compiled.inputs),
    node: config.nodeRange,
    app: { file: found.app.file, source: found.app.source, sha256: found.app.sha256 },
    boot: found.boot,
    config: found.config,
    relx: relxVersion(),
    servers,
    files: Object.fromEntries(compiled.modules.map((m) => [m.file, m.sha256])),
    plans: {},
  };
  for (const old of older) {
    manifest.plans[old.vsn] = { up: recordPlan(old, manifest, "up"), down: recordPlan(manifest, old, "down") };
  }
  await writeFile(join(dir, "release.json"), manifestText(manifest));
  const envWarnings = found.envReads.length === 0 ? [] : [
    `the boot spec read ${found.envReads.join(", ")} from the environment while relx build ran; the release does not carry such values: declare them in the boot spec's config and use processes(config), so they are read where the release runs`,
  ];
  return { manifest, warnings: [...compiled.warnings, ...warnings, ...envWarnings] };
}

async function writeModules(dir: string, modules: CompiledModule[]): Promise<void> {
  const dirs = new Set(modules.map((m) => dirname(join(dir, m.file))));
  for (const d of dirs) await mkdir(d, { recursive: true });
  await Promise.all(modules.map((m) => writeFile(join(dir, m.file), m.contents)));
}

/**
 * The manifests of the releases below `vsn` present in `releasesDir`, ascending. A malformed one
 * stops the build (RELX_BAD_RELEASE naming it): skipping it would silently change the effective
 * vsns, the plans and the tarball's bytes. The hint says how to remove it.
 */
async function readOlder(releasesDir: string, vsn: string): Promise<Manifest[]> {
  const vsns = (await listReleaseVsns(releasesDir)).filter((v) => semver.lt(v, vsn));
  return Promise.all(vsns.map((v) => readManifest(join(releasesDir, v)).catch((err) => {
    throw olderRelease(err, releasesDir, v, vsn);
  })));
}

function olderRelease(err: unknown, releasesDir: string, old: string, vsn: string): unknown {
  if (!(err instanceof RelxError) || err.code !== "RELX_BAD_RELEASE") return err;
  const dir = join(releasesDir, old);
  return new RelxError("RELX_BAD_RELEASE", `cannot build ${vsn}: older release ${old}, which the build plans upgrades from, is damaged: ${err.message}`, {
    cause: err,
    hint: `remove it (rm -r ${dir}; its RELEASES entry goes with it) or reinstall it with relx unpack, then run relx build again`,
  });
}
