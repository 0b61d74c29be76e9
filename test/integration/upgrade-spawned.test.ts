// Processes spawned at run time are upgraded like the others (SPEC §3), including one spawned by a
// process that was still busy while the upgrade waited to suspend it.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanupRoots, relx, relxJson, tempRoot, waitFor, writeFiles } from "./harness.js";

afterEach(cleanupRoots);

function writeNursery(root: string, version: string, vsn: number): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "nursery", version, type: "module" }),
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
    "src/parent.ts": `import { writeFileSync } from "node:fs";
import { defineServer } from "relx";
import Child from "./child.js";
export default defineServer({
  name: "Parent",
  vsn: "${vsn}",
  init: () => ({ children: 0 }),
  async handleCall(msg: any, _from: unknown, state: { children: number }, ctx) {
    if (msg.slow) {
      writeFileSync(msg.slow, "in hand");
      await new Promise((r) => setTimeout(r, 600));
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
    const late = relxJson(root, ["call", "parent", JSON.stringify({ n: 2, name: "late", slow: marker })]);
    await waitFor(() => existsSync(marker), "parent to take the slow call");
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
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
