/**
 * The shapes user code is written against (SPEC §2, §3): server definitions, the boot spec,
 * and the `ctx` every callback receives.
 */
import type { Pid } from "./pid.js";

export type RestartPolicy = "permanent" | "transient" | "temporary";

/** Where a message goes: a pid, or a registered name. */
export type Dest = Pid | string;

/** The caller of a call, as `handleCall` sees it; pass it to `ctx.reply` to answer later. */
export interface From {
  readonly pid: Pid | null;
  readonly ref: number;
}

/** The oldVsn `codeChange` receives: the vsn upgraded from, or `{ down }` on a downgrade. */
export type OldVsn = string | { down: string };

export type Awaitable<T> = T | Promise<T>;

export interface CallResult<S> {
  reply?: unknown;
  state: S;
}

export interface Ctx {
  /** This process's pid. */
  readonly self: Pid;
  call(to: Dest, msg: unknown, timeoutMs?: number): Promise<unknown>;
  cast(to: Dest, msg: unknown): void;
  /** Deliver to `to`'s handleInfo. */
  send(to: Dest, msg: unknown): void;
  reply(from: From, value: unknown): void;
  /** Send `msg` to this process's handleInfo after `ms`; cancelled when the process stops. */
  sendAfter(ms: number, msg: unknown): { cancel(): void };
  spawn(server: ServerDef<any>, args?: unknown, options?: SpawnOptions): Promise<Pid>;
  /** Stop this process once the current callback returns. */
  stop(reason?: unknown): void;
  /**
   * A function that delivers `{ tag, args: [...bound, ...args] }` to this process's handleInfo:
   * hand it to Node callbacks (emitters, sockets) so the newest code handles them, e.g.
   * `ws.on("message", ctx.bind("msg", id))`. After a crash it delivers nothing to the restarted process.
   */
  bind(tag: string, ...bound: unknown[]): (...args: unknown[]) => void;
  /**
   * Ties `resource` to this process and returns it: when the process exits or crashes (after
   * terminate, before a restart's init) relx calls its close(), else destroy(), else its dispose.
   */
  own<T>(resource: T): T;
  /** Watch `to`: when it ends for good (or is gone already) handleInfo gets `{ down: ref, pid, reason }`. */
  monitor(to: Dest): number;
  demonitor(ref: number): void;
}

export interface ServerDef<S = any> {
  name: string;
  vsn?: string;
  init(args: any, ctx: Ctx): Awaitable<S>;
  handleCall?(msg: any, from: From, state: S, ctx: Ctx): Awaitable<CallResult<S>>;
  handleCast?(msg: any, state: S, ctx: Ctx): Awaitable<S>;
  handleInfo?(msg: any, state: S, ctx: Ctx): Awaitable<S>;
  // On a downgrade it returns the older code's state shape, so its result is not typed as S.
  codeChange?(oldVsn: OldVsn, state: any, extra: unknown, ctx: Ctx): Awaitable<any>;
  terminate?(reason: unknown, state: S, ctx: Ctx): Awaitable<void>;
}

export interface SpawnOptions {
  /** Register the process under this name. */
  name?: string;
  restart?: RestartPolicy;
}

export interface BootProcessSpec {
  name: string;
  server: string;
  args?: unknown;
  restart?: RestartPolicy;
}

/** The type of a key of the app's runtime config: how its variable's text is parsed. */
export type AppConfigType = "string" | "number" | "boolean" | "json";

/** A key of the app's declared runtime config: read from `env` where the node runs. */
export interface AppConfigKey {
  env: string;
  type: AppConfigType;
  /** Used when the variable is unset or empty; without one the key is required. */
  default?: unknown;
  /** Never printed or logged by relx (`relx config` shows "[sensitive]"). */
  sensitive?: boolean;
}

/** What `processes(config)` receives for a declared config: each key's value, parsed by its type. */
export type AppConfigValues<C extends Record<string, AppConfigKey>> = {
  [K in keyof C]: C[K]["type"] extends "string" ? string
    : C[K]["type"] extends "number" ? number
    : C[K]["type"] extends "boolean" ? boolean
    : any;
};

/** What `beforeUpgrade` and `afterUpgrade` receive. */
export interface UpgradeHookInfo {
  from: string;
  to: string;
  direction: "up" | "down";
}

/** Lifecycle hooks of the boot spec; each may be async and is bounded by `hookTimeoutMs`. */
export interface AppHooks {
  /** Before anything is touched; a throw fails the upgrade (RELX_HOOK_FAILED). */
  beforeUpgrade?(info: UpgradeHookInfo): unknown;
  /** After the resume; a failure is logged and reported as `hookError`, not rolled back. */
  afterUpgrade?(info: UpgradeHookInfo): unknown;
  /** Once the node is up; a failure is logged and the node runs on (`relx start` succeeds). */
  afterStart?(info: { vsn: string }): unknown;
  /** Before the processes terminate; a failure is logged and the node stops all the same. */
  beforeStop?(info: { vsn: string }): unknown;
}

export interface AppSpec<C extends Record<string, AppConfigKey> = Record<string, AppConfigKey>> {
  /** The app's runtime config, resolved where the node runs (at boot and every upgrade). */
  config?: C;
  /** The boot processes, or a function of the resolved config that returns them. */
  processes: BootProcessSpec[] | ((config: AppConfigValues<C>) => BootProcessSpec[]);
  hooks?: AppHooks;
}

export type ProcessStatus = "running" | "suspended" | "down";

export interface ProcessInfo {
  pid: Pid;
  name: string | null;
  server: string;
  vsn: string | null;
  status: ProcessStatus;
  queue: number;
  handled: number;
  restarts: number;
}
