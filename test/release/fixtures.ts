/**
 * Fixture apps for the release tests, written into fresh temp directories: the seed's bank with
 * DemoServer v1 ({ name, money }) and v2 ({ name, salary }, vsn "2", codeChange), in TypeScript or
 * plain JavaScript.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";

const made: string[] = [];

/** A fresh temp dir, removed after the current test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "relx-rel-"));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), text);
  }
}

export interface BankOptions {
  version?: string;
  demo?: 1 | 2;
  lang?: "ts" | "js";
  /** Extra package.json fields. */
  pkg?: Record<string, unknown>;
}

/** Writes (or rewrites) the bank app at `root`. */
export async function writeBank(root: string, options: BankOptions = {}): Promise<void> {
  const { version = "1.0.0", demo = 1, lang = "ts" } = options;
  const pkg = { name: "bank", version, type: "module", private: true, ...options.pkg };
  await writeFiles(root, {
    "package.json": JSON.stringify(pkg, null, 2),
    [`src/app.${lang}`]: APP,
    [`src/demo_server.${lang}`]: demo === 1 ? demoV1(lang) : demoV2(lang),
    [`src/counter.${lang}`]: COUNTER,
  });
}

/** A fresh temp dir holding the bank app. */
export async function makeBank(options: BankOptions = {}): Promise<string> {
  const root = await tempDir();
  await writeBank(root, options);
  return root;
}

const APP = `import { defineApp } from "relx";
export default defineApp({
  processes: [
    { name: "blackode", server: "DemoServer", args: { name: "blackode", money: 30000 }, restart: "permanent" },
    { name: "counter", server: "Counter", args: 0 },
  ],
});
`;

/** A server with no vsn that never changes: its effective vsn stays the release it first shipped in. */
const COUNTER = `import { defineServer } from "relx";
export default defineServer({
  name: "Counter",
  init(n) { return n; },
  handleCall(msg, from, n) { return { reply: n + 1, state: n + 1 }; },
});
`;

function demoV1(lang: "ts" | "js"): string {
  const types = lang === "ts" ? "interface State { name: string; money: number }\n" : "";
  const s = lang === "ts" ? ": State" : "";
  return `import { defineServer } from "relx";
${types}export default defineServer({
  name: "DemoServer",
  vsn: "1",
  init(args${s}) { return { name: args.name, money: args.money }; },
  handleCall(msg${lang === "ts" ? ": { add: number }" : ""}, from${lang === "ts" ? ": unknown" : ""}, state${s}) {
    return { reply: \`\${msg.add} added to \${state.name} \`, state: { ...state, money: state.money + msg.add } };
  },
});
`;
}

function demoV2(lang: "ts" | "js"): string {
  const types = lang === "ts" ? "interface State { name: string; salary: number }\n" : "";
  const s = lang === "ts" ? ": State" : "";
  const any = lang === "ts" ? ": any" : "";
  return `import { defineServer } from "relx";
${types}export default defineServer({
  name: "DemoServer",
  vsn: "2",
  init(args${any}) { return { name: args.name, salary: args.salary ?? args.money }; },
  handleCall(msg${any}, from${any}, state${s}) {
    return { reply: \`\${msg.add} added to \${state.name}'s salary\`, state: { ...state, salary: state.salary + msg.add } };
  },
  codeChange(oldVsn${any}, state${any})${any} {
    if (typeof oldVsn === "object") return { name: state.name, money: state.salary };
    return { name: state.name, salary: state.money };
  },
});
`;
}

/** What the daemon passes as the "relx" host module, reduced to what fixture code uses. */
export const HOST = { relx: { defineServer: <T>(def: T): T => def, defineApp: <T>(spec: T): T => spec } };
