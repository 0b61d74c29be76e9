/**
 * The read-ahead worker, from the daemon's side: at most one worker thread, which reads and checks
 * release.json files (read-worker.ts), one at a time, so that parsing megabytes never stalls the
 * daemon's event loop. It never keeps the daemon alive (unref), and read() never rejects:
 * whatever goes wrong (a failed read, the worker's crash, close) is an answer without a manifest,
 * and the caller reads the file itself.
 *
 * | worker  | entered by                                    | next                            |
 * |---------|-----------------------------------------------|---------------------------------|
 * | none    | createManifestReader; idle; exit, crash       | running on read() or warm()     |
 * | running | read() or warm() with none                    | none after IDLE_MS with no read |
 * |         |                                               | none on exit, crash, or close() |
 * | closed  | close() (the daemon stops)                    | (read() answers without one)    |
 */
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { LoadedManifest } from "../../release/manifest.js";
import type { FileIdentity } from "../../release/store/file-identity.js";

/** dist/'s worker, also when this module runs from src/ (the tests): the worker runs compiled code. */
export const READ_WORKER = new URL("../../../dist/daemon/read-ahead/read-worker.js", import.meta.url);

/** A worker with nothing to read for this long ends; the next read (or staged release) starts one. */
export const IDLE_MS = 30_000;

export interface ToReadWorker {
  id: number;
  /** The release directory whose release.json to read. */
  dir: string;
  /** Where builds leave what the node keeps of their manifests (built-manifest.ts), when there is such a place. */
  built?: string;
}

/** `ms`: the read's own time in the worker (stat, read, parse, checks), not its wait in the queue. */
export type FromReadWorker =
  | { id: number; identity: FileIdentity | null; manifest: LoadedManifest; ms: number; built?: boolean }
  | { id: number; identity: FileIdentity | null; error: string; ms: number };

/** What a read gave: the file's identity before it was read (null: unknown), the manifest or why not, and how long it took. */
export type ReadResult =
  | { identity: FileIdentity | null; manifest: LoadedManifest; ms: number; built?: boolean }
  | { identity: FileIdentity | null; manifest: null; error: string; ms: number };

export interface ManifestReader {
  /** Reads are done one at a time, in the order asked (or hurried). */
  read(dir: string): Promise<ReadResult>;
  /** A read of `dir` still waiting its turn goes first: someone waits for it. */
  hurry(dir: string): void;
  /** Starts the worker if none runs, so that the next read finds it ready. */
  warm(): void;
  close(): void;
}

export interface ReaderOptions {
  log(line: string): void;
  /** Where builds leave what the node keeps of their manifests (built-manifest.ts). */
  built?: string;
  /** The worker's module; READ_WORKER unless a test gives another. */
  worker?: URL;
}

export function createManifestReader(options: ReaderOptions): ManifestReader {
  const file = options.worker ?? READ_WORKER;
  const pending = new Map<number, { resolve(r: ReadResult): void; t0: number }>();
  /** Asked for, not yet handed to the worker: it has one read at a time, so a hurried one can go first. */
  const queue: ToReadWorker[] = [];
  let posted = false;
  let worker: Worker | null = null;
  let idle: ReturnType<typeof setTimeout> | undefined;
  let nextId = 1;
  let closed = false;

  /** Every read in flight answered without a manifest, and the worker (if any) ended. */
  const fail = (why: string): void => {
    const w = worker;
    worker = null;
    queue.length = 0;
    posted = false;
    clearTimeout(idle);
    if (w !== null) void w.terminate();
    for (const [id, p] of pending) {
      pending.delete(id);
      p.resolve({ identity: null, manifest: null, error: why, ms: performance.now() - p.t0 });
    }
  };
  const start = (): Worker => {
    clearTimeout(idle);
    if (worker !== null) return worker;
    // No inherited execArgv: the daemon's own flags (a test runner's loader, say) need not suit it.
    const w = new Worker(file, { execArgv: [] });
    w.unref();
    w.on("message", (m: FromReadWorker) => {
      const p = pending.get(m.id);
      if (p === undefined) return;
      pending.delete(m.id);
      const { identity, ms } = m;
      p.resolve("manifest" in m ? { identity, manifest: m.manifest, ms, built: m.built === true } : { identity, manifest: null, error: m.error, ms });
      posted = false;
      if (pending.size === 0) idle = setTimeout(() => worker === w && fail("idle"), IDLE_MS).unref();
      else post();
    });
    w.on("error", (err) => {
      if (worker !== w) return;
      options.log(`the read-ahead worker failed (upgrades read release.json themselves): ${err.stack ?? err.message}`);
      fail(`the read-ahead worker failed: ${err.message}`);
    });
    w.on("messageerror", (err) => worker === w && fail(`the read-ahead worker's answer could not be read: ${err.message}`));
    w.on("exit", (code) => {
      if (worker !== w) return;
      options.log(`the read-ahead worker exited with code ${code} (upgrades read release.json themselves)`);
      fail(`the read-ahead worker exited with code ${code}`);
    });
    worker = w;
    return w;
  };
  /** The next read in the queue to the worker, unless it has one. */
  const post = (): void => {
    if (posted || queue.length === 0) return;
    const next = queue.shift()!;
    posted = true;
    try {
      start().postMessage(next);
    } catch (err) {
      fail(`the read-ahead worker could not start: ${fileURLToPath(file)}: ${(err as Error).message}`);
    }
  };

  return {
    read(dir) {
      const t0 = performance.now();
      if (closed) return Promise.resolve({ identity: null, manifest: null, error: "the daemon is stopping", ms: 0 });
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, { resolve, t0 });
        queue.push({ id, dir, ...(options.built === undefined ? {} : { built: options.built }) });
        post();
      });
    },
    hurry(dir) {
      const at = queue.findIndex((q) => q.dir === dir);
      if (at > 0) queue.unshift(...queue.splice(at, 1));
    },
    warm() {
      if (closed || worker !== null) return;
      try {
        start();
        idle = setTimeout(() => pending.size === 0 && fail("idle"), IDLE_MS).unref();
      } catch {
        // the next read says why
      }
    },
    close() {
      closed = true;
      fail("the daemon is stopping");
    },
  };
}
