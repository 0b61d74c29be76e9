// `relx start --foreground`, as systemd or a container runs it: the daemon lives in the CLI's own
// process, logs to stdout, answers other CLI calls, and SIGTERM stops it gracefully (terminate
// callbacks in reverse start order, socket and pid file removed, exit code 0).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN } from "../support/paths.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";
import { writeFiles } from "../support/write-files.mjs";

let child: ChildProcess | undefined;

afterEach(async (ctx) => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  child = undefined;
  await cleanupRoots(ctx);
});

/** Two processes whose terminate appends "<label> <reason>" to `marker`. */
function writeApp(root: string, marker: string): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "keeper", version: "1.0.0", type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [
  { name: "first", server: "Keeper", args: { label: "first", marker: ${JSON.stringify(marker)} } },
  { name: "second", server: "Keeper", args: { label: "second", marker: ${JSON.stringify(marker)} } },
] });
`,
    "src/keeper.ts": `import { appendFileSync } from "node:fs";
import { defineServer } from "relx";
export default defineServer({
  name: "Keeper",
  init: (args: { label: string; marker: string }) => args,
  handleCall: (_msg: unknown, _from, state) => ({ reply: state.label, state }),
  terminate(reason, state: { label: string; marker: string }) {
    appendFileSync(state.marker, state.label + " " + String(reason) + "\\n");
  },
});
`,
  });
}

describe("relx start --foreground", () => {
  it("logs to stdout, answers other CLI calls, and stops gracefully on SIGTERM", async () => {
    const root = tempRoot();
    const marker = join(root, "terminated.txt");
    writeApp(root, marker);
    expect((await relx(root, ["build"])).code).toBe(0);

    const fg = spawn(process.execPath, [BIN, "start", "--foreground", "--root", root], { stdio: ["ignore", "pipe", "pipe"] });
    child = fg;
    let stdout = "";
    let stderr = "";
    fg.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    fg.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => fg.once("close", (code, signal) => done({ code, signal })));

    // The foreground process itself is the daemon that answers.
    const pong = await waitFor(async () => {
      if (fg.exitCode !== null) throw new Error(`--foreground exited early (${fg.exitCode}):\n${stdout}\n${stderr}`);
      const r = await relxJson(root, ["ping"]);
      return r.code === 0 ? r.json : undefined;
    }, "the foreground daemon to answer ping");
    expect(pong.pid).toBe(fg.pid);
    expect((await relxJson(root, ["call", "second", "{}"])).json).toBe("second");
    expect(stdout).toMatch(/keeper 1\.0\.0/);
    expect(existsSync(join(root, ".relx", "relx.sock"))).toBe(true);
    expect(existsSync(join(root, ".relx", "relx.pid"))).toBe(true);
    expect(existsSync(marker)).toBe(false);

    const logged = stdout.length;
    fg.kill("SIGTERM");
    expect(await exited, stderr).toEqual({ code: 0, signal: null });
    // Stopped in reverse start order, each told it is a shutdown (as OTP's supervisor does).
    expect(readFileSync(marker, "utf8")).toBe("second shutdown\nfirst shutdown\n");
    expect(stdout.slice(logged)).toMatch(/SIGTERM/);
    expect(existsSync(join(root, ".relx", "relx.sock"))).toBe(false);
    expect(existsSync(join(root, ".relx", "relx.pid"))).toBe(false);
    expect((await relx(root, ["ping"])).code).toBe(3);
  });
});
