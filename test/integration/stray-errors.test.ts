// An uncaught exception or unhandled rejection from a process's own timer or callback crashes
// that process (it is restarted by its policy), not the daemon.
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

describe("a stray error from a process's own code", () => {
  it.each([
    ["an exception thrown in a timer", 'setTimeout(() => { throw new Error("late boom"); }, 0);'],
    ["a rejection nobody handles", 'Promise.reject(new Error("late boom"));'],
  ])("%s crashes that process, which is restarted; the daemon carries on", async (_what, stray) => {
    const root = tempRoot();
    writeFiles(root, {
      "package.json": JSON.stringify({ name: "stray", version: "1.0.0", type: "module" }),
      "src/app.ts": `import { defineApp } from "relx";\nexport default defineApp({ processes: [{ name: "worker", server: "Worker", args: null }, { name: "calm", server: "Worker", args: null }] });\n`,
      "src/worker.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "Worker",
  init: () => ({ n: 0 }),
  handleCall(msg, _from, state) {
    if (msg === "stray") { ${stray} }
    return { reply: state.n + 1, state: { n: state.n + 1 } };
  },
});
`,
    });
    expect((await relx(root, ["build"])).code).toBe(0);
    expect((await relx(root, ["start"])).code).toBe(0);
    expect((await relxJson(root, ["call", "worker", '"x"'])).json).toBe(1);
    expect((await relxJson(root, ["call", "calm", '"x"'])).json).toBe(1);
    await relx(root, ["call", "worker", '"stray"']);
    const restarted = await waitFor(async () => {
      const status = (await relxJson(root, ["status"])).json;
      return status.processes.find((p: { name: string; restarts: number }) => p.name === "worker" && p.restarts === 1);
    }, "worker's restart");
    expect(restarted).toMatchObject({ status: "running" });
    expect((await relxJson(root, ["call", "worker", '"x"'])).json).toBe(1); // fresh state from init
    expect((await relxJson(root, ["call", "calm", '"x"'])).json).toBe(2); // the other one carried on
  });
});
