// Fuzz the real daemon's socket: thousands of random and mutated request lines (seeded, so a
// failure can be replayed) on one connection and on many short ones. The daemon must answer every
// line that is a JSON object with an id, never crash, keep serving, and leave the files on disk
// exactly as they were.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyV2, copyExample } from "../fixtures/bank.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";

const SEED = 20261201;
const LINES = 4000;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Valid requests to mutate; no stop, and upgrades only as dry runs or to releases that do not exist. */
const SEEDS: Record<string, unknown>[] = [
  { op: "ping" },
  { op: "status" },
  { op: "call", process: "blackode", msg: { add: 1 } },
  { op: "call", process: "blackode", msg: { add: 1 }, timeoutMs: 1000 },
  { op: "cast", process: "blackode", msg: "x" },
  { op: "state", process: "blackode" },
  { op: "upgrade", vsn: "2.0.0", dryRun: true, extra: { a: 1 } },
  { op: "downgrade", vsn: "0.9.0", dryRun: true },
  { op: "upgrade", vsn: "9.9.9" },
];
const WEIRD: unknown[] = [
  null, true, 0, -1, 1e308, 3e9, 2 ** 31, -0, "", "x".repeat(300), "<0.1.0>", "__proto__", "constructor",
  [], [1, [2, [3]]], {}, { __proto__: { polluted: 1 } }, "\u0000\ud800", 12345678901234567890,
];
const KEYS = ["id", "op", "process", "msg", "timeoutMs", "vsn", "extra", "dryRun", "permanent", "__proto__", "constructor", "toString", "hasOwnProperty"];
const OPS = ["ping", "status", "call", "cast", "state", "upgrade", "downgrade", "constructor", "__proto__", "toString", "PING", ""];

function mutated(rand: () => number, id: number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const req: Record<string, unknown> = { id, ...pick(SEEDS) };
  if (req.op === "upgrade" && req.vsn === "2.0.0") req.dryRun = true;
  const edits = Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const r = rand();
    if (r < 0.25) delete req[pick(KEYS.slice(1))];
    else if (r < 0.5) req[pick(KEYS.slice(2))] = pick(WEIRD);
    else if (r < 0.65) req.op = pick(OPS);
    else if (r < 0.75) req.id = pick([id, String(id), null, 1.5, [id], { id }]);
    else req[pick(KEYS)] = pick(WEIRD);
  }
  // Never let a mutation turn a request into a real upgrade, or a stop.
  if (req.op === "stop" || ((req.op === "upgrade" || req.op === "downgrade") && req.vsn === "2.0.0" && req.dryRun !== true)) req.op = "ping";
  let line = JSON.stringify(req);
  const r = rand();
  if (r < 0.08) line = line.slice(0, Math.floor(rand() * line.length)); // truncated
  else if (r < 0.12) line = Array.from({ length: 1 + Math.floor(rand() * 60) }, () => String.fromCharCode(Math.floor(rand() * 128))).join("").replace(/\n/g, "");
  else if (r < 0.14) line = "[".repeat(5000) + "]".repeat(5000);
  return line;
}

/** Every file under `dir` (the .relx runtime dir excepted) with its hash: what must not change. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    if (full.includes(`${join(dir, ".relx")}`) || !statSync(full).isFile()) continue;
    out[full.slice(dir.length)] = createHash("sha256").update(readFileSync(full)).digest("hex");
  }
  return out;
}

/** Sends `lines` on one connection; resolves with the answers once the daemon closes its side. */
function exchange(socketPath: string, lines: string[]): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const answers: Record<string, unknown>[] = [];
    let buffer = "";
    const socket = net.createConnection(socketPath, () => socket.end(lines.join("\n") + "\n"));
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) !== -1) {
        answers.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(answers));
  });
}

let root: string;
let sock: string;

beforeAll(async () => {
  root = tempRoot({ scope: "file" });
  copyExample(root);
  expect((await relx(root, ["build"])).code).toBe(0);
  const started = await relx(root, ["start"]);
  expect(started.code, started.stderr).toBe(0);
  applyV2(root);
  expect((await relx(root, ["build", "--vsn", "2.0.0"])).code).toBe(0);
  sock = join(root, ".relx", "relx.sock");
});
afterAll(cleanupAllRoots);

describe("the daemon's socket under fuzzing", () => {
  it(`answers ${LINES} mutated and random lines, keeps serving, and changes nothing on disk`, async () => {
    const before = snapshot(root);
    const rand = prng(SEED);
    const lines = Array.from({ length: LINES }, (_, i) => mutated(rand, i + 1));
    // Half on one pipelined connection, half on many connections of 100 lines each.
    const half = LINES / 2;
    const answers = await exchange(sock, lines.slice(0, half));
    for (let i = half; i < LINES; i += 100) answers.push(...(await exchange(sock, lines.slice(i, i + 100))));
    console.log(`fuzz: ${LINES} request lines tried (seed ${SEED}), ${answers.length} answers`);

    // Every non-blank line gets exactly one answer; ids of well-formed ones come back.
    expect(answers.length).toBe(lines.filter((l) => l.trim() !== "").length);
    for (const a of answers) {
      expect(typeof a.ok).toBe("boolean");
      if (a.ok === false) expect((a.error as { code: string }).code).toMatch(/^RELX_(?!BUG$)[A-Z_]+$/);
    }
    expect((await relxJson(root, ["ping"])).json).toMatchObject({ pong: true, vsn: "1.0.0" });
    // (blackode's money is whatever the fuzzed calls made of it: the server adds what it is sent.)
    expect((await relxJson(root, ["state", "blackode"])).json).toMatchObject({ name: "blackode" });
    expect((await relxJson(root, ["status"])).json).toMatchObject({ vsn: "1.0.0", processes: [{ name: "blackode", status: "running" }] });
    expect(snapshot(root)).toEqual(before);
  });
});
