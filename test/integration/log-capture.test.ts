// What user code prints inside the daemon lands in the daemon log, each entry stamped with the time
// and the process it came from, async continuations included; the log rotates at logMaxBytes by
// rename and reopen without losing a line, and `relx logs` reads it (no daemon needed), -f
// following it across rotations.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN } from "../support/paths.js";
import { relx } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";
import { writeFiles } from "../support/write-files.mjs";

const children: ChildProcess[] = [];

afterEach(async (ctx) => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await cleanupRoots(ctx);
});

interface Entry {
  at: string | null;
  process?: string;
  message: string;
}

const FLOODERS = ["w1", "w2", "w3"];
const PID = /^<0\.\d+\.0>$/;

/**
 * "web" prints from init, from handleCall before and after an await, from a timer of its own and
 * from a worker it spawns (unnamed); w1..w3 print `flood <name> <i>` lines when cast
 * { flood: n, yieldEvery: k }, yielding to the event loop every k lines (0: never), so that the
 * floods of several processes interleave.
 */
function writeTalkers(root: string, config: Record<string, unknown> = {}): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "talkers", version: "1.0.0", type: "module" }),
    "relx.config.json": JSON.stringify(config),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [
  { name: "web", server: "Web", args: {} },
  ${FLOODERS.map((name) => `{ name: "${name}", server: "Flooder", args: { name: "${name}" } }`).join(",\n  ")},
] });
`,
    "src/web.ts": `import { defineServer } from "relx";
import Worker from "./worker.js";
export default defineServer({
  name: "Web",
  init() {
    console.log("web init");
    return {};
  },
  async handleCall(msg: { say?: string; spawn?: boolean }, _from, state, ctx) {
    if (msg.spawn) {
      const pid = await ctx.spawn(Worker, null);
      return { reply: String(pid), state };
    }
    console.log("before await: " + msg.say);
    await new Promise((resolve) => setTimeout(resolve, 5));
    console.error("after await: " + msg.say + "\\nsecond line of it");
    setTimeout(() => process.stdout.write("from a timer: " + msg.say + "\\n"), 5);
    return { reply: "ok", state };
  },
});
`,
    "src/worker.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "Worker",
  init(_args, ctx) {
    console.log("worker init");
    ctx.sendAfter(1, "tick");
    return {};
  },
  handleInfo(msg, state) {
    console.log("worker got " + String(msg));
    return state;
  },
});
`,
    "src/flooder.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "Flooder",
  init: (args: { name: string }) => args,
  async handleCast(msg: { flood: number; yieldEvery: number }, state: { name: string }) {
    for (let i = 0; i < msg.flood; i++) {
      console.log("flood " + state.name + " " + i);
      if (msg.yieldEvery > 0 && i % msg.yieldEvery === msg.yieldEvery - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    console.log("flood " + state.name + " done");
    return state;
  },
});
`,
  });
}

async function ok(root: string, args: string[]): Promise<string> {
  const r = await relx(root, args);
  expect(r.code, `relx ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

async function logEntries(root: string, n = 100_000): Promise<Entry[]> {
  const out = await ok(root, ["logs", "-n", String(n), "--json"]);
  return out.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Entry);
}

const logDir = (root: string): string => join(root, ".relx", "log");

/** Every `flood <name> <i>` line in `entries`, by flooder, in the order they appear. */
function floodLines(entries: Entry[]): Map<string, { i: number; process: string | undefined }[]> {
  const seen = new Map<string, { i: number; process: string | undefined }[]>(FLOODERS.map((name) => [name, []]));
  for (const e of entries) {
    const m = /^flood (w\d) (\d+)$/.exec(e.message);
    if (m) seen.get(m[1]!)!.push({ i: Number(m[2]), process: e.process });
  }
  return seen;
}

/** Each flooder's lines are exactly 0..count-1, in order, each stamped with that flooder's name. */
function expectWholeFlood(entries: Entry[], counts: Record<string, number>): void {
  for (const [name, lines] of floodLines(entries)) {
    if (!(name in counts)) continue;
    expect(lines.map((l) => l.i), `the lines of ${name}`).toEqual(Array.from({ length: counts[name]! }, (_, i) => i));
    const labels = new Set(lines.map((l) => l.process?.replace(/ <0\.\d+\.0>$/, "")));
    expect([...labels], `who printed ${name}'s lines`).toEqual([name]);
  }
}

/** Every flooder floods `count` lines, interleaved with the others. */
async function flood(root: string, count: number): Promise<Record<string, number>> {
  for (const name of FLOODERS) await ok(root, ["cast", name, JSON.stringify({ flood: count, yieldEvery: 25 })]);
  return Object.fromEntries(FLOODERS.map((name) => [name, count]));
}

