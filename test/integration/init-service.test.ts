// `relx init` scaffolds an app that builds, starts and hot-upgrades as written, with no npm install;
// `relx service` prints a systemd unit whose ExecStart really runs this root's node; the container
// recipe of docs/operating.md runs as written (its relx commands, not Docker itself).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, REPO } from "../support/paths.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";

const children: ChildProcess[] = [];

afterEach(async (ctx) => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await cleanupRoots(ctx);
});

async function ok(root: string, args: string[]): Promise<string> {
  const r = await relx(root, args);
  expect(r.code, `relx ${args.join(" ")}: ${r.stdout}${r.stderr}`).toBe(0);
  return r.stdout;
}

/** Runs `argv` in `cwd` as a node runs under systemd or in a container; resolves on its exit code. */
function runNode(argv: string[], cwd: string): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((done) => child.once("close", (code) => done(code)));
  return { child, exited, output: () => output };
}

/** Until `root` answers ping; fails early with the node's output if it exited. */
async function untilUp(root: string, node: ReturnType<typeof runNode>): Promise<void> {
  await waitFor(async () => {
    if (node.child.exitCode !== null) throw new Error(`the node exited (${node.child.exitCode}):\n${node.output()}`);
    return (await relx(root, ["ping"])).code === 0;
  }, "the node to answer ping");
}

const GREETER_V2 = `import { defineServer } from "relx";

interface State { greeting: string; count: number }

export default defineServer({
  name: "Greeter",
  vsn: "2",
  init: (args: { greeting: string }): State => ({ greeting: args.greeting, count: 0 }),
  handleCall(msg: { greet: string }, _from, state: State) {
    const count = state.count + 1;
    return { reply: { text: state.greeting + " again, " + msg.greet, count }, state: { ...state, count } };
  },
  codeChange(oldVsn, state: any) {
    if (oldVsn === "1") return { greeting: state.greeting, count: state.greeted };
    return state;
  },
});
`;

describe("relx init", () => {
  it("scaffolds an app that type-checks, builds, starts, answers and hot-upgrades with no npm install", async () => {
    const root = tempRoot();
    // The next steps it prints are the ones this test then takes.
    const printed = await ok(root, ["init", root]);
    expect(printed).toMatch(/relx build[\s\S]*relx start[\s\S]*relx call greeter '\{"greet":"world"\}'[\s\S]*relx upgrade/);
    expect(readFileSync(join(root, ".gitignore"), "utf8")).toMatch(/^\.relx\/$/m);
    expect(readFileSync(join(root, "src", "greeter.ts"), "utf8")).toMatch(/codeChange\(/);
    expect(JSON.parse(readFileSync(join(root, "package.json"), "utf8"))).toMatchObject({ name: expect.stringMatching(/^rx-/), version: "1.0.0", type: "module" });
    expect(existsSync(join(root, "node_modules"))).toBe(false);

    // A second init, into what is now a non-empty directory, is refused and changes nothing.
    const before = readFileSync(join(root, "package.json"), "utf8");
    const again = await relxJson(root, ["init", root]);
    expect(again).toMatchObject({ code: 1, json: { ok: false, error: { code: "RELX_DIR_NOT_EMPTY", hint: expect.stringMatching(/relx init <dir>/) } } });
    expect(readFileSync(join(root, "package.json"), "utf8")).toBe(before);

    // --json, into a directory that does not exist yet.
    const fresh = join(tempRoot(), "Fresh App");
    const made = await relxJson(fresh, ["init", fresh]);
    expect(made).toMatchObject({ code: 0, json: { ok: true, dir: fresh, name: "fresh-app" } });
    expect([...made.json.files].sort()).toEqual([".gitignore", "README.md", "package.json", "src/app.ts", "src/greeter.ts", "tsconfig.json"]);

    // Type-checked too: its `import "relx"` resolves with no node_modules.
    await ok(root, ["build", "--typecheck"]);
    await ok(root, ["start"]);
    expect((await relxJson(root, ["call", "greeter", '{"greet":"world"}'])).json).toBe("Hello, world! (#1)");
    expect((await relxJson(root, ["call", "greeter", '{"greet":"you"}'])).json).toBe("Hello, you! (#2)");
    expect(await ok(root, ["logs"])).toMatch(/\[greeter <0\.\d+\.0>\] greeter starting with "Hello"/);

    // Version 2, as a user would write it: a new vsn, a renamed field, a codeChange for "1".
    writeFileSync(join(root, "src", "greeter.ts"), GREETER_V2);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    writeFileSync(join(root, "package.json"), JSON.stringify({ ...pkg, version: "1.1.0" }, null, 2));
    await ok(root, ["build"]);
    const up = await relxJson(root, ["upgrade", "1.1.0"]);
    expect(up.code, JSON.stringify(up.json)).toBe(0);
    expect(up.json.changed).toEqual([{ name: "greeter", server: "Greeter", fromVsn: "1", toVsn: "2" }]);
    expect((await relxJson(root, ["call", "greeter", '{"greet":"world"}'])).json).toEqual({ text: "Hello again, world", count: 3 });
  });
});

/** ExecStart's arguments, unquoted as systemd does (double quotes, backslash escapes, %% and $$). */
function execStartOf(unit: string): string[] {
  const line = unit.split("\n").find((l) => l.startsWith("ExecStart="))!.slice("ExecStart=".length);
  const args: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    const raw = m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]!;
    args.push(raw.replace(/%%/g, "%").replace(/\$\$/g, "$"));
  }
  return args;
}

