// User code can throw, or return, anything. A process whose callback throws null, an object with
// no prototype, or one whose message getter or toString throws, or returns a result whose `then`,
// `state` or `reply` cannot be read, or that JSON cannot show, crashes and is restarted as for
// any throw: it is never left busy for good, and the caller gets RELX_CALLBACK_FAILED. A stray
// throw of such a value that relx cannot attribute is logged, and the daemon carries on.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";
import { writeFiles } from "../support/write-files.mjs";

const CASES: Record<string, string> = {
  throwsNull: "throw null;",
  throwsBareObject: "throw Object.create(null);",
  throwsUnprintable: 'throw { toString() { throw new Error("no string"); } };',
  throwsErrorWithBadMessage: 'throw new Proxy(new Error("px"), { get() { throw new Error("trap"); } });',
  thenGetterThrows: 'return { get then() { throw new Error("no then"); } };',
  thenThrows: 'return { then() { throw new Error("then threw"); } };',
  stateGetterThrows: 'return { get state() { throw new Error("no state"); }, reply: 1 };',
  replyGetterThrows: 'return { state, get reply() { throw new Error("no reply"); } };',
  hasTrapThrows: 'return new Proxy({}, { has() { throw new Error("no has"); } });',
  malformedBigInt: "return { reply: 1n };",
  replyRejects: 'return { reply: Promise.reject(new Error("nope")), state };',
  malformedCycle: "const o = { reply: 1 }; o.self = o; return o;",
  ownsUnclosable: 'ctx.own({ get close() { throw new Error("no close"); } }); ctx.own(new Proxy({}, { get() { throw new Error("trap"); } })); throw new Error("and crashes");',
};

let root: string;
beforeAll(async () => {
  root = tempRoot({ scope: "file" });
  const names = Object.keys(CASES);
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "hostile-callbacks", version: "1.0.0", type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: ${JSON.stringify(names)}.map((name) => ({ name, server: "H", args: {} })) });
`,
    "src/h.ts": `import { defineServer } from "relx";
const cases = {
${names.map((n) => `  ${n}(state, ctx) { ${CASES[n]} },`).join("\n")}
};
import { existsSync } from "node:fs";
// Stray throws of values with no string form, from a timer no process owns, once the test asks.
const stray = setInterval(() => {
  if (!existsSync(${JSON.stringify(join(root, "stray"))})) return;
  clearInterval(stray);
  setTimeout(() => { throw null; }, 0);
  setTimeout(() => { Promise.reject(Object.create(null)); }, 10);
}, 10);
export default defineServer({
  name: "H",
  init: () => ({ calls: 0 }),
  handleCall(msg, _from, state, ctx) {
    if (cases[msg]) return cases[msg](state, ctx);
    return { reply: state, state: { calls: state.calls + 1 } };
  },
});
`,
  });
  expect((await relx(root, ["build"])).code).toBe(0);
  const start = await relx(root, ["start"]);
  expect(start.code, start.stderr).toBe(0);
});
afterAll(cleanupAllRoots);

describe("a callback that throws or returns what cannot be read", () => {
  it.each(Object.keys(CASES))("%s: the caller gets RELX_CALLBACK_FAILED and the process answers again", async (name) => {
    const failed = await relxJson(root, ["call", name, JSON.stringify(name)]);
    expect(failed.code).toBe(1);
    expect(failed.json).toMatchObject({ ok: false, error: { code: "RELX_CALLBACK_FAILED" } });
    const again = await relxJson(root, ["call", name, '"get"']);
    expect(again, JSON.stringify(again.json)).toMatchObject({ code: 0, json: { calls: 0 } });
  });

  it("a reply that is a promise that rejects is the process's failure, not relx's", async () => {
    const failed = await relxJson(root, ["call", "replyRejects", '"replyRejects"']);
    expect(failed.json.error.message).toBe("the reply of replyRejects was a promise that rejected: nope");
    expect(failed.json.error.hint).not.toMatch(/bug in relx/);
  });

  it("a stray throw of null or of an object with no prototype is logged, and the daemon carries on", async () => {
    writeFileSync(join(root, "stray"), "");
    const log = join(root, ".relx", "log", "daemon.log");
    await waitFor(() => readFileSync(log, "utf8").includes("unhandled rejection, daemon carries on"), "the stray rejection in the log");
    expect(readFileSync(log, "utf8")).toContain("uncaught exception, daemon carries on: null");
    expect((await relx(root, ["ping"])).code).toBe(0);
  });
});
