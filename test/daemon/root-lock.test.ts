// The root lock's table (src/daemon/root-lock.ts), one row each, on real files; the CLI and
// daemon side is test/integration/root-lock.test.ts.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rootLockFile, takeRootLock } from "../../src/daemon/root-lock.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "rx-lock-"));
  mkdirSync(join(root, ".relx"), { mode: 0o700 });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const holder = (pid: number, socket = "/run/other.sock") => JSON.stringify({ pid, socket });
const onDisk = () => JSON.parse(readFileSync(rootLockFile(root), "utf8"));

/** The pid of a process that has exited (spawnSync reaps it). */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid!;
}

/** "pid (comm) S …": the state is the first field after the command's closing parenthesis. */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}

/**
 * A zombie and the parent that keeps it one: the child (`sleep 0.1`) exits after its shell has
 * exec'd `sleep 30`, which never reaps it. On a loaded machine the child can still exit first, and
 * the shell reaps it before the exec (its /proc entry is gone): then it is made again.
 */
async function makeZombie(): Promise<{ zombie: number; parent: ChildProcess }> {
  for (;;) {
    const parent = spawn("sh", ["-c", "sleep 0.1 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
    const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(d.toString()))));
    for (;;) {
      let state: string;
      try {
        state = procState(zombie);
      } catch {
        break; // reaped before the exec: try again
      }
      if (state === "Z") return { zombie, parent };
      await new Promise((r) => setTimeout(r, 10));
    }
    parent.kill("SIGKILL");
  }
}

describe("takeRootLock", () => {
  it("creates the lock naming this process and its socket, and release removes it", async () => {
    const lock = await takeRootLock(root, "/run/a.sock");
    expect(onDisk()).toEqual({ pid: process.pid, socket: "/run/a.sock" });
    await lock.release();
    expect(existsSync(rootLockFile(root))).toBe(false);
    expect(readdirSync(join(root, ".relx"))).toEqual([]);
  });

  it("refuses while a live process holds it, naming its pid and socket, and leaves its lock", async () => {
    writeFileSync(rootLockFile(root), holder(process.ppid));
    await expect(takeRootLock(root, "/run/a.sock")).rejects.toMatchObject({
      code: "RELX_DAEMON_RUNNING",
      message: `a daemon (pid ${process.ppid}) already runs for ${root}, on /run/other.sock`,
      hint: expect.stringContaining("relx status --socket /run/other.sock"),
    });
    expect(onDisk()).toEqual({ pid: process.ppid, socket: "/run/other.sock" });
    expect(readdirSync(join(root, ".relx"))).toEqual(["daemon.lock"]);
  });

  it("takes over the lock of a dead process, and one that is not a lock relx wrote", async () => {
    for (const stale of [holder(deadPid()), "", "{not json", JSON.stringify({ pid: -4, socket: 1 })]) {
      writeFileSync(rootLockFile(root), stale);
      const lock = await takeRootLock(root, "/run/a.sock");
      expect(onDisk()).toEqual({ pid: process.pid, socket: "/run/a.sock" });
      expect(readdirSync(join(root, ".relx"))).toEqual(["daemon.lock"]);
      await lock.release();
    }
  });

  it("takes over the lock of a zombie (killed, not yet reaped), which holds no socket", async () => {
    const { zombie, parent } = await makeZombie();
    try {
      writeFileSync(rootLockFile(root), holder(zombie));
      const lock = await takeRootLock(root, "/run/a.sock");
      expect(onDisk()).toEqual({ pid: process.pid, socket: "/run/a.sock" });
      await lock.release();
    } finally {
      parent.kill("SIGKILL");
    }
  });

  it("release leaves a lock that another daemon took since", async () => {
    const lock = await takeRootLock(root, "/run/a.sock");
    writeFileSync(rootLockFile(root), holder(process.ppid));
    await lock.release();
    expect(onDisk()).toEqual({ pid: process.ppid, socket: "/run/other.sock" });
  });
});