function unitValue(unit: string, key: string): string | undefined {
  return unit.split("\n").find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
}

describe("the boot spec's types", () => {
  it("type-check a config schema, processes as a function of it, and hooks, as docs/services.md writes them", async () => {
    const root = tempRoot();
    await ok(root, ["init", root]);
    const app = (processes: string) => `import { defineApp } from "relx";
export default defineApp({
  config: {
    greeting: { env: "GREETING", type: "string", default: "Hello" },
    port: { env: "PORT", type: "number", default: 4567 },
    token: { env: "TOKEN", type: "string", sensitive: true },
  },
  processes: ${processes},
  hooks: {
    beforeUpgrade({ from, to, direction }) { console.log("before", from, to, direction === "up"); },
    afterUpgrade({ from, to, direction }) { console.log("after", from, to, direction); },
    afterStart({ vsn }) { console.log("started", vsn.length); },
    async beforeStop({ vsn }) { console.log("stopping", vsn); },
  },
});
`;
    writeFileSync(join(root, "src", "app.ts"),
      app(`(config) => [{ name: "greeter", server: "Greeter", args: { greeting: config.greeting.toUpperCase(), port: config.port + 1 } }]`));
    await ok(root, ["build", "--typecheck"]);
    // The values are typed by the schema: a key it does not declare is a type error.
    writeFileSync(join(root, "src", "app.ts"), app(`(config) => [{ name: "greeter", server: "Greeter", args: { port: config.prot } }]`));
    const bad = await relxJson(root, ["build", "--typecheck", "--vsn", "1.0.1"]);
    expect(bad.code).toBe(1);
    expect(bad.json.error.message).toMatch(/src\/app\.ts:\d+:\d+: Property 'prot' does not exist/);
  });
});

