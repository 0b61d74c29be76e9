// Shared by the daemon benchmarks: temp apps driven through the real bin/relx, and a socket load
// generator with per-call latencies. The fixture apps are test/fixtures/apps.mjs, as the tests'.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { now } from "./lib.mjs";

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), "..", "bin", "relx");

/** A short temp root (a Unix socket path must stay under ~107 bytes). */
export function tempRoot(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs `relx <args> --root root`; resolves { code, stdout, stderr }, never rejects. */
export function relx(root, args, env = {}) {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args, "--root", root], { env: { ...process.env, ...env }, maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `relx <args> --json`, parsed; throws with the output when the command failed. */
export async function relxJson(root, args, env) {
  const r = await relx(root, [...args, "--json"], env);
  if (r.code !== 0) throw new Error(`relx ${args.join(" ")} exited ${r.code}: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Stops the daemon (if any) and removes the root. */
export async function cleanUp(root) {
  await relx(root, ["stop"]);
  rmSync(root, { recursive: true, force: true });
}

/** The daemon's resident set (kB) from /proc, or null where there is no /proc. */
export function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
  } catch {
    return null;
  }
}

/**
 * `clients` connections to `socket`, each keeping `inFlight` calls pipelined until stop(). Every
 * answer is matched by id; latencies (ms, from write to answer) are kept with their send time.
 */
export async function startLoad({ socket, process: name, msg, clients, inFlight }) {
  const tally = { sent: 0, ok: 0, failed: 0, duplicates: 0, strays: 0, lost: 0, sentAt: [], latency: [], results: [] };
  const conns = await Promise.all(Array.from({ length: clients }, (_, i) => connect(i)));
  function connect(index) {
    const pending = new Map();
    const seen = new Set();
    let nextId = index * 1e9;
    let stopping = false;
    let settle = () => undefined;
    const sock = net.createConnection(socket);
    sock.setEncoding("utf8");
    const batch = (count) => {
      let out = "";
      const t = now();
      for (let i = 0; i < count; i++) {
        const id = ++nextId;
        pending.set(id, t);
        tally.sent++;
        out += JSON.stringify({ id, op: "call", process: name, msg }) + "\n";
      }
      return out;
    };
    let buf = "";
    sock.on("data", (chunk) => {
      buf += chunk;
      const lines = buf.split("\n");
      buf = lines.pop();
      const t = now();
      let more = 0;
      for (const line of lines) {
        if (line === "") continue;
        const a = JSON.parse(line);
        const sentAt = pending.get(a.id);
        if (sentAt === undefined) {
          if (seen.has(a.id)) tally.duplicates++;
          else tally.strays++;
          continue;
        }
        pending.delete(a.id);
        seen.add(a.id);
        tally.sentAt.push(sentAt);
        tally.latency.push(t - sentAt);
        if (a.ok) {
          tally.ok++;
          tally.results.push(a.result);
        } else tally.failed++;
        if (!stopping) more++;
      }
      if (more > 0) sock.write(batch(more));
      if (stopping && pending.size === 0) settle();
    });
    sock.on("error", () => settle());
    sock.on("close", () => settle());
    return new Promise((ready, fail) => {
      sock.once("error", fail);
      sock.once("connect", () => {
        sock.write(batch(inFlight));
        ready({
          drain: (graceMs) => new Promise((done) => {
            stopping = true;
            const finish = () => {
              clearTimeout(timer);
              tally.lost += pending.size;
              pending.clear();
              sock.destroy();
              done();
            };
            const timer = setTimeout(finish, graceMs);
            settle = finish;
            if (pending.size === 0 || sock.destroyed) finish();
          }),
        });
      });
    });
  }
  return {
    tally,
    async stop(graceMs = 15_000) {
      await Promise.all(conns.map((c) => c.drain(graceMs)));
      return tally;
    },
  };
}

/** The q-quantile (0..1) of `xs`. */
export function quantile(xs, q) {
  if (xs.length === 0) return NaN;
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export { writeBigApp, writeCounter } from "../test/fixtures/apps.mjs";
