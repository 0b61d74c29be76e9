/**
 * The check's worker thread: loads the releases (checksums verified, each server module evaluated
 * as the daemon evaluates it), then runs the batches of tasks it is sent, one task at a time, and
 * posts their results in chunks. User code runs only here, so a callback that blocks this thread
 * can be cut off by terminating it (runner.ts) and nothing of it reaches the caller's process.
 */
import { parentPort, workerData } from "node:worker_threads";
import { toRelxError } from "../errors.js";
import { loadRelease } from "../release/load-release.js";
import { isThenable } from "../runtime/message.js";
import { ProgressBoard } from "./progress-board.js";
import { runTask, type TaskEnv } from "./run-task.js";
import type { CheckTask, FromWorker, TaskResult, ToWorker, WorkerInit } from "./types.js";

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
  try {
    const to = await loadRelease(init.config, init.to);
    const from = init.loadFrom ? await loadRelease(init.config, init.from) : undefined;
    env = { to, from, extra: null, timeoutMs: init.timeoutMs, board: new ProgressBoard(init.board) };
  } catch (err) {
    const { code, message, hint } = toRelxError(err).toWire();
    post({ type: "load-failed", error: { code, message, ...(hint === undefined ? {} : { hint }) } });
    return;
  }
  port.on("message", (message: ToWorker) => void runBatch(message, env));
  post({ type: "ready" });
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
