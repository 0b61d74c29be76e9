// `relx build` wall time as a user sees it: the real CLI in a fresh `node` process, each build in
// a fresh temp root (a vsn can't be rebuilt). The bank example, and a generated 200-module app
// (150 servers and the 50 helper modules they import), each without and with --tar.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { figure, now } from "./lib.mjs";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(REPO, "bin", "relx");
const SAMPLES = Number(process.env.BUILD_SAMPLES ?? 5);
const SERVERS = 150;
const HELPERS = 50;

const scratch = mkdtempSync(join(tmpdir(), "rxb-"));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Seconds of wall time for `relx build [extra]` in a fresh copy of `template`. */
function timeBuild(template, extra) {
  const root = mkdtempSync(join(scratch, "r-"));
  cpSync(template, root, { recursive: true });
  const t = now();
  execFileSync(process.execPath, [BIN, "build", "--root", root, ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  const seconds = (now() - t) / 1000;
  rmSync(root, { recursive: true, force: true });
  return seconds;
}

/** Median of SAMPLES builds, after one untimed build that warms the disk cache. */
function measure(template, extra) {
  timeBuild(template, extra);
  const times = [];
  for (let i = 0; i < SAMPLES; i++) times.push(timeBuild(template, extra));
  return median(times);
}

function bankTemplate() {
  const dir = join(scratch, "bank");
  mkdirSync(dir);
  cpSync(join(REPO, "examples", "bank", "package.json"), join(dir, "package.json"));
  cpSync(join(REPO, "examples", "bank", "src"), join(dir, "src"), { recursive: true });
  return dir;
}

const pad = (i, n) => String(i).padStart(n, "0");

/** A helper module of ~50 lines; every fifth starts a chain, the others build on the one before. */
function helperSource(i) {
  const base = i % 5 === 0 ? "" : `import { normalise as previous } from "./h${pad(i - 1, 2)}.js";\n`;
  const chain = i % 5 === 0 ? "value.trim().toLowerCase()" : "previous(value)";
  return `${base}import { createHash } from "node:crypto";

export interface Entry${i} {
  id: string;
  amount: number;
  tags: string[];
  at: number;
}

export const LIMIT_${i} = ${1000 + i * 37};

export function normalise(value: string): string {
  return ${chain}.replace(/\\s+/g, "-");
}

export function fingerprint(entry: Entry${i}): string {
  return createHash("sha256").update(entry.id + ":" + entry.amount + ":" + entry.tags.join(",")).digest("hex").slice(0, 16);
}

export function validate(entry: Partial<Entry${i}>): Entry${i} {
  if (typeof entry.id !== "string" || entry.id === "") throw new Error("h${i}: entry without an id");
  if (typeof entry.amount !== "number" || !Number.isFinite(entry.amount)) throw new Error("h${i}: bad amount for " + entry.id);
  if (entry.amount > LIMIT_${i}) throw new Error("h${i}: " + entry.id + " over the limit of " + LIMIT_${i});
  return { id: normalise(entry.id), amount: entry.amount, tags: (entry.tags ?? []).map(normalise), at: entry.at ?? 0 };
}

export function summarise(entries: Entry${i}[]): { count: number; total: number; mean: number; tags: Record<string, number> } {
  const tags: Record<string, number> = {};
  let total = 0;
  for (const e of entries) {
    total += e.amount;
    for (const t of e.tags) tags[t] = (tags[t] ?? 0) + 1;
  }
  return { count: entries.length, total, mean: entries.length === 0 ? 0 : total / entries.length, tags };
}

export function window${i}(entries: Entry${i}[], from: number, to: number): Entry${i}[] {
  return entries.filter((e) => e.at >= from && e.at < to).sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
}
`;
}

/** A server of ~70 lines importing three helpers. */
function serverSource(i) {
  const hs = [...new Set([i % HELPERS, (i * 7 + 3) % HELPERS, (i * 13 + 11) % HELPERS])];
  const imports = hs.map((h) => `import * as h${h} from "../lib/h${pad(h, 2)}.js";`).join("\n");
  const [a, b, c] = [hs[0], hs[1] ?? hs[0], hs[2] ?? hs[0]];
  return `${imports}
import { defineServer } from "relx";

interface State {
  owner: string;
  entries: h${a}.Entry${a}[];
  seen: Record<string, string>;
  rejected: number;
}

type Msg =
  | { op: "add"; entry: Partial<h${a}.Entry${a}> }
  | { op: "summary" }
  | { op: "window"; from: number; to: number }
  | { op: "fingerprint"; id: string }
  | { op: "reset" };

export default defineServer<State>({
  name: "Server${pad(i, 3)}",
  vsn: "1",
  init: (args: { owner: string }) => ({ owner: args.owner, entries: [], seen: {}, rejected: 0 }),
  handleCall(msg: Msg, _from, state) {
    switch (msg.op) {
      case "add": {
        let entry;
        try {
          entry = h${a}.validate(msg.entry);
        } catch (err) {
          return { reply: { ok: false, error: (err as Error).message }, state: { ...state, rejected: state.rejected + 1 } };
        }
        const seen = { ...state.seen, [entry.id]: h${b}.fingerprint(entry) };
        return { reply: { ok: true, id: entry.id }, state: { ...state, entries: [...state.entries, entry], seen } };
      }
      case "summary":
        return { reply: { owner: state.owner, ...h${c}.summarise(state.entries), rejected: state.rejected }, state };
      case "window":
        return { reply: h${a}.window${a}(state.entries, msg.from, msg.to), state };
      case "fingerprint":
        return { reply: state.seen[h${b}.normalise(msg.id)] ?? null, state };
      case "reset":
        return { reply: state.entries.length, state: { ...state, entries: [], seen: {} } };
    }
  },
  handleCast(msg: { op: "tag"; id: string; tag: string }, state) {
    const entries = state.entries.map((e) => (e.id === msg.id ? { ...e, tags: [...e.tags, h${c}.normalise(msg.tag)] } : e));
    return { ...state, entries };
  },
  handleInfo(_msg: unknown, state) {
    const cutoff = Date.now() - 86_400_000;
    return { ...state, entries: state.entries.filter((e) => e.at >= cutoff) };
  },
  codeChange(_oldVsn, state) {
    return state;
  },
  terminate(reason, state) {
    if (reason !== "shutdown") console.error("Server${pad(i, 3)} of " + state.owner + " stopped: " + String(reason));
  },
});
`;
}

function bigAppTemplate() {
  const dir = join(scratch, "big");
  mkdirSync(join(dir, "src", "lib"), { recursive: true });
  mkdirSync(join(dir, "src", "servers"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "ledger", version: "1.0.0", private: true, type: "module" }, null, 2));
  for (let i = 0; i < HELPERS; i++) writeFileSync(join(dir, "src", "lib", `h${pad(i, 2)}.ts`), helperSource(i));
  for (let i = 0; i < SERVERS; i++) writeFileSync(join(dir, "src", "servers", `s${pad(i, 3)}.ts`), serverSource(i));
  const processes = Array.from({ length: SERVERS }, (_, i) => `    { name: "ledger${pad(i, 3)}", server: "Server${pad(i, 3)}", args: { owner: "team${i % 12}" } },`);
  writeFileSync(join(dir, "src", "app.ts"), `import { defineApp } from "relx";\n\nexport default defineApp({\n  processes: [\n${processes.join("\n")}\n  ],\n});\n`);
  return dir;
}

try {
  const bank = bankTemplate();
  figure("build: bank example (relx build, wall)", measure(bank, []), "s", "≤ 0.2 s (mix release: 0.65 s)");
  figure("build: bank example --tar (wall)", measure(bank, ["--tar"]), "s", "≤ 0.2 s (mix release: 0.65 s)");
  const big = bigAppTemplate();
  figure(`build: ${SERVERS + HELPERS}-module app (${SERVERS} servers + ${HELPERS} helpers; relx build, wall)`, measure(big, []), "s", "≤ 1 s");
  figure(`build: ${SERVERS + HELPERS}-module app --tar (wall)`, measure(big, ["--tar"]), "s", "≤ 1 s");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