describe("the daemon log of what processes print", () => {
  it("stamps every line with the time and the process, across awaits and timers, spawned processes included", async () => {
    const root = tempRoot();
    writeTalkers(root);
    await ok(root, ["build"]);
    await ok(root, ["start"]);
    await ok(root, ["call", "web", '{"say":"hi"}']);
    const workerPid = JSON.parse(await ok(root, ["call", "web", '{"spawn":true}', "--json"])) as string;
    const entries = await waitFor(async () => {
      const all = await logEntries(root);
      const done = all.some((e) => e.message === "from a timer: hi") && all.some((e) => e.message === "worker got tick");
      return done ? all : undefined;
    }, "the timer's and the worker's lines");

    for (const e of entries) expect(e.at, JSON.stringify(e)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const byMessage = (message: string): Entry => {
      const found = entries.find((e) => e.message === message);
      expect(found, `an entry "${message}" in\n${entries.map((e) => JSON.stringify(e)).join("\n")}`).toBeDefined();
      return found!;
    };
    const web = byMessage("web init").process!;
    expect(web).toMatch(/^web <0\.\d+\.0>$/);
    expect(byMessage("before await: hi").process).toBe(web);
    // After an await, and with two lines: one entry, still web's.
    expect(byMessage("after await: hi\nsecond line of it").process).toBe(web);
    expect(byMessage("from a timer: hi").process).toBe(web);
    // An unnamed process is named by its pid, in its init and in what its timer delivered.
    expect(byMessage("worker init").process).toBe(workerPid);
    expect(byMessage("worker got tick").process).toBe(workerPid);
    expect(workerPid).toMatch(PID);
    // The daemon's own events carry no process.
    const ready = byMessage("ready: talkers 1.0.0");
    expect(Object.keys(ready)).toEqual(["at", "message"]);

    // The file itself: every entry starts with the timestamp; continuation lines are indented.
    const text = readFileSync(join(logDir(root), "daemon.log"), "utf8");
    expect(text).toMatch(/Z \[web <0\.\d+\.0>\] after await: hi\n {4}second line of it\n/);
    for (const line of text.split("\n").filter((l) => l !== "")) expect(line).toMatch(/^(\d{4}-\d\d-\d\dT[\d:.]+Z |    )/);

    // -n counts entries (the two-line one is one), and needs no daemon.
    await ok(root, ["stop"]);
    const lastTwo = await logEntries(root, 2);
    expect(lastTwo).toHaveLength(2);
    expect(lastTwo.at(-1)!.message).toMatch(/^stopped/);
    const human = await ok(root, ["logs", "-n", "3"]);
    expect(human.trimEnd().split("\n")).toHaveLength(3);
  });

  it("rotates at logMaxBytes by rename and reopen: under a flood of writes no line is lost", async () => {
    const root = tempRoot();
    const maxBytes = 32 * 1024;
    // 3 × 600 lines of ~50 bytes: about three rotations, so that every line is still kept (3 old files).
    const count = 600;
    writeTalkers(root, { logMaxBytes: maxBytes });
    await ok(root, ["build"]);
    await ok(root, ["start"]);
    const counts = await flood(root, count);
    await waitFor(async () => (await logEntries(root)).filter((e) => /^flood w\d done$/.test(e.message)).length === 3, "the floods to end");

    const files = ["daemon.log.3", "daemon.log.2", "daemon.log.1", "daemon.log"].map((f) => join(logDir(root), f)).filter(existsSync);
    expect(files.length, "rotated at least twice").toBeGreaterThanOrEqual(3);
    for (const file of files) {
      expect(statSync(file).size, file).toBeLessThanOrEqual(maxBytes);
      // Rotation happens between entries: each file starts with one.
      expect(readFileSync(file, "utf8"), file).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    expectWholeFlood(await logEntries(root), counts);
  });

  it("logs -f follows across rotations until interrupted, as NDJSON, several between two of its reads included", async () => {
    const root = tempRoot();
    writeTalkers(root, { logMaxBytes: 32 * 1024 });
    await ok(root, ["build"]);
    await ok(root, ["start"]);

    const follower = spawn(process.execPath, [BIN, "logs", "-f", "-n", "1", "--json", "--root", root], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(follower);
    let out = "";
    let err = "";
    follower.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    follower.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((done) => follower.once("close", (code) => done(code)));
    const received = (): Entry[] => out.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Entry);
    // -n 1: the last entry so far ("ready: …"), then everything new.
    await waitFor(() => received().length >= 1, "the follower's first entry");
    expect(received()).toEqual([expect.objectContaining({ message: expect.stringMatching(/^ready: talkers 1\.0\.0/) })]);

    // One synchronous burst: three rotations within one callback, faster than the follower reads.
    await ok(root, ["cast", "w1", JSON.stringify({ flood: 2000, yieldEvery: 0 })]);
    await waitFor(() => received().some((e) => e.message === "flood w1 done"), `the follower to see the burst end (stderr: ${err})`);
    expect(existsSync(join(logDir(root), "daemon.log.3")), "rotated three times while following").toBe(true);
    expectWholeFlood(received(), { w1: 2000 });
    // Then interleaved floods of three processes.
    const counts = await flood(root, 300);
    await waitFor(() => received().filter((e) => /^flood w\d done$/.test(e.message)).length === 4, `the follower to see the floods end (stderr: ${err})`);
    expectWholeFlood(received().filter((e, i, all) => i > all.findIndex((x) => x.message === "flood w1 done")), counts);

    follower.kill("SIGINT");
    expect(await exited, err).toBe(0);
  });

  it("with --foreground writes the same stamped lines to stdout", async () => {
    const root = tempRoot();
    writeTalkers(root);
    await ok(root, ["build"]);
    const fg = spawn(process.execPath, [BIN, "start", "--foreground", "--root", root], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(fg);
    let stdout = "";
    fg.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((done) => fg.once("close", (code) => done(code)));
    await waitFor(async () => (await relx(root, ["ping"])).code === 0, "the foreground daemon");
    await ok(root, ["call", "web", '{"say":"fg"}']);
    await waitFor(() => stdout.includes("from a timer: fg"), "the timer's line on stdout");
    expect(stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[web <0\.\d+\.0>\] web init$/m);
    expect(stdout).toMatch(/Z \[web <0\.\d+\.0>\] before await: fg$/m);
    // And the file has them too, so `relx logs` reads a foreground node as any other.
    expect((await logEntries(root)).map((e) => e.message)).toContain("before await: fg");
    fg.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
