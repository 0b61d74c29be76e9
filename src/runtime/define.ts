/** defineServer / defineApp: identity functions that only add types (SPEC §2, §3). */
import type { AppConfigKey, AppSpec, RestartPolicy, ServerDef } from "./types.js";

export const RESTART_POLICIES: readonly RestartPolicy[] = ["permanent", "transient", "temporary"];

export function defineServer<S>(def: ServerDef<S>): ServerDef<S> {
  return def;
}

export function defineApp<const C extends Record<string, AppConfigKey> = {}>(spec: AppSpec<C>): AppSpec<C> {
  return spec;
}

/** True when `value` looks like a server definition: an object with a string name and an init. */
export function isServerDef(value: unknown): value is ServerDef {
  if (value === null || typeof value !== "object") return false;
  const def = value as Record<string, unknown>;
  return typeof def.name === "string" && typeof def.init === "function";
}
