/**
 * Apps for the check-upgrade tests, built into real releases with the real CLI in short temp roots
 * (the integration harness's): the bank example v1 → v2, a bank whose v2 codeChange cannot take a
 * null money, and an app with one server per way a codeChange can fail.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { applyV2, copyExample, relx, tempRoot, writeFiles } from "../integration/harness.js";

/** `relx build [--vsn X]` in root; fails the test with relx's stderr when it fails. */
export async function build(root: string, vsn?: string): Promise<void> {
  const r = await relx(root, vsn === undefined ? ["build"] : ["build", "--vsn", vsn]);
  expect(r.code, r.stderr).toBe(0);
}

/** The bank example with releases 1.0.0 and 2.0.0 (v2's DemoServer, or `v2` as its source). */
export async function bankRoot(v2?: string): Promise<string> {
  const root = tempRoot();
  copyExample(root);
  await build(root);
  if (v2 === undefined) applyV2(root);
  else writeFiles(root, { "src/demo_server.ts": v2 });
  await build(root, "2.0.0");
  return root;
}

/** A v2 DemoServer that rounds money to cents on the way up: it throws on a null money. */
export const CENTS_V2 = `import { defineServer } from "relx";
export default defineServer({
  name: "DemoServer",
  vsn: "2",
  init: (employee: any) => employee,
  codeChange(oldVsn: any, state: any) {
    if (oldVsn === "1") return { name: state.name, salary: Number(state.money.toFixed(2)) };
    return { name: state.name, money: state.salary };
  },
});
`;

export interface RecordedAccount {
  name: string;
  money: number | null;
}

/** A `relx state --all --json` document of DemoServer v1 processes, written to root/states.json. */
export function writeStates(root: string, accounts: RecordedAccount[]): string {
  const processes = accounts.map((a, i) => ({ name: a.name, pid: `<0.${i + 1}.0>`, server: "DemoServer", vsn: "1", state: a }));
  const file = join(root, "states.json");
  writeFileSync(file, JSON.stringify({ processes }));
  return file;
}

/** How each server of the "ways" app's 2.0.0 treats codeChange. */
const WAYS: Record<string, string> = {
  Fine: `codeChange(oldVsn: any, state: any) { return typeof oldVsn === "string" ? { ...state, v: 2 } : { money: state.money }; }`,
  Hangs: `codeChange() { return new Promise(() => {}); }`,
  Loops: `codeChange() { for (;;) {} }`,
  LoopsAfterAwait: `async codeChange(oldVsn: any, state: any) { await null; if (typeof oldVsn !== "string") for (;;) {} return state; }`,
  Lossy: `codeChange(oldVsn: any, state: any) { return typeof oldVsn === "string" ? { cents: state.money * 100 } : { money: 0 }; }`,
  Chatty: `codeChange(oldVsn: any, state: any) { console.log("migrating", JSON.stringify(oldVsn)); return state; }`,
  NeedsExtra: `codeChange(oldVsn: any, state: any, extra: any) { if (extra?.go !== true) throw new Error("run me with extra { go: true }"); return state; }`,
};

/**
 * The "ways" app, releases 1.0.0 and 2.0.0: one boot process per server of WAYS (named after it,
 * lower-cased, args { money: 5 }), and in 2.0.0 a new server Added; 1.0.0 also has Gone, which
 * 2.0.0 removes. codeChangeTimeoutMs is 300, so that each hang fails fast.
 */
export async function waysRoot(): Promise<string> {
  const root = tempRoot();
  const servers = Object.keys(WAYS);
  const app = (names: string[]) => `import { defineApp } from "relx";
export default defineApp({ processes: ${JSON.stringify(names.map((s) => ({ name: s.toLowerCase(), server: s, args: { money: 5 } })))} });
`;
  const server = (name: string, vsn: string, extra = "") => `import { defineServer } from "relx";
export default defineServer({ name: "${name}", vsn: "${vsn}", init: (args: any) => args, ${extra} });
`;
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "ways", version: "1.0.0", type: "module", relx: { codeChangeTimeoutMs: 300 } }),
    "src/app.ts": app([...servers, "Gone"]),
    "src/gone.ts": server("Gone", "1"),
    ...Object.fromEntries(servers.map((s) => [`src/${s.toLowerCase()}.ts`, server(s, "1")])),
  });
  await build(root);
  writeFiles(root, {
    "src/app.ts": app([...servers, "Added"]),
    "src/added.ts": server("Added", "1"),
    ...Object.fromEntries(servers.map((s) => [`src/${s.toLowerCase()}.ts`, server(s, "2", WAYS[s])])),
  });
  rmSync(join(root, "src/gone.ts"));
  await build(root, "2.0.0");
  return root;
}

/**
 * The bank whose boot spec takes blackode's money from the app's config: `start` (BANK_START,
 * default 100) and a required `owner` (BANK_OWNER). Its 2.0.0 refuses, on the way up, more money
 * than 1,000, so a check from init shows which config it ran with.
 */
export async function configuredBankRoot(): Promise<string> {
  const root = tempRoot();
  copyExample(root);
  writeFiles(root, {
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({
  config: { start: { env: "BANK_START", type: "number", default: 100 }, owner: { env: "BANK_OWNER", type: "string" } },
  processes: (config: any) => [{ name: "blackode", server: "DemoServer", args: { name: config.owner, money: config.start } }],
});
`,
  });
  await build(root);
  writeFiles(root, {
    "src/demo_server.ts": CENTS_V2.replace(`if (oldVsn === "1")`, `if (oldVsn === "1" && state.money > 1000) throw new Error("too rich: " + state.money);\n    if (oldVsn === "1")`),
  });
  await build(root, "2.0.0");
  return root;
}
