// `relx start` that cannot boot fails loudly and cleanly: exit 1, the reason and the daemon log's
// tail on stderr, a hint naming the next command, and no daemon, socket or pid file left behind;
// or, for an env file that is not there, refuses before it starts anything.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { builtExample, copyExample } from "../fixtures/bank.js";
import { daemonsOf } from "../support/daemon.js";
import { BIN } from "../support/paths.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

async function expectNothingLeft(root: string): Promise<void> {
  await waitFor(() => daemonsOf(root).length === 0, `the daemon of ${root} to exit`);
  expect(existsSync(join(root, ".relx", "relx.sock"))).toBe(false);
  expect(existsSync(join(root, ".relx", "relx.pid"))).toBe(false);
  expect((await relx(root, ["ping"])).code).toBe(3);
}

describe("relx start that cannot boot", () => {
  it("exits 1 with the boot process's error and the log's tail when its init throws", async () => {
    const root = tempRoot();
    const marker = join(root, "terminated.txt");
    writeFiles(root, {
      "package.json": JSON.stringify({ name: "fragile", version: "1.0.0", type: "module" }),
      "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [
  { name: "cache", server: "Cache", args: { marker: ${JSON.stringify(marker)} } },
  { name: "db", server: "Db", args: { url: "postgres://nowhere" } },
] });
`,
      "src/cache.ts": `import { writeFileSync } from "node:fs";
import { defineServer } from "relx";
export default defineServer({
  name: "Cache",
  init: (args: { marker: string }) => args,
  terminate(reason, state: { marker: string }) { writeFileSync(state.marker, String(reason)); },
});
`,
      "src/db.ts": `import { defineServer } from "relx";
export default defineServer({
  name: "Db",
  init(args: { url: string }) { throw new Error("cannot reach " + args.url); },
});
`,
    });
    expect((await relx(root, ["build"])).code).toBe(0);
    const r = await relx(root, ["start"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const stderr = r.stderr.split("\n");
    expect(stderr[0]).toMatch(/^relx: .*db.*cannot reach postgres:\/\/nowhere/);
    expect(r.stderr).toMatch(/^hint: /m);
    // The tail of this daemon's log, down to its last line.
    const log = readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8").trimEnd().split("\n");
    expect(r.stderr).toContain(log.at(-1)!.trim());
    expect(r.stderr).toContain("cannot reach postgres://nowhere");
    await expectNothingLeft(root);
    // The process that had started was stopped properly on the way out.
    expect(readFileSync(marker, "utf8")).toBe("shutdown");
  });

  it("returns only once the daemon that failed has exited, however long its exit takes", async () => {
    const root = tempRoot();
    // The app's module holds the daemon's exit for half a second (an exit listener runs inside
    // process.exit): without waiting for the exit, relx start returned while it still ran.
    writeFiles(root, {
      "package.json": JSON.stringify({ name: "slowexit", version: "1.0.0", type: "module" }),
      "src/app.ts": `import { defineApp } from "relx";
process.on("exit", () => { const until = Date.now() + 500; while (Date.now() < until); });
export default defineApp({ processes: [{ name: "db", server: "Db", args: null }] });
`,
      "src/db.ts": `import { defineServer } from "relx";
export default defineServer({ name: "Db", init() { throw new Error("no database"); } });
`,
    });
    expect((await relx(root, ["build"])).code).toBe(0);
    const r = await relx(root, ["start"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no database");
    expect(daemonsOf(root)).toEqual([]);
    expect((await relx(root, ["ping"])).code).toBe(3);
  });

  it("exits 1 naming relx build when there is no release", async () => {
    const root = tempRoot();
    copyExample(root);
    const r = await relx(root, ["start"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^relx: /);
    expect(r.stderr).toMatch(/^hint: .*relx build/m);
    const json = await relxJson(root, ["start"]);
    expect(json).toMatchObject({ code: 1, json: { ok: false, error: { hint: expect.stringContaining("relx build") } } });
    await expectNothingLeft(root);
  });

  it("exits 1 with RELX_SOCKET_PATH_TOO_LONG when the configured socket path cannot be bound", async () => {
    const root = tempRoot();
    copyExample(root);
    const socket = `${"s".repeat(120)}.sock`;
    writeFiles(root, { "relx.config.json": JSON.stringify({ socket }) });
    expect((await relx(root, ["build"])).code).toBe(0);
    const r = await relxJson(root, ["start"]);
    expect(r).toMatchObject({ code: 1, json: { ok: false, error: { code: "RELX_SOCKET_PATH_TOO_LONG" } } });
    expect(r.json.error.message).toContain(socket);
    const human = await relx(root, ["start"]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^hint: .*socket/m);
    await waitFor(() => daemonsOf(root).length === 0, "no daemon");
    expect(existsSync(join(root, socket))).toBe(false);
    expect(existsSync(join(root, ".relx", "relx.pid"))).toBe(false);
  });

  it("refuses an --env-file that is missing or not a file with RELX_BAD_ARGUMENT naming it, run as a program or by node --", async () => {
    const root = tempRoot();
    await builtExample(root);
    const releases = readFileSync(join(root, "releases", "RELEASES"), "utf8");
    // As a shell runs it (bin/relx's own #! line), with this test's node first on PATH; and as a
    // unit's ExecStart runs it. Node alone would take --env-file for its own option and exit 9.
    const asProgram = (args: string[], cwd = root) => run(BIN, args, cwd);
    const byNode = (args: string[]) => run(process.execPath, ["--", BIN, ...args], root);

    const missing = join(root, "nowhere", "prod.env");
    for (const r of [await asProgram(["start", "--env-file", missing, "--root", root]), await byNode(["start", "--env-file", missing, "--root", root])]) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.split("\n")[0]).toBe(`relx: the env file ${missing} does not exist`);
      expect(r.stderr).toMatch(/^hint: create the file .*--env-file/m);
    }
    const json = await asProgram(["start", "--env-file=prod.env", "--root", root, "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: "RELX_BAD_ARGUMENT", message: `the env file ${join(root, "prod.env")} does not exist` } });
    mkdirSync(join(root, "conf.env"));
    const dir = await asProgram(["start", "--env-file", "conf.env", "--root", root]);
    expect(dir.stderr).toMatch(/^relx: the env file .*conf\.env is a directory$/m);

    expect(daemonsOf(root)).toEqual([]);
    expect(existsSync(join(root, ".relx"))).toBe(false);
    expect(readFileSync(join(root, "releases", "RELEASES"), "utf8")).toBe(releases);
  });
});

function run(file: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env, RELX_SOCKET: undefined, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
  return new Promise((done) => {
    execFile(file, args, { cwd, env }, (err, stdout, stderr) => done({ code: err === null ? 0 : typeof err.code === "number" ? err.code : null, stdout, stderr }));
  });
}
