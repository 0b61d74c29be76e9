/**
 * The check's worker thread: loads the releases (checksums verified, each server module evaluated
 * as the daemon evaluates it; for a check from init, the old release's boot spec evaluated with the
 * app's config resolved from this environment, as a daemon here would), then runs the batches of tasks it is sent, one task at a time, and
 * posts their results in chunks. User code runs only here, so a callback that blocks this thread
 * can be cut off by terminating it (runner.ts) and nothing of it reaches the caller's process.
 */
import { parentPort, workerData } from "node:worker_threads";
import { RelxError, toRelxError } from "../errors.js";
import type { RunningApp } from "../daemon/app-runtime.js";
import { loadRelease, type LoadedRelease } from "../release/load-release.js";
import { isThenable } from "../runtime/message.js";
import { ProgressBoard } from "./progress-board.js";
import { runTask, type TaskEnv } from "./run-task.js";
import type { BootEntry, CheckTask, FromWorker, TaskResult, ToWorker, WorkerInit } from "./types.js";

/** Results are posted every CHUNK tasks, or FLUSH_MS after the last post: few messages, little lost to a kill. */
const CHUNK = 512;
const FLUSH_MS = 20;

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (message: FromWorker): void => port.postMessage(message);

// A stray rejection or throw from user code (a timer it set, a promise it dropped) belongs to no
// step: it must not end the worker, and it cannot be attributed.
process.on("unhandledRejection", () => undefined);
process.on("uncaughtException", () => undefined);

async function main(): Promise<void> {
  let env: TaskEnv;
  let boot: BootEntry[] = [];
  try {
    const to = await loadRelease(init.config, init.to);
    const from = init.loadFrom ? await loadRelease(init.config, init.from) : undefined;
    const processes = from === undefined ? [] : (await bootSpecOf(from)).processes;
    boot = processes.map((p) => ({ name: p.name, server: p.server }));
    const bootArgs = new Map(processes.map((p) => [p.name, p.args]));
    env = { to, from, bootArgs, extra: null, timeoutMs: init.timeoutMs, board: new ProgressBoard(init.board) };
  } catch (err) {
    const { code, message, hint } = toRelxError(err).toWire();
    post({ type: "load-failed", error: { code, message, ...(hint === undefined ? {} : { hint }) } });
    return;
  }
  port.on("message", (message: ToWorker) => {
    runBatch(message, env).catch((err: unknown) => post({ type: "bug", message: err instanceof Error ? err.stack ?? err.message : String(err) }));
  });
  post({ type: "ready", boot });
}

/** The old release's boot spec, evaluated as a daemon here would (loaded only for a check from init). */
async function bootSpecOf(from: LoadedRelease): Promise<RunningApp> {
  const { evaluateBootSpec } = await import("../daemon/app-runtime.js");
  return evaluateBootSpec(from, init.config.envFile).catch(forTheCheck);
}

/** A config value the boot spec needs and this environment lacks: say how to give it here. */
function forTheCheck(err: unknown): never {
  const e = toRelxError(err);
  if (e.code !== "RELX_BAD_APP_CONFIG") throw e;
  throw new RelxError(e.code, `${e.message} (the old release's boot spec, evaluated for check-upgrade without --states)`, {
    cause: e,
    hint: "set it in check-upgrade's environment (or the envFile of relx.config.json), or check states recorded on a node with --states",
  });
}

async function runBatch(message: ToWorker, env: TaskEnv): Promise<void> {
  const batchEnv = { ...env, extra: message.extra };
  const tasks = JSON.parse(message.tasks) as CheckTask[];
  let pending: TaskResult[] = [];
  let postedAt = Date.now();
  const flush = () => {
    post({ type: "results", results: JSON.stringify(pending) });
    pending = [];
    postedAt = Date.now();
  };
  for (let i = 0; i < tasks.length; i++) {
    const r = runTask(tasks[i]!, i, batchEnv);
    pending.push(isThenable(r) ? await r : r);
    if (pending.length >= CHUNK || Date.now() - postedAt >= FLUSH_MS) flush();
  }
  env.board.idle();
  if (pending.length > 0) flush();
  post({ type: "done" });
}

void main();
