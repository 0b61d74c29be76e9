// Issue 9, finding 9: process.exit() in user code must not kill the daemon silently. relx refuses
// it (src/daemon/exit-guard.ts, docs/decisions.md): in a callback the calling process crashes,
// is logged and restarted, and its caller is told why; in a timer it is a logged uncaught
// exception; the node and every other process carry on. process.kill(process.pid, "SIGTERM")
// is the graceful stop from code: every terminate runs and the daemon's files are removed.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

function writeQuitter(root: string): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "quitter", version: "1.0.0", type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [
  { name: "quitter", server: "Quitter", args: { marker: ${JSON.stringify(join(root, "terminated.txt"))} } },
  { name: "keeper", server: "Keeper", args: { kept: 42 } },
] });
`,
    "src/quitter.ts": `import { writeFileSync } from "node:fs";
import { defineServer } from "relx";
export default defineServer({
  name: "Quitter",
  init: (args: { marker: string }) => ({ calls: 0, marker: args.marker }),
  handleCall(msg: string, _from, state) {
    if (msg === "exit") process.exit(3);
    return { reply: state.calls + 1, state: { ...state, calls: state.calls + 1 } };
  },
  handleCast(msg: string, state) {
    if (msg === "exit-later") setTimeout(() => process.exit(4), 0);
    if (msg === "halt") process.kill(process.pid, "SIGTERM");
    return state;
  },
  terminate(reason, state) { writeFileSync(state.marker, String(reason)); },
});
`,
    "src/keeper.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "Keeper",
  init: (args: { kept: number }) => args,
  handleCall(msg: { add: number }, _from, state) { return { reply: "ok", state: { kept: state.kept + msg.add } }; },
});
`,
  });
}

const logOf = (root: string) => readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8");

describe("process.exit() in user code inside the daemon", () => {
  it("crashes the calling process, logged, while the node and its other processes carry on", async () => {
    const root = tempRoot();
    writeQuitter(root);
    expect((await relx(root, ["build"])).code).toBe(0);
    const started = await relxJson(root, ["start"]);
    expect(started.code, JSON.stringify(started.json)).toBe(0);
    const pid = started.json.pid as number;
    expect((await relxJson(root, ["call", "keeper", '{"add":1}'])).code).toBe(0);
    expect((await relxJson(root, ["call", "quitter", '"count"'])).json).toBe(1);

    const exited = await relxJson(root, ["call", "quitter", '"exit"']);
    expect(exited.code).toBe(1);
    expect(exited.json.error).toMatchObject({ code: "RELX_CALLBACK_FAILED", process: "quitter" });
    expect(exited.json.error.message).toMatch(/crashed in handleCall: process\.exit\(3\) was refused: it would end the relx daemon/);

    // Same daemon, its files in place; quitter restarted from its start args, keeper untouched.
    expect((await relxJson(root, ["ping"])).json).toMatchObject({ pid });
    expect(existsSync(join(root, ".relx", "relx.sock"))).toBe(true);
    expect(Number(readFileSync(join(root, ".relx", "relx.pid"), "utf8"))).toBe(pid);
    const status = (await relxJson(root, ["status"])).json;
    expect(status.processes.find((p: { name: string }) => p.name === "quitter")).toMatchObject({ status: "running", restarts: 1 });
    expect((await relxJson(root, ["state", "keeper"])).json).toEqual({ kept: 43 });
    expect((await relxJson(root, ["call", "quitter", '"count"'])).json).toBe(1); // a fresh state
    expect(existsSync(join(root, "terminated.txt"))).toBe(true); // the crash ran terminate

    const log = logOf(root);
    expect(log).toMatch(/process\.exit\(3\) called inside the daemon; refused, the node carries on \(to stop the node, run `relx stop` or call process\.kill/);
    expect(log).toMatch(/crash: [^\n]*quitter[^\n]* in handleCall: RelxError: process\.exit\(3\) was refused/);

    // From a timer the process registered: its own stray error, so that process crashes (and is
    // restarted); the daemon still answers.
    expect((await relx(root, ["cast", "quitter", '"exit-later"'])).code).toBe(0);
    await waitFor(() => /process\.exit\(4\) called inside the daemon; refused/.test(logOf(root)), "the refused exit(4) in the log");
    await waitFor(() => /crash: [^\n]*quitter[^\n]* in a callback it registered: RelxError: process\.exit\(4\) was refused/.test(logOf(root)), "quitter's crash in the log");
    expect((await relxJson(root, ["ping"])).json).toMatchObject({ pid });
    expect((await relxJson(root, ["state", "keeper"])).json).toEqual({ kept: 43 });
  });

  it("stops the node gracefully on process.kill(process.pid, \"SIGTERM\") from code", async () => {
    const root = tempRoot();
    writeQuitter(root);
    expect((await relx(root, ["build"])).code).toBe(0);
    expect((await relx(root, ["start"])).code).toBe(0);
    expect((await relx(root, ["cast", "quitter", '"halt"'])).code).toBe(0);
    await waitFor(async () => (await relx(root, ["ping"])).code === 3 && !existsSync(join(root, ".relx", "relx.pid")), "the daemon to stop");
    expect(readFileSync(join(root, "terminated.txt"), "utf8")).toBe("shutdown");
    expect(existsSync(join(root, ".relx", "relx.sock"))).toBe(false);
    expect(existsSync(join(root, ".relx", "daemon.lock"))).toBe(false);
    expect(logOf(root)).toMatch(/stopping \(SIGTERM\)[\s\S]*stopped \(exit 0\)/);
  });
});
