// An upgrade calls each process's codeChange once. When the fused pass (every process idle, no
// codeChange an async function) meets a codeChange that returns a promise after all, it gives up
// and the suspend path takes over: it uses what the pass's codeChanges already returned instead of
// calling them again, so what a codeChange sends (here: a message to its own process) happens once.
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

function writeApp(root: string, version: string, vsn: string, codeChange: string): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "once", version, type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [1, 2, 3].map((n) => ({ name: "p" + n, server: "S", args: { n } })) });
`,
    "src/s.ts": `import { defineServer } from "relx";
const later = async (state) => ({ ...state, vsn: "${vsn}" });
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

async function upgradedOnce(codeChange: string): Promise<void> {
  const root = tempRoot();
  writeApp(root, "1.0.0", "1", "");
  expect((await relx(root, ["build"])).code).toBe(0);
  const start = await relx(root, ["start"]);
  expect(start.code, start.stderr).toBe(0);
  writeApp(root, "2.0.0", "2", codeChange);
  const built = await relx(root, ["build"]);
  expect(built.code, built.stderr).toBe(0);
  const up = await relxJson(root, ["upgrade", "2.0.0"]);
  expect(up.code, JSON.stringify(up.json)).toBe(0);
  for (const n of [1, 2, 3]) {
    expect((await relxJson(root, ["call", `p${n}`, '"get"'])).json).toEqual({ n, migrated: 1, vsn: "2" });
  }
}

describe("a codeChange that is no async function but returns a promise", () => {
  it("for one process in the middle runs once for every process", async () => {
    await upgradedOnce(`codeChange(_old, state, _extra, ctx) {
    ctx.send(ctx.self, "migrated");
    return state.n === 2 ? later(state) : { ...state, vsn: "2" };
  },`);
  });

  it("for every process (it returns an async helper's promise) runs once for every process", async () => {
    await upgradedOnce(`codeChange(_old, state, _extra, ctx) {
    ctx.send(ctx.self, "migrated");
    return later(state);
  },`);
  });

  it("that sends through ctx once its promise goes on runs once for every process: its try ahead of the pause, dropped, sends nothing", async () => {
    await upgradedOnce(`codeChange(_old, state, _extra, ctx) {
    return Promise.resolve().then(() => {
      ctx.send(ctx.self, "migrated");
      return { ...state, vsn: "2" };
    });
  },`);
  });

  it("whose promise rejects rolls every process back, each codeChange having run once", async () => {
    const root = tempRoot();
    writeApp(root, "1.0.0", "1", "");
    expect((await relx(root, ["build"])).code).toBe(0);
    expect((await relx(root, ["start"])).code).toBe(0);
    writeApp(root, "2.0.0", "2", `codeChange(_old, state, _extra, ctx) {
    ctx.send(ctx.self, "migrated");
    return state.n === 2 ? Promise.reject(new Error("p2 cannot migrate")) : { ...state, vsn: "2" };
  },`);
    expect((await relx(root, ["build"])).code).toBe(0);
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code).toBe(1);
    expect(up.json).toMatchObject({ ok: false, rolledBack: true, error: { code: "RELX_CODE_CHANGE_FAILED", process: "p2" } });
    expect(up.json.error.message).toContain("p2 cannot migrate");
    // The old code handled what the codeChanges sent, once each.
    for (const n of [1, 2, 3]) {
      expect((await relxJson(root, ["call", `p${n}`, '"get"'])).json).toEqual({ n, migrated: 1, vsn: "1" });
    }
  });
});
