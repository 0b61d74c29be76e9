// After an upgrade the node's boot processes are those of the boot spec as the daemon evaluated it
// (processes may depend on the config), not the list relx build recorded from the defaults: a
// boot process that only the environment asked for is still one, so a downgrade keeps it running
// (instead of starting it a second time) and `relx restart` restarts it.
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

function writeApp(root: string, version: string, vsn: string): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "workers", version, type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({
  config: { names: { env: "WORKERS", type: "string", default: "a" } },
  processes: (c) => c.names.split(",").map((name) => ({ name, server: "Worker", args: name })),
});
`,
    "src/worker.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "Worker",
  vsn: "${vsn}",
  init: (name) => ({ name, calls: 0 }),
  handleCall: (_msg, _from, s) => ({ reply: { vsn: "${vsn}", ...s }, state: { ...s, calls: s.calls + 1 } }),
  codeChange: (_old, s) => s,
});
`,
  });
}

describe("boot processes from the evaluated boot spec", () => {
  it("survive an upgrade as boot processes: the downgrade keeps them, relx restart restarts them", async () => {
    const root = tempRoot();
    writeApp(root, "1.0.0", "1");
    expect((await relx(root, ["build"])).code).toBe(0);
    expect((await relx(root, ["start"], { env: { WORKERS: "a,b" } })).code).toBe(0);
    writeApp(root, "2.0.0", "2");
    expect((await relx(root, ["build"])).code).toBe(0);

    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.json).toMatchObject({ ok: true, started: [], stopped: [] });
    expect((await relxJson(root, ["call", "b", '"get"'])).json).toEqual({ vsn: "2", name: "b", calls: 0 });

    const restarted = await relxJson(root, ["restart", "b"]);
    expect(restarted.json).toMatchObject({ ok: true, name: "b" });
    expect((await relxJson(root, ["call", "b", '"get"'])).json).toEqual({ vsn: "2", name: "b", calls: 0 });

    const down = await relxJson(root, ["downgrade", "1.0.0"]);
    expect(down.json).toMatchObject({ ok: true, started: [], stopped: [] });
    expect(down.json.changed.map((c: { name: string }) => c.name).sort()).toEqual(["a", "b"]);
    expect((await relxJson(root, ["call", "b", '"get"'])).json).toEqual({ vsn: "1", name: "b", calls: 1 });
  });
});
