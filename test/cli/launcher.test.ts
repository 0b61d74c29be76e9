// bin/relx run as a program holds NODE_EXTRA_CA_CERTS back from the CLI's own Node process (Node
// 20 reads the file as it starts) for the daemon's clients, and hands it on, as given, to every
// process relx starts; the commands that run the app's code in the CLI's process keep it.
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { builtExample } from "../fixtures/bank.js";
import { BIN } from "../support/paths.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";

afterEach(cleanupRoots);

/** What Node writes to stderr as it starts when NODE_EXTRA_CA_CERTS names a file it cannot load. */
const NODE_READ_IT = /Ignoring extra certs from `([^`]*)`/;

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const full = { ...process.env, RELX_SOCKET: undefined, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, ...env };
  return new Promise((done) => {
    execFile(file, args, { env: full }, (err, stdout, stderr) => done({ code: err === null ? 0 : typeof err.code === "number" ? err.code : null, stdout, stderr }));
  });
}

describe("bin/relx and NODE_EXTRA_CA_CERTS", () => {
  it("the daemon's clients (status, ping, call, releases, stop) start without reading the file; the daemon gets the variable as given", async () => {
    const root = tempRoot();
    await builtExample(root);
    // A file that cannot be loaded: each Node that reads it says so on stderr, and starts anyway.
    const certs = join(root, "no such dir", "extra.pem");
    const env = { NODE_EXTRA_CA_CERTS: certs };

    // Control: Node started on bin/relx directly reads it (the shell line does not run then).
    const byNode = await run(process.execPath, [BIN, "status", "--root", root], env);
    expect(byNode.stderr).toMatch(NODE_READ_IT);

    const start = await run(BIN, ["start", "--root", root], env);
    let stopped = false;
    try {
      expect(start.code, start.stderr).toBe(0);
      // The daemon's Node read it: the variable reached it, with its value unchanged.
      const log = readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8");
      expect(NODE_READ_IT.exec(log)?.[1]).toBe(certs);
      for (const args of [["status", "--json"], ["ping"], ["call", "blackode", '{"add":1}'], ["releases"], ["stop"]]) {
        const r = await run(BIN, [...args, "--root", root], env);
        expect({ args, code: r.code, read: NODE_READ_IT.test(r.stderr) }, r.stderr).toEqual({ args, code: 0, read: false });
      }
      stopped = true;
    } finally {
      if (!stopped) await run(BIN, ["stop", "--root", root], env);
    }
  });

  it("the commands that run the app's code in the CLI's own Node (build, check-upgrade, start --foreground) keep Node's read of it", async () => {
    const root = tempRoot();
    await builtExample(root);
    const certs = join(root, "extra.pem");
    // build refuses (1.0.0 is built already), after Node has started as it always does.
    expect((await run(BIN, ["build", "--root", root], { NODE_EXTRA_CA_CERTS: certs })).stderr).toMatch(NODE_READ_IT);
    // check-upgrade runs codeChange in worker threads of this process (no release 9.9.9: it refuses, after the same start).
    expect((await run(BIN, ["check-upgrade", "1.0.0", "9.9.9", "--root", root], { NODE_EXTRA_CA_CERTS: certs })).stderr).toMatch(NODE_READ_IT);
    const child = spawn(BIN, ["start", "--foreground", "--root", root], {
      env: { ...process.env, RELX_SOCKET: undefined, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, NODE_EXTRA_CA_CERTS: certs },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      await waitFor(() => existsSync(join(root, ".relx", "relx.pid")), "the foreground node's pid file");
      expect(NODE_READ_IT.exec(out)?.[1]).toBe(certs);
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  });

  it("the held value is put back for the processes relx starts; a stray RELX_HELD_CA_CERTS is dropped by the shell line", async () => {
    const root = tempRoot();
    await builtExample(root);
    const held = join(root, "held.pem");
    const log = () => readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8");
    // As a program: the shell line unsets the stray holder, so the daemon gets no variable.
    expect((await run(BIN, ["start", "--root", root], { RELX_HELD_CA_CERTS: held, NODE_EXTRA_CA_CERTS: undefined })).code).toBe(0);
    expect(log()).not.toMatch(NODE_READ_IT);
    expect((await run(BIN, ["stop", "--root", root], {})).code).toBe(0);
    // Node on bin/relx skips the shell line: what the JavaScript finds held, it puts back as
    // NODE_EXTRA_CA_CERTS, which the daemon it starts then reads (the hand-back a held command makes).
    expect((await run(process.execPath, [BIN, "start", "--root", root], { RELX_HELD_CA_CERTS: held, NODE_EXTRA_CA_CERTS: undefined })).code).toBe(0);
    try {
      expect(NODE_READ_IT.exec(log())?.[1]).toBe(held);
    } finally {
      await run(BIN, ["stop", "--root", root], {});
    }
  });
});
