// Shared by the daemon benchmarks: temp apps driven through the real bin/relx, a socket load
// generator with per-call latencies, and the fixture apps (a counter; a server carrying ~3 MB of
// code). The tests have their own TypeScript twins in test/integration/fixtures-*.ts.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

export function writeFiles(root, files) {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** The daemon's resident set (kB) from /proc, or null where there is no /proc. */
export function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
  } catch {
    return null;
  }
}

/** The counter app (see test/integration/fixtures-counter.ts): "inc" answers { n, v }. */
export function writeCounter(root, version, vsn) {
  const key = vsn % 2 === 1 ? "n" : "count";
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "counter", version, type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [{ name: "counter", server: "Counter", args: null }] });
`,
    "src/counter.ts": `import { defineServer } from "relx";
const shape = (vsn: number, n: number) => (vsn % 2 === 1 ? { n } : { count: n });
const countOf = (state: any): number => ("n" in state ? state.n : state.count);
export default defineServer({
  name: "Counter",
  vsn: "${vsn}",
  init: () => ({ ${key}: 0 }),
  handleCall(msg: unknown, _from, state: any) {
    const n = state.${key} + (msg === "inc" ? 1 : 0);
    return { reply: { n, v: ${vsn} }, state: { ${key}: n } };
  },
  codeChange(oldVsn: string | { down: string }, state: any) {
    const target = typeof oldVsn === "string" ? ${vsn} : Number(oldVsn.down);
    return shape(target, countOf(state));
  },
});
`,
  });
}

/**
 * The big-code app (see test/integration/fixtures-bigcode.ts): server Big, vsn release+1, whose
 * module holds a table of `lines` distinct closures (~100 bytes of source each), different in
 * every release. "inc" answers { n, vsn, probe }; codeChange appends the old vsn to state.seen.
 */
export function writeBigApp(root, release, lines = 30_000) {
  const table = [];
  for (let i = 0; i < lines; i++) {
    const h = createHash("sha256").update(`${release}:${i}`).digest("hex");
    table.push(`  (n: number) => n + "${release}-${i}-${h}".length,`);
  }
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "big", version: "1.0.0", type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [{ name: "big", server: "Big", args: null }] });
`,
    "src/big.ts": `import { defineServer } from "relx";
const TABLE = [
${table.join("\n")}
];
export default defineServer({
  name: "Big",
  vsn: "${release + 1}",
  init: () => ({ n: 0, seen: [] as string[] }),
  handleCall(msg: unknown, _from, state: any) {
    if (msg !== "inc") return { reply: state, state };
    const n = state.n + 1;
    return { reply: { n, vsn: ${release + 1}, probe: TABLE[n % TABLE.length](0) }, state: { ...state, n } };
  },
  codeChange(oldVsn: string | { down: string }, state: any) {
    return { n: state.n, seen: [...state.seen, typeof oldVsn === "string" ? oldVsn : "down " + oldVsn.down] };
  },
});
`,
  });
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
