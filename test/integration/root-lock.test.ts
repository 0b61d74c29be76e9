// Issue 9, finding 8: one daemon per root, whatever socket it is started on. A second
// `relx start --socket other.sock` is refused naming the running daemon, and touches none of its
// files; a daemon killed with SIGKILL leaves a lock the next start takes over.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { builtExample } from "../fixtures/bank.js";
import { killHard } from "../support/daemon.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";

const otherSockets: Array<[root: string, socket: string]> = [];
afterEach(async (context) => {
  // cleanupRoots stops the daemon on the default socket; a test that failed may have left one on another.
  for (const [root, socket] of otherSockets.splice(0)) if (existsSync(socket)) await relx(root, ["stop", "--socket", socket]);
  await cleanupRoots(context);
});

const lockOf = (root: string) => join(root, ".relx", "daemon.lock");
const pidOf = (root: string) => Number(readFileSync(join(root, ".relx", "relx.pid"), "utf8"));

async function running(root: string, args: string[] = []): Promise<number> {
  if (args[0] === "--socket") otherSockets.push([root, args[1]!]);
  const started = await relxJson(root, ["start", ...args]);
  expect(started.code, JSON.stringify(started.json)).toBe(0);
  return started.json.pid as number;
}

describe("the root lock", () => {
  it("tells a command on the root's own socket where the root's daemon listens when it was started on another", async () => {
    const root = tempRoot();
    await builtExample(root);
    const other = join(root, "other.sock");
    const pid = await running(root, ["--socket", other]);
    for (const args of [["status"], ["call", "blackode", '{"add":1}'], ["state", "blackode"]]) {
      const r = await relx(root, args);
      expect(r.code, args.join(" ")).toBe(3);
      expect(r.stderr).toContain(`hint: this root's daemon (pid ${pid}) listens on ${other}: pass --socket ${other}`);
    }
    expect((await relx(root, ["status", "--socket", other])).code).toBe(0);
    // relx stop on the root's own socket does not say "nothing to stop" (exit 0) while that daemon runs.
    const stop = await relxJson(root, ["stop"]);
    expect(stop.code).toBe(1);
    expect(stop.json).toMatchObject({ ok: false, error: { code: "RELX_DAEMON_RUNNING", hint: `relx stop --socket ${other}` } });
    expect((await relx(root, ["ping", "--socket", other])).code).toBe(0);
  });

  it("refuses relx stop on the configured socket (outside .relx) while the root's daemon runs on another, and the other commands' hint names it", async () => {
    const root = tempRoot();
    await builtExample(root);
    // The root's own socket is the config's, in a directory of its own: not next to daemon.lock.
    mkdirSync(join(root, "run"), { mode: 0o700 });
    writeFileSync(join(root, "relx.config.json"), JSON.stringify({ socket: "run/app.sock" }));
    const other = join(root, "other.sock");
    const pid = await running(root, ["--socket", other]);
    // The fast path (status, ping, call, upgrade) and commander's (state, config, logs aside).
    for (const args of [["status"], ["ping"], ["call", "blackode", '{"add":1}'], ["upgrade", "2.0.0"], ["state", "blackode"], ["config"]]) {
      const r = await relx(root, args);
      expect({ args, code: r.code }).toEqual({ args, code: 3 });
      expect(r.stderr).toContain(`hint: this root's daemon (pid ${pid}) listens on ${other}: pass --socket ${other}`);
    }
    const stop = await relxJson(root, ["stop"]);
    expect(stop.code, JSON.stringify(stop.json)).toBe(1);
    expect(stop.json).toMatchObject({ ok: false, error: { code: "RELX_DAEMON_RUNNING", hint: `relx stop --socket ${other}` } });
    expect(stop.json.error.message).toContain(`(pid ${pid}) runs on ${other}`);
    expect((await relx(root, ["ping", "--socket", other])).code).toBe(0);
  });

  it("refuses a second daemon on another socket, naming the running one's pid and socket", async () => {
    const root = tempRoot();
    await builtExample(root);
    const first = await running(root);
    const socket = join(root, ".relx", "relx.sock");
    const other = join(root, "other.sock");
    expect((await relxJson(root, ["call", "blackode", '{"add":5}'])).code).toBe(0);

    const second = await relxJson(root, ["start", "--socket", other]);
    expect(second.code).toBe(1);
    expect(second.json.error).toMatchObject({ code: "RELX_DAEMON_RUNNING" });
    expect(second.json.error.message).toBe(`a daemon (pid ${first}) already runs for ${root}, on ${socket}`);
    expect(second.json.error.hint).toContain(`relx stop --socket ${socket}`);
    const human = await relx(root, ["start", "--socket", other]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(new RegExp(`^relx: a daemon \\(pid ${first}\\) already runs`));

    // The running daemon's files are its own still, and it answers as before.
    expect(existsSync(other)).toBe(false);
    expect(pidOf(root)).toBe(first);
    expect(JSON.parse(readFileSync(lockOf(root), "utf8"))).toEqual({ pid: first, socket });
    expect((await relxJson(root, ["status"])).json.daemon.pid).toBe(first);
    expect((await relxJson(root, ["state", "blackode"])).json).toEqual({ name: "blackode", money: 30005 });

    // Once it stops, the root is free for a daemon on the other socket.
    expect((await relx(root, ["stop"])).code).toBe(0);
    expect(existsSync(lockOf(root))).toBe(false);
    const next = await running(root, ["--socket", other]);
    expect(JSON.parse(readFileSync(lockOf(root), "utf8"))).toEqual({ pid: next, socket: other });
    expect((await relx(root, ["stop", "--socket", other])).code).toBe(0);
    expect(existsSync(lockOf(root))).toBe(false);
  });

  it("takes over the lock of a daemon killed with SIGKILL", async () => {
    const root = tempRoot();
    await builtExample(root);
    const first = await running(root);
    await killHard(first);
    expect(JSON.parse(readFileSync(lockOf(root), "utf8")).pid).toBe(first);

    const next = await running(root, ["--socket", join(root, "other.sock")]);
    expect(next).not.toBe(first);
    expect(JSON.parse(readFileSync(lockOf(root), "utf8")).pid).toBe(next);
    expect(pidOf(root)).toBe(next);
    expect((await relx(root, ["stop", "--socket", join(root, "other.sock")])).code).toBe(0);
  });
});
