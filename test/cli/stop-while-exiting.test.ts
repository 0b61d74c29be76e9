// `relx stop` of a daemon that another stop (or a signal) is already taking down: such a daemon may
// close the connection without answering, having removed its pid file and socket. The stop still
// exits 0, as `relx stop` is idempotent, and returns only once that daemon's process has exited.
// The daemon here is the test's own socket listener playing one that is exiting, and the pid it
// recorded is a real child process that exits when the test says.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";

afterEach(cleanupRoots);

describe("relx stop of a daemon that is exiting", () => {
  it("exits 0 and waits for that daemon's pid when the connection closes unanswered", async () => {
    const root = tempRoot();
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "exiting", version: "1.0.0" }));
    mkdirSync(join(root, ".relx"), { mode: 0o700 });
    const socketPath = join(root, ".relx", "relx.sock");
    const pidPath = join(root, ".relx", "relx.pid");
    // The "daemon" process: it lives until its stdin closes.
    const daemon = spawn(process.execPath, ["-e", "process.stdin.resume(); process.stdin.on('end', () => process.exit(0))"], { stdio: ["pipe", "ignore", "ignore"] });
    const exited = new Promise<void>((resolve) => daemon.once("exit", () => resolve()));
    writeFileSync(pidPath, `${daemon.pid}\n`);
    let asked = 0;
    const server = net.createServer((socket) => {
      socket.once("data", () => {
        asked++;
        // As an exiting daemon does: pid file and socket removed, then the connection closed unanswered.
        rmSync(pidPath, { force: true });
        server.close();
        socket.destroy();
        setTimeout(() => daemon.stdin!.end(), 200);
      });
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    let exitedYet = false;
    void exited.then(() => (exitedYet = true));

    const stop = await relxJson(root, ["stop"]);
    expect(stop.code, JSON.stringify(stop.json)).toBe(0);
    expect(stop.json).toEqual({ ok: true, stopped: true, pid: daemon.pid });
    expect(asked).toBe(1);
    // It returned only once the recorded pid had exited (a check of order, not of time).
    await new Promise((resolve) => setImmediate(resolve));
    expect(exitedYet).toBe(true);
  });
});
