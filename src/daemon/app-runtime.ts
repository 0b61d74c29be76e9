/**
 * The boot spec where the release runs: the env file read (again, every time), the app's config
 * resolved against it and the daemon's environment, `processes` evaluated with that config, and
 * the lifecycle hooks, each bounded by hookTimeoutMs. At every boot and in every upgrade preflight.
 */
import { readFile } from "node:fs/promises";
import dotenv from "dotenv";
import { RelxError, textOf } from "../errors.js";
import { resolveConfig, type ResolvedConfig } from "../release/app-config.js";
import { evaluateApp, type AppHooks, type HookName } from "../release/app-spec.js";
import type { BootProcess } from "../release/manifest.js";
import type { LoadedRelease } from "../release/load-release.js";

/** A release's boot spec as evaluated for this node. */
export interface RunningApp {
  /** The boot processes with their args, as evaluated now. */
  processes: BootProcess[];
  config: ResolvedConfig;
  hooks: AppHooks;
}

/** Throws RELX_BAD_APP_CONFIG (an unset or malformed value, an unreadable env file), RELX_BAD_BOOT_SPEC. */
export async function evaluateBootSpec(release: LoadedRelease, envFile: string | null): Promise<RunningApp> {
  const file = await readEnvFile(envFile);
  const fileName = envFile ?? undefined;
  let config: ResolvedConfig = { values: {}, entries: [] };
  const evaluated = evaluateApp(release.app, {
    source: release.manifest.app.source,
    servers: new Set(release.servers.keys()),
    uniqueNames: release.manifest.boot.names,
    config: (schema) => {
      config = resolveConfig(schema, { env: process.env, file, fileName });
      return config.values;
    },
  });
  if (config.entries.length === 0 && evaluated.schema.length > 0) {
    // `processes` is a list: the config is still resolved, so a missing value refuses the boot.
    config = resolveConfig(evaluated.schema, { env: process.env, file, fileName });
  }
  return { processes: evaluated.processes, config, hooks: evaluated.hooks };
}

async function readEnvFile(path: string | null): Promise<Record<string, string>> {
  if (path === null) return {};
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new RelxError("RELX_BAD_APP_CONFIG", `cannot read the env file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      cause: err,
      hint: "create it, or start the daemon with another --env-file (or fix \"envFile\" in relx.config.json)",
    });
  }
  return dotenv.parse(text);
}

/** The args of the boot process `name` as last evaluated; undefined when it has none. */
export function bootArgs(app: RunningApp, name: string): unknown {
  return app.processes.find((p) => p.name === name)?.args;
}

export interface HookRun {
  name: HookName;
  info: Record<string, unknown>;
  timeoutMs: number;
  log(line: string): void;
}

/** Runs the hook if the app has it, bounded by timeoutMs; false when it has none. Throws RELX_HOOK_FAILED. */
export async function runHook(app: RunningApp, run: HookRun): Promise<boolean> {
  const { name, info, timeoutMs: ms } = run;
  const hook = app.hooks[name];
  if (hook === undefined) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(() => hook(info)),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`it did not return within ${ms} ms`)), ms))),
    ]);
  } catch (err) {
    throw new RelxError("RELX_HOOK_FAILED", `the ${name} hook failed: ${textOf(err)}`, {
      cause: err,
      hint: `fix ${name} in the boot spec (hooks are bounded by hookTimeoutMs, ${ms} ms)`,
    });
  } finally {
    clearTimeout(timer);
  }
  run.log(`hook ${name} ran`);
  return true;
}
