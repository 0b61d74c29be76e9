// The daemon log (.relx/log/daemon.log) is what an operator reads after the fact: it records every
// start, upgrade, downgrade, rollback and stop, and every crash of a process with its error, while
// the crashed process is restarted and the daemon carries on.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";
import { writeTwins } from "../fixtures/twins.js";

afterEach(cleanupRoots);

function readLog(root: string): string {
  const file = join(root, ".relx", "log", "daemon.log");
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

/** The log's entries: a line with its indented continuation lines (a stack, a cause). */
function entries(root: string): string[] {
  return readLog(root).split(/\n(?=\S)/).filter((e) => e.trim() !== "");
}

/**
 * Checks that each step matches an entry after the one the previous step matched (a step is a
 * pattern, or patterns that must all match the same entry), so events are logged in the order
 * they happened. Returns the index of the last entry matched.
 */
function expectLogged(log: string[], steps: Array<RegExp | RegExp[]>, after = -1): number {
  let at = after;
  for (const step of steps) {
    const patterns = Array.isArray(step) ? step : [step];
    const found = log.findIndex((entry, i) => i > at && patterns.every((p) => p.test(entry)));
    expect(found, `${patterns.join(" and ")} in an entry after #${at} of the log:\n${log.join("\n")}`).toBeGreaterThan(at);
    at = found;
  }
  return at;
}

async function ok(root: string, args: string[]): Promise<void> {
  const r = await relx(root, args);
  expect(r.code, `relx ${args.join(" ")}: ${r.stderr}`).toBe(0);
}

describe("the daemon log", () => {
  it("records start, upgrade, rollback, downgrade and stop", async () => {
    const root = tempRoot();
    writeTwins(root, { version: "1.0.0" });
    await ok(root, ["build"]);
    await ok(root, ["start"]);
    let at = expectLogged(entries(root), [/start/i, /twins 1\.0\.0/]);

    writeTwins(root, { version: "2.0.0", alpha: "ok" });
    await ok(root, ["build"]);
    await ok(root, ["upgrade", "2.0.0"]);
    at = expectLogged(entries(root), [/upgrade[^\n]*1\.0\.0[^\n]*2\.0\.0/], at);

    // Beta's codeChange throws: the whole upgrade is rolled back, and the log says why.
    writeTwins(root, { version: "3.0.0", alpha: "ok", beta: "throws" });
    await ok(root, ["build"]);
    const failed = await relxJson(root, ["upgrade", "3.0.0"]);
    expect(failed.json).toMatchObject({ ok: false, rolledBack: true });
    at = expectLogged(entries(root), [[/rolled back/i, /3\.0\.0/, /beta/, /Beta migration failed/]], at);

    await ok(root, ["downgrade", "1.0.0"]);
    at = expectLogged(entries(root), [/downgrade[^\n]*2\.0\.0[^\n]*1\.0\.0/], at);

    await ok(root, ["stop"]);
    const log = entries(root);
    expectLogged(log, [/stop/i], at);
    expect(log.at(-1), "the daemon's last words").toMatch(/stop/i);
    expect(existsSync(join(root, ".relx", "relx.sock"))).toBe(false);
  });

  it("records a process crash with its error, and the process is restarted and answers", async () => {
    const root = tempRoot();
    writeFiles(root, {
      "package.json": JSON.stringify({ name: "counter", version: "1.0.0", type: "module" }),
      "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [{ name: "counter", server: "Counter", args: { from: 100 } }] });
`,
      "src/counter.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "Counter",
  init: (args: { from: number }) => ({ n: args.from }),
  handleCall(msg: { boom?: string }, _from, state: { n: number }) {
    if (msg.boom) throw new Error("counter exploded: " + msg.boom);
    return { reply: state.n + 1, state: { n: state.n + 1 } };
  },
});
`,
    });
    await ok(root, ["build"]);
    await ok(root, ["start"]);
    const daemonPid = (await relxJson(root, ["status"])).json.daemon.pid;
    expect((await relxJson(root, ["call", "counter", "{}"])).json).toBe(101);
    expect((await relxJson(root, ["call", "counter", "{}"])).json).toBe(102);
    const before = entries(root).length - 1;

    const crash = await relx(root, ["call", "counter", '{"boom":"bad input"}']);
    expect(crash.code).toBe(1);
    expect(crash.stderr).toContain("counter exploded: bad input");
    expectLogged(entries(root), [[/crash/i, /"counter"/, /counter exploded: bad input/], [/restart/i, /"counter"/]], before);

    const status = (await relxJson(root, ["status"])).json;
    expect(status.daemon.pid).toBe(daemonPid);
    expect(status.processes).toEqual([expect.objectContaining({ name: "counter", status: "running" })]);
    // Restarted from its start args (SPEC §2), so it counts from 100 again.
    expect((await relxJson(root, ["call", "counter", "{}"])).json).toBe(101);
  });
});
