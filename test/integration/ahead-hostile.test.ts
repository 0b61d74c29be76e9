// The real daemon's upgrade, where codeChanges are tried ahead of the pause (src/runtime/bulk.ts
// computeAhead): what a codeChange does through its ctx still happens once, whatever the try did.
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

function writeApp(root: string, version: string, vsn: string, codeChange: string): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "aheadonce", version, type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [1, 2, 3].map((n) => ({ name: "p" + n, server: "S", args: { n } })) });
`,
    "src/s.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "S", vsn: "${vsn}",
  init: (args) => ({ n: args.n, migrated: 0, vsn: "${vsn}" }),
  handleCall: (_msg, _from, state) => ({ reply: state, state }),
  handleInfo: (msg, state) => (msg === "migrated" ? { ...state, migrated: state.migrated + 1 } : state),
  ${codeChange}
});
`,
  });
}

describe("an upgrade whose codeChange, no async function, sends through ctx once its promise goes on", () => {
  it("sends once per process: the try's continuation does nothing through ctx", async () => {
    const root = tempRoot();
    writeApp(root, "1.0.0", "1", "");
    expect((await relx(root, ["build"])).code).toBe(0);
    const start = await relx(root, ["start"]);
    expect(start.code, start.stderr).toBe(0);
    writeApp(root, "2.0.0", "2", `codeChange(_old, state, _extra, ctx) {
    return Promise.resolve().then(() => {
      ctx.send(ctx.self, "migrated");
      return { ...state, vsn: "2" };
    });
  },`);
    const built = await relx(root, ["build"]);
    expect(built.code, built.stderr).toBe(0);
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code, JSON.stringify(up.json)).toBe(0);
    for (const n of [1, 2, 3]) {
      expect((await relxJson(root, ["call", `p${n}`, '"get"'])).json).toEqual({ n, migrated: 1, vsn: "2" });
    }
  });
});
