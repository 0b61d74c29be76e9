/**
 * Runs a check's tasks in a worker thread, bounded. The worker bounds each promise itself
 * (codeChangeTimeoutMs); what it cannot bound, a callback that blocks its thread, the main thread
 * sees on the ProgressBoard and cuts off by terminating the worker. That task gets the error, and a
 * fresh worker (releases loaded again) takes the tasks that have no result yet. A worker that dies
 * mid-task (out of memory, process.exit) is handled the same way.
 *
 * | worker  | entered by                   | next                                                  |
 * |---------|------------------------------|-------------------------------------------------------|
 * | loading | spawned                      | ready → running; load-failed/exit/30 s → the error    |
 * | running | the batch posted             | done → ended; blocked past the deadline → cut; exit → |
 * |         |                              | died (both: that task fails, the rest go to a new one)|
 * | ended   | terminated                   | —                                                     |
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { RelxError } from "../errors.js";
import { codeChangeFailed, initFailed } from "./messages.js";
import { ProgressBoard, type Progress } from "./progress-board.js";
import type { BootEntry, CheckTask, FromWorker, TaskResult, WorkerInit } from "./types.js";

/** Both layouts (src/check under vitest, dist/check when installed) sit two levels below the package. */
const WORKER = new URL("../../dist/check/worker.js", import.meta.url);
const LOAD_TIMEOUT_MS = 30_000;

export type RunnerInit = Omit<WorkerInit, "board">;

export interface CheckRunner {
  /** Each task's result, in order. Throws what loading the releases throws (RELX_BAD_RELEASE, RELX_CHECKSUM_MISMATCH, …). */
  run(tasks: CheckTask[], extra: unknown): Promise<TaskResult[]>;
  /** The old release's boot processes as its boot spec evaluates in the worker (a check from init). */
  bootProcesses(): Promise<BootEntry[]>;
  /** Ends the worker still waiting, if any. */
  close(): Promise<void>;
}

interface Spawned {
  worker: Worker;
  board: ProgressBoard;
  boot: BootEntry[];
}

/**
 * Starts the first worker at once, so that it loads the releases while the caller reads the states
 * and plans; `run` uses it, and a fresh one after each cut.
 */
export function startRunner(init: RunnerInit): CheckRunner {
  let spare: Promise<Spawned> | undefined = spawn(init);
  // Surfaced by run(); a check that fails before it must not leave the rejection unhandled.
  spare.catch(() => undefined);
  const take = (): Promise<Spawned> => {
    const next = spare ?? spawn(init);
    spare = undefined;
    return next;
  };
  return {
    async bootProcesses() {
      spare ??= spawn(init);
      return (await spare).boot;
    },
    async run(tasks, extra) {
      const results: (TaskResult | undefined)[] = new Array(tasks.length);
      let remaining = tasks.map((_, i) => i);
      while (remaining.length > 0) {
        const batch = remaining;
        const spawned = await take();
        const outcome = await runOn(spawned, batch.map((i) => tasks[i]!), { extra, timeoutMs: init.timeoutMs }).finally(() => dismiss(spawned));
        for (const r of outcome.results) {
          r.index = batch[r.index]!;
          results[r.index] = r;
        }
        if (outcome.cut !== undefined) {
          const i = batch[outcome.cut.progress.index]!;
          results[i] = cutResult(tasks[i]!, i, outcome.cut, init);
        }
        remaining = batch.filter((i) => results[i] === undefined);
        if (remaining.length === batch.length) throw noProgress();
      }
      return results as TaskResult[];
    },
    async close() {
      const left = spare;
      spare = undefined;
      await left?.then(dismiss, () => undefined);
    },
  };
}

interface Cut {
  progress: Progress;
  /** Why, when the worker died rather than being cut off past the deadline. */
  died?: string;
}

interface BatchOutcome {
  results: TaskResult[];
  cut?: Cut;
}

/**
 * Ends the worker; resolves once it has exited. Waited for, though it takes tens of ms: what user
 * code printed reaches this thread on a port of its own, which Node drains only as the worker
 * exits, so a "done" that came first, and a check that returned at once, lost the last lines.
 */
function dismiss(spawned: Spawned): Promise<void> {
  return spawned.worker.terminate().then(() => undefined, () => undefined);
}

