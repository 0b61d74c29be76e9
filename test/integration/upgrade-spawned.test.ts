// Processes spawned at run time are upgraded like the others (SPEC §3), including one spawned by a
// process that was still busy while the upgrade waited to suspend it.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

function writeNursery(root: string, version: string, vsn: number): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "nursery", version, type: "module" }),
    // The upgrade waits for the busy parent for as long as the test holds it, never timing out.
    "relx.config.json": JSON.stringify({ suspendTimeoutMs: 60_000, callTimeoutMs: 60_000 }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [{ name: "parent", server: "Parent", args: null }] });
`,
    "src/child.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "Child",
  vsn: "${vsn}",
  init: (n: number) => ({ n }),
  handleCall: (_m: unknown, _f: unknown, s: { n: number }) => ({ reply: { v: ${vsn}, n: s.n }, state: s }),
  codeChange: (_old: unknown, s: { n: number }) => ({ n: s.n * 10 }),
});
`,
    "src/parent.ts": `import { existsSync, writeFileSync } from "node:fs";
import { defineServer } from "relx";
import Child from "./child.js";
export default defineServer({
  name: "Parent",
  vsn: "${vsn}",
  init: () => ({ children: 0 }),
  async handleCall(msg: any, _from: unknown, state: { children: number }, ctx) {
    if (msg.slow) {
      writeFileSync(msg.slow, "in hand");
      while (!existsSync(msg.until)) await new Promise((r) => setTimeout(r, 5));
    }
    await ctx.spawn(Child, msg.n, { name: msg.name });
    return { reply: { v: ${vsn} }, state: { children: state.children + 1 } };
  },
  codeChange: (_old: unknown, s: unknown) => s,
});
`,
  });
}

describe("processes spawned at run time", () => {
  it("are upgraded, even one spawned by a busy process while the upgrade waited to suspend it", async () => {
    const root = tempRoot();
    writeNursery(root, "1.0.0", 1);
    expect((await relx(root, ["build"])).code).toBe(0);
    expect((await relx(root, ["start"])).code).toBe(0);
    expect((await relxJson(root, ["call", "parent", '{"n":1,"name":"early"}'])).json).toEqual({ v: 1 });
    writeNursery(root, "2.0.0", 2);
    expect((await relx(root, ["build"])).code).toBe(0);

    const marker = join(root, "in-hand");
    const release = join(root, "release-call");
    // The parent spawns "late" only once the test writes `release`.
    const late = relxJson(root, ["call", "parent", JSON.stringify({ n: 2, name: "late", slow: marker, until: release })]);
    await waitFor(() => existsSync(marker), "parent to take the slow call");
    const upgrading = relxJson(root, ["upgrade", "2.0.0"]);
    // The upgrade suspends the idle "early" at once, then waits for the busy parent.
    await waitFor(async () => {
      const status = (await relxJson(root, ["status"])).json;
      return status.processes?.find((p: { name: string }) => p.name === "early")?.status === "suspended";
    }, "the upgrade to wait for the parent");
    writeFileSync(release, "go");
    const up = await upgrading;
    expect(up.code, JSON.stringify(up.json)).toBe(0);
    expect((await late).json).toEqual({ v: 1 });

    const names = up.json.changed.map((c: { name: string }) => c.name).sort();
    expect(names).toEqual(["early", "late", "parent"]);
    expect((await relxJson(root, ["call", "early", '"get"'])).json).toEqual({ v: 2, n: 10 });
    expect((await relxJson(root, ["call", "late", '"get"'])).json).toEqual({ v: 2, n: 20 });
    const vsns = (await relxJson(root, ["status"])).json.processes.map((p: { name: string; vsn: string }) => `${p.name}:${p.vsn}`);
    expect(vsns.sort()).toEqual(["early:2", "late:2", "parent:2"]);
  });
});
