/**
 * One process's check, inside the worker: the state (recorded, or the old code's init), the new
 * code's codeChange up, then down, then the round trip compared as JSON renderings. Every callback
 * is bounded: a promise that does not settle within timeoutMs fails its step here; a callback that
 * blocks the thread is seen on the ProgressBoard and cut off by the main thread (runner.ts).
 * A task whose callbacks all return plainly runs without a single await: 10,000 take milliseconds.
 */
import type { LoadedRelease } from "../release/load-release.js";
import { copyState } from "../runtime/copy-state.js";
import { isThenable } from "../runtime/message.js";
import { renderValue, type Rendered } from "../runtime/render.js";
import type { Ctx, OldVsn, ServerDef } from "../runtime/types.js";
import { CheckCtx } from "./check-ctx.js";
import { isNullError, nullPath, track } from "./locate-null.js";
import { codeChangeFailed, initFailed } from "./messages.js";
import type { ProgressBoard, Stage } from "./progress-board.js";
import { sameJson } from "./same-json.js";
import type { CheckStep, CheckTask, TaskResult } from "./types.js";

export interface TaskEnv {
  to: LoadedRelease;
  /** Loaded when the tasks start from init, with each boot process's args as its boot spec gives them. */
  from: LoadedRelease | undefined;
  bootArgs: Map<string, unknown>;
  extra: unknown;
  timeoutMs: number;
  board: ProgressBoard;
}

type Sync<T> = T | Promise<T>;
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
type StepOutcome = { ok: true; value: unknown } | { ok: false; step: CheckStep };

const OK: CheckStep = { ok: true };

/** `fn(value)`, at once when `value` is no promise. */
function andThen<T, U>(value: Sync<T>, fn: (v: T) => Sync<U>): Sync<U> {
  return isThenable(value) ? (value as Promise<T>).then(fn) : fn(value as T);
}

export function runTask(task: CheckTask, index: number, env: TaskEnv): Sync<TaskResult> {
  const ctx = new CheckCtx(task.pid, index);
  const source = task.source;
  const start: Sync<StepOutcome> = source.kind === "init" ? runInit(task, { index, env, ctx }) : { ok: true, value: source.state };
  return andThen(start, (init) => {
    if (!init.ok) return { index, up: init.step };
    const state = init.value;
    const def = env.to.servers.get(task.server)!;
    // Spelled out, not spread from one object: a spread here made the task loop five times slower.
    return andThen(runCodeChange(def, task, { index, env, ctx, stage: "up", oldVsn: task.fromVsn, state }), (up) => {
      if (!up.ok) return { index, up: up.step };
      return andThen(runCodeChange(def, task, { index, env, ctx, stage: "down", oldVsn: { down: task.fromVsn }, state: up.value }), (down) => {
        if (!down.ok) return { index, up: OK, down: down.step };
        // A recorded state is JSON already, so it is its own rendering.
        const before: Rendered = source.kind === "state" ? (state as Rendered) : renderValue(state);
        return { index, up: OK, down: OK, roundTrip: sameJson(renderValue(down.value), before) };
      });
    });
  });
}

interface Call {
  index: number;
  env: TaskEnv;
  ctx: Ctx;
}

/** The old code's init(args), as the old release's boot would run it. */
function runInit(task: CheckTask, call: Call): Sync<StepOutcome> {
  const { index, env, ctx } = call;
  const def = env.from!.servers.get(task.server)!;
  const args = env.bootArgs.get(task.name);
  return andThen(bounded(env, index, "init", () => def.init(args, ctx)), (r): StepOutcome => {
    if (r.ok) return r;
    return { ok: false, step: initFailed(task.server, task.name, env.from!.manifest.vsn, describeError(r.error)) };
  });
}

interface ChangeCall extends Call {
  stage: Stage;
  oldVsn: OldVsn;
  state: unknown;
}

/** codeChange on a copy of the state (as the runtime gives it one); no codeChange keeps the state. */
function runCodeChange(def: ServerDef, task: CheckTask, call: ChangeCall): Sync<StepOutcome> {
  const { index, stage, oldVsn, state, env, ctx } = call;
  const fn = def.codeChange;
  if (fn === undefined) return { ok: true, value: state };
  const run = (input: unknown) => bounded(env, index, stage, () => fn.call(def, oldVsn, input, env.extra, ctx));
  return andThen(run(copyState(state)), (r) => {
    if (r.ok && (r.value !== undefined || state === undefined)) return r;
    const error = r.ok ? new Error("codeChange returned undefined; return the new state") : r.error;
    return andThen(locate(error, state, run), (where): StepOutcome => ({
      ok: false,
      step: codeChangeFailed(def.name, oldVsn, task.name, describeError(error) + where),
    }));
  });
}

/** For a TypeError about null: " (at <path>, …)" from a second run on a tracked copy of the state; else "". */
function locate(error: unknown, state: unknown, run: (input: unknown) => Sync<Outcome>): Sync<string> {
  if (!isNullError(error)) return "";
  const tracked = track(copyState(state));
  return andThen(run(tracked.value), (again) => nullPath(error, again.ok ? undefined : again.error, tracked.last()));
}

/** Calls `fn` with the board telling the main thread; an async result is bounded by timeoutMs. */
function bounded(env: TaskEnv, index: number, stage: Stage, fn: () => unknown): Sync<Outcome> {
  env.board.begin(index, stage);
  let r: unknown;
  try {
    r = fn();
  } catch (error) {
    return { ok: false, error };
  }
  if (!isThenable(r)) return { ok: true, value: r };
  env.board.awaiting();
  const ms = env.timeoutMs;
  return new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: new Error(`did not settle within ${ms} ms (codeChangeTimeoutMs)`) }), ms);
    Promise.resolve(r).then(
      (value) => (clearTimeout(timer), resolve({ ok: true, value })),
      (error) => (clearTimeout(timer), resolve({ ok: false, error })),
    );
  });
}

/** "TypeError: Cannot read …"; a plain Error is its message alone, as the runtime shows it. */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.name === "Error" || err.name === "RelxError" ? err.message : `${err.name}: ${err.message}`;
}