describe("relx service", () => {
  it("prints a unit naming this root, node and relx by absolute path, whose ExecStart runs the node in the foreground", async () => {
    const base = tempRoot();
    // A root with a space and a percent sign: both must reach relx as they are.
    const root = join(base, "my app%1");
    mkdirSync(root);
    await ok(root, ["init", root]);
    await ok(root, ["build"]);

    const { code, json } = await relxJson(root, ["service"]);
    expect(code).toBe(0);
    const unit = json.unit as string;
    expect(execStartOf(unit)).toEqual([process.execPath, "--", BIN, "start", "--foreground", "--root", root]);
    expect(json.execStart).toEqual(execStartOf(unit));
    expect(unitValue(unit, "WorkingDirectory")).toBe(`"${join(base, "my app%%1")}"`);
    expect(unitValue(unit, "Restart")).toBe("on-failure");
    expect(unitValue(unit, "KillSignal")).toBe("SIGTERM");
    expect(unit).toMatch(/^\[Service\]$/m);
    expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
    // Without --json, stdout is the unit itself, ready for `| sudo tee`.
    expect(await ok(root, ["service"])).toBe(unit);

    writeFileSync(join(root, "other.env"), "GREETING=Hi\n");
    const named = await relxJson(root, ["service", "--env-file", join(root, "other.env")]);
    expect(execStartOf(named.json.unit)).toEqual([process.execPath, "--", BIN, "start", "--foreground", "--root", root, "--env-file", join(root, "other.env")]);

    // The env file of the config, by its absolute path; and what systemd would run, run, with it:
    // the app reads its config from the file, and SIGTERM (KillSignal) stops it with exit 0.
    writeFileSync(join(root, "relx.config.json"), JSON.stringify({ envFile: "prod.env" }));
    writeFileSync(join(root, "prod.env"), "GREETING=Howdy\n");
    writeFileSync(join(root, "src", "app.ts"), `import { defineApp } from "relx";
export default defineApp({
  config: { greeting: { env: "GREETING", type: "string", default: "Hello" } },
  processes: (config) => [{ name: "greeter", server: "Greeter", args: { greeting: config.greeting } }],
});
`);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    writeFileSync(join(root, "package.json"), JSON.stringify({ ...pkg, version: "1.1.0" }));
    await ok(root, ["build"]);
    const configured = (await relxJson(root, ["service"])).json;
    expect(configured.envFile).toBe(join(root, "prod.env"));
    const argv = execStartOf(configured.unit);
    expect(argv).toEqual([process.execPath, "--", BIN, "start", "--foreground", "--root", root, "--env-file", join(root, "prod.env")]);
    const node = runNode(argv, unitValue(configured.unit, "WorkingDirectory")!.replace(/^"|"$/g, "").replace(/%%/g, "%"));
    await untilUp(root, node);
    expect((await relxJson(root, ["call", "greeter", '{"greet":"unit"}'])).json).toBe("Howdy, unit! (#1)");
    node.child.kill("SIGTERM");
    expect(await node.exited, node.output()).toBe(0);
  });
});

describe("the container recipe", () => {
  it("runs its relx steps and its CMD as written (in the app's directory, as WORKDIR)", async () => {
    const doc = readFileSync(join(REPO, "docs", "operating.md"), "utf8");
    const dockerfile = /```dockerfile\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(dockerfile, "a ```dockerfile block in docs/operating.md").toBeDefined();
    const relxInImage = "node_modules/relx/bin/relx";
    const toHere = (argv: string[]): string[] => argv.map((a) => (a === relxInImage ? BIN : a === "node" ? process.execPath : a));

    const root = tempRoot();
    await ok(root, ["init", root]);
    const runs = [...dockerfile!.matchAll(/^RUN (.+)$/gm)].map((m) => m[1]!.split(/\s+/));
    const relxRuns = runs.filter((argv) => argv.includes(relxInImage));
    expect(relxRuns.length, "the recipe builds the release in the image").toBeGreaterThan(0);
    for (const argv of relxRuns) {
      const r = runNode(toHere(argv), root);
      expect(await r.exited, `${argv.join(" ")}:\n${r.output()}`).toBe(0);
    }
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile!)![1]!) as string[];
    expect(cmd.slice(-2)).toEqual(["start", "--foreground"]);
    expect(/^STOPSIGNAL SIGTERM$/m.test(dockerfile!)).toBe(true);

    const node = runNode(toHere(cmd), root);
    await untilUp(root, node);
    expect((await relxJson(root, ["call", "greeter", '{"greet":"container"}'])).json).toBe("Hello, container! (#1)");
    expect(node.output()).toMatch(/\[greeter <0\.\d+\.0>\] greeter starting/);
    node.child.kill("SIGTERM");
    expect(await node.exited, node.output()).toBe(0);
  });
});