/** A worker that has loaded the releases. Rejects (the worker ended) when it could not. */
function spawn(init: RunnerInit): Promise<Spawned> {
  if (!existsSync(WORKER)) {
    return Promise.reject(new RelxError("RELX_BUG", `check-upgrade's worker ${fileURLToPath(WORKER)} is missing`, {
      hint: "relx is not built: run `npm run build` in its checkout, or reinstall it",
    }));
  }
  const board = new ProgressBoard();
  // No inherited execArgv: the caller's (a test runner's loader, --input-type) need not suit a worker.
  const worker = new Worker(WORKER, { workerData: { ...init, board: board.buffer }, execArgv: [], stdout: true, stderr: true });
  // What user code prints goes to stderr, never into the report on stdout.
  worker.stdout.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  worker.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  return new Promise<Spawned>((resolve, reject) => {
    const timer = setTimeout(() => done(loadFailed(init, `it did not load within ${LOAD_TIMEOUT_MS / 1000} s (top-level code that never returns?)`)), LOAD_TIMEOUT_MS);
    const done = (err?: RelxError, boot: BootEntry[] = []) => {
      clearTimeout(timer);
      worker.off("message", onMessage).off("error", onError).off("exit", onExit);
      if (err === undefined) return resolve({ worker, board, boot });
      void worker.terminate();
      reject(err);
    };
    const onMessage = (m: FromWorker) => {
      if (m.type === "ready") done(undefined, m.boot);
      else if (m.type === "load-failed") done(RelxError.fromWire(m.error));
    };
    const onError = (err: Error) => done(loadFailed(init, err.message));
    const onExit = (code: number) => done(loadFailed(init, `its worker exited with code ${code}`));
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
  });
}

/** Runs `tasks` on the worker until it is done, is cut off past a deadline, or dies. */
function runOn(spawned: Spawned, tasks: CheckTask[], options: { extra: unknown; timeoutMs: number }): Promise<BatchOutcome> {
  const { worker, board } = spawned;
  const { timeoutMs } = options;
  const results: TaskResult[] = [];
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const end = (cut?: Cut, bug?: RelxError) => {
      clearTimeout(timer);
      worker.removeAllListeners("message").removeAllListeners("exit").removeAllListeners("error");
      if (bug === undefined) resolve({ results, cut });
      else reject(bug);
    };
    worker.on("message", (m: FromWorker) => {
      if (m.type === "results") results.push(...(JSON.parse(m.results) as TaskResult[]));
      else if (m.type === "done") end();
      else if (m.type === "bug") end(undefined, new RelxError("RELX_BUG", `check-upgrade's worker failed: ${m.message}`, { hint: "this is a bug in relx; please report it with the release" }));
    });
    const died = (why: string) => {
      const progress = board.read();
      end(progress.stage === "idle" ? undefined : { progress, died: why });
    };
    worker.on("error", (err: Error) => died(err.message));
    worker.on("exit", (code: number) => died(`it exited with code ${code}`));
    const grace = Math.min(timeoutMs, 1000);
    const watch = () => {
      const progress = board.read();
      if (progress.stage === "idle") return void (timer = setTimeout(watch, timeoutMs));
      // A pending promise is the worker's own to time out; past a grace it is blocked after an await.
      const left = progress.startedAt + timeoutMs + (progress.awaiting ? grace : 0) - Date.now();
      if (left <= 0) return end({ progress });
      timer = setTimeout(watch, left + 1);
    };
    timer = setTimeout(watch, timeoutMs);
    worker.postMessage({ type: "run", tasks: JSON.stringify(tasks), extra: options.extra });
  });
}

/** The result of the task the main thread cut off, or that was running when the worker died. */
function cutResult(task: CheckTask, index: number, cut: Cut, init: RunnerInit): TaskResult {
  const { stage, awaiting } = cut.progress;
  const ms = init.timeoutMs;
  const why = cut.died !== undefined
    ? `the check's worker died while it ran (${cut.died})`
    : awaiting
      ? `did not settle within ${ms} ms and blocks its thread (a loop after an await?); the check cut it off`
      : `did not return within ${ms} ms: it blocks its thread (a synchronous loop?); the check cut it off`;
  if (stage === "init") return { index, up: initFailed(task.server, task.name, init.from, why) };
  if (stage === "up") return { index, up: codeChangeFailed(task.server, task.fromVsn, task.name, why) };
  return { index, up: { ok: true }, down: codeChangeFailed(task.server, { down: task.fromVsn }, task.name, why) };
}

function loadFailed(init: RunnerInit, why: string): RelxError {
  const which = init.loadFrom ? `releases ${init.from} and ${init.to}` : `release ${init.to}`;
  return new RelxError("RELX_BAD_RELEASE", `check-upgrade could not load the code of ${which}: ${why}`, {
    hint: "fix the module it names and build a new release with `relx build`; a damaged release can be reinstalled with `relx unpack`",
  });
}

function noProgress(): RelxError {
  return new RelxError("RELX_BUG", "check-upgrade's worker stopped between tasks and made no progress", {
    hint: "this is a bug in relx; please report it with the release",
  });
}
