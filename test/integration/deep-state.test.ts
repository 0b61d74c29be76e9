// A process whose state is nested deeper than the stack (a linked list of 20,000 cells) upgrades,
// dry-runs and shows like any other: copyState and the warm-up before an upgrade's pass do not
// recurse into it, and `relx state` shows its first RENDER_DEPTH levels.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

const CELLS = 20_000;

function writeApp(root: string, version: string, vsn: string, codeChange: string): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "deep", version, type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [{ name: "list", server: "List", args: { cells: ${CELLS} } }, { name: "other", server: "Other", args: null }] });
`,
    "src/list.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "List", vsn: "${vsn}",
  init(args) { let head = null; for (let i = 0; i < args.cells; i++) head = { v: i, next: head }; return { head, tags: new Map([["t", { n: 1 }]]) }; },
  handleCall(msg, _from, state) {
    let cells = 0;
    for (let x = state.head; x !== null; x = x.next) cells++;
    return { reply: { vsn: "${vsn}", cells, first: state.head.v, upgraded: state.upgraded ?? false }, state };
  },
  ${codeChange}
});
`,
    "src/other.ts": `import { defineServer } from "relx";
export default defineServer({ name: "Other", vsn: "1", init: () => ({}) });
`,
  });
}

describe("a state nested deeper than the stack", () => {
  it("upgrades (on the fused pass), dry-runs, and shows in relx state", async () => {
    const root = tempRoot();
    writeApp(root, "1.0.0", "1", "");
    expect((await relx(root, ["build"])).code).toBe(0);
    const start = await relx(root, ["start"]);
    expect(start.code, start.stderr).toBe(0);
    writeApp(root, "2.0.0", "2", "codeChange(_old, state) { return { ...state, upgraded: true }; },");
    const built = await relx(root, ["build"]);
    expect(built.code, built.stderr).toBe(0);

    const dry = await relxJson(root, ["upgrade", "2.0.0", "--dry-run"]);
    expect(dry.json).toMatchObject({ ok: true, results: [{ name: "list", ok: true }] });
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code, JSON.stringify(up.json)).toBe(0);
    expect(up.json).toMatchObject({ ok: true, changed: [{ name: "list", fromVsn: "1", toVsn: "2" }] });
    expect((await relxJson(root, ["call", "list", '"get"'])).json).toEqual({ vsn: "2", cells: CELLS, first: CELLS - 1, upgraded: true });

    const state = await relxJson(root, ["state", "list"]);
    expect(state.code, state.stderr).toBe(0);
    expect(state.json.head.v).toBe(CELLS - 1);
    expect(state.json.tags).toEqual([["t", { n: 1 }]]);
    const all = await relxJson(root, ["state", "--all"]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.json.processes.map((p: { name: string }) => p.name)).toEqual(["list", "other"]);

    // What `relx state --all` recorded checks; a hand-made state deeper than relx records is refused by name.
    const recorded = join(root, "states.json");
    writeFileSync(recorded, JSON.stringify({ processes: all.json.processes.map((p: { vsn: string }) => ({ ...p, vsn: "1" })) }));
    const check = await relxJson(root, ["check-upgrade", "1.0.0", "2.0.0", "--states", recorded]);
    expect(check.code, JSON.stringify(check.json)).toBe(0);
    expect(check.json.results).toEqual([{ name: "list", server: "List", up: { ok: true }, down: { ok: true }, roundTrip: true }]);
    const tooDeep = join(root, "too-deep.json");
    const cells = 5000;
    writeFileSync(tooDeep, `{"processes":[{"name":"list","pid":"<0.1.0>","server":"List","vsn":"1","state":{"head":${'{"v":0,"next":'.repeat(cells)}null${"}".repeat(cells)}}}]}`);
    const refused = await relxJson(root, ["check-upgrade", "1.0.0", "2.0.0", "--states", tooDeep]);
    expect(refused.code).toBe(1);
    expect(refused.json.error.code).toBe("RELX_BAD_ARGUMENT");
    expect(refused.json.error.message).toContain("processes[0].state is nested more than 2000 levels deep");
  });

  it("is put back untouched when a codeChange edits it and another process's codeChange throws", async () => {
    const root = tempRoot();
    writeApp(root, "1.0.0", "1", "");
    expect((await relx(root, ["build"])).code).toBe(0);
    expect((await relx(root, ["start"])).code).toBe(0);
    writeApp(root, "2.0.0", "2", "codeChange(_old, state) { state.head.next = null; state.upgraded = true; return state; },");
    writeFiles(root, {
      "src/other.ts": `import { defineServer } from "relx";
export default defineServer({ name: "Other", vsn: "2", init: () => ({}), codeChange() { throw new Error("other refuses"); } });
`,
    });
    expect((await relx(root, ["build"])).code).toBe(0);
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.code).toBe(1);
    expect(up.json).toMatchObject({ ok: false, rolledBack: true, error: { code: "RELX_CODE_CHANGE_FAILED", process: "other" } });
    expect((await relxJson(root, ["call", "list", '"get"'])).json).toEqual({ vsn: "1", cells: CELLS, first: CELLS - 1, upgraded: false });
  });
});
