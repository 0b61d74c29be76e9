/**
 * The read-ahead worker thread (manifest-reader.ts starts it): reads one release.json at a time,
 * parsed and checked in full by the same readManifest as every other read, and posts back the
 * file's identity (taken before the read), how long the read took, and what a node keeps of the
 * manifest (loadedManifest: no plans, no boot args), or the error's message. Nothing else runs here.
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import { textOf } from "../../errors.js";
import { fileIdentity } from "../../release/store/file-identity.js";
import type { FromReadWorker, ToReadWorker } from "./manifest-reader.js";
import { readLoadedManifest } from "../../release/store/built-manifest.js";
// readManifest imports the schema lazily; here it is loaded at once, while nothing waits for it.
import "../../release/store/manifest-schema.js";

const port = parentPort!;

// The daemon sends the next read once this one is answered: one parsed release.json at a time.
port.on("message", (m: ToReadWorker) => void readOne(m));

async function readOne({ id, dir, built }: ToReadWorker): Promise<void> {
  const t0 = performance.now();
  const identity = await fileIdentity(join(dir, "release.json"));
  let reply: FromReadWorker;
  try {
    // What the build of this very file left, when it did (built-manifest.ts): no parse then.
    const read = await readLoadedManifest(dir, identity, built);
    reply = { id, identity, manifest: read.manifest, ms: performance.now() - t0, ...(read.built ? { built: true } : {}) };
  } catch (err) {
    reply = { id, identity, error: textOf(err), ms: performance.now() - t0 };
  }
  port.postMessage(reply);
}
