// Issue 9, finding 3 (and the dangling socket link of finding 10): the daemon's files live only
// where no other user can reach them. A .relx, .relx/log or socket directory that is a symbolic
// link, belongs to another user or is writable by group or others is refused by `relx start`,
// with the fix to run, and nothing is written through it.
import { chownSync, chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { builtExample } from "../fixtures/bank.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";

const NOBODY = 65534;

afterEach(cleanupRoots);

/** A directory outside the app root, removed after the test. */
const otherDir = (): string => tempRoot();

async function builtApp(): Promise<string> {
  const root = tempRoot();
  await builtExample(root);
  return root;
}

/** Every file under `dir` with its content (links by their target), to see that nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    out[name] = stat.isSymbolicLink() ? `-> ${readlinkSync(path)}` : stat.isFile() ? readFileSync(path, "utf8") : `mode ${stat.mode}`;
  }
  return out;
}

async function expectRefused(root: string, args: string[], message: RegExp, hint: RegExp): Promise<void> {
  const json = await relxJson(root, ["start", ...args]);
  expect(json.code, JSON.stringify(json.json)).toBe(1);
  expect(json.json.error).toMatchObject({ code: "RELX_UNSAFE_PATH" });
  expect(json.json.error.message).toMatch(message);
  expect(json.json.error.hint).toMatch(hint);
  const human = await relx(root, ["start", ...args]);
  expect(human.code).toBe(1);
  expect(human.stderr).toMatch(/^relx: /);
  expect(human.stderr).toMatch(/^hint: /m);
  expect((await relx(root, ["ping", ...args])).code).toBe(3);
}

describe("relx start and the daemon's private files", () => {
  it("refuses a .relx that links to another user's directory, and appends nothing to the file its log links to", async () => {
    const root = await builtApp();
    const victim = join(otherDir(), "root-owned.conf");
    writeFileSync(victim, "precious\n");
    const evil = otherDir();
    mkdirSync(join(evil, "log"));
    symlinkSync(victim, join(evil, "log", "daemon.log"));
    chownSync(evil, NOBODY, NOBODY);
    chownSync(join(evil, "log"), NOBODY, NOBODY);
    symlinkSync(evil, join(root, ".relx"));
    const before = snapshot(evil);

    const dotRelx = join(root, ".relx");
    await expectRefused(root, [], new RegExp(`^${dotRelx} is a symbolic link \\(to ${evil}\\)`), new RegExp(`rm ${dotRelx}`));
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(snapshot(evil)).toEqual(before);

    // The fix the hint names works.
    rmSync(dotRelx);
    const started = await relx(root, ["start"]);
    expect(started.code, started.stderr).toBe(0);
    expect(lstatSync(dotRelx).isDirectory()).toBe(true);
  });

  it("refuses a .relx that other users can write (mode 0777), with the chmod that fixes it", async () => {
    const root = await builtApp();
    const dotRelx = join(root, ".relx");
    mkdirSync(dotRelx);
    chmodSync(dotRelx, 0o777);
    await expectRefused(root, [], new RegExp(`^${dotRelx} is writable by group and others \\(mode 0777\\)`), new RegExp(`chmod 700 ${dotRelx}`));
    expect(readdirSync(dotRelx)).toEqual([]);

    chmodSync(dotRelx, 0o700);
    const started = await relx(root, ["start"]);
    expect(started.code, started.stderr).toBe(0);
  });

  it("refuses a .relx and a .relx/log that belong to another user", async () => {
    const root = await builtApp();
    const dotRelx = join(root, ".relx");
    mkdirSync(dotRelx, { mode: 0o700 });
    chownSync(dotRelx, NOBODY, NOBODY);
    await expectRefused(root, [], new RegExp(`^${dotRelx} belongs to uid ${NOBODY}, not to uid ${process.geteuid!()}`), new RegExp(`rm -rf ${dotRelx}`));
    expect(readdirSync(dotRelx)).toEqual([]);

    chownSync(dotRelx, process.geteuid!(), process.getegid!());
    const logDir = join(dotRelx, "log");
    mkdirSync(logDir, { mode: 0o700 });
    chownSync(logDir, NOBODY, NOBODY);
    await expectRefused(root, [], new RegExp(`^${logDir} belongs to uid ${NOBODY}`), new RegExp(`rm -rf ${logDir}`));
    expect(readdirSync(logDir)).toEqual([]);
  });

  it("does not follow a .relx/log/daemon.log that is a symbolic link", async () => {
    const root = await builtApp();
    const victim = join(otherDir(), "root-owned.conf");
    writeFileSync(victim, "precious\n");
    mkdirSync(join(root, ".relx", "log"), { recursive: true, mode: 0o700 });
    const log = join(root, ".relx", "log", "daemon.log");
    symlinkSync(victim, log);
    await expectRefused(root, [], new RegExp(`^${log} is a symbolic link`), new RegExp(`rm ${log}`));
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
  });

  it("refuses a socket directly in /tmp, or in a directory others can write, suggesting a private directory", async () => {
    const root = await builtApp();
    const inTmp = join(tmpdir(), `rx-${process.pid}-${Date.now()}.sock`);
    await expectRefused(root, ["--socket", inTmp], new RegExp(`^${tmpdir()} is writable by group and others \\(mode 1777\\)`), /private directory: pass --socket/);
    const shared = (await relxJson(root, ["start", "--socket", inTmp])).json.error.hint as string;
    expect(shared).not.toMatch(/chmod/);
    expect(shared).not.toMatch(/\/tmp\/[^/]+\.sock/);
    expect(existsSync(inTmp)).toBe(false);

    const open = join(otherDir(), "run");
    mkdirSync(open);
    chmodSync(open, 0o777);
    await expectRefused(root, ["--socket", join(open, "app.sock")], new RegExp(`^${open} is writable by group and others`), new RegExp(`chmod go-w ${open}`));
    expect(readdirSync(open)).toEqual([]);
  });

  it("reports a dangling symbolic link at the socket path as a link, not as a running daemon, and leaves it", async () => {
    const root = await builtApp();
    const socket = join(root, ".relx", "relx.sock");
    mkdirSync(join(root, ".relx"), { mode: 0o700 });
    symlinkSync("/nonexistent/relx.sock", socket);
    const json = await relxJson(root, ["start"]);
    expect(json.code).toBe(1);
    expect(json.json.error).toMatchObject({ code: "RELX_BAD_CONFIG", hint: expect.stringContaining(`rm ${socket}`) });
    expect(json.json.error.message).toBe(`${socket} is a symbolic link (to /nonexistent/relx.sock, which does not exist), not a socket; relx will not listen through it or remove it`);
    expect(json.json.error.message).not.toMatch(/already/);
    expect(lstatSync(socket).isSymbolicLink()).toBe(true);
    expect((await relx(root, ["ping"])).code).toBe(3);
  });
});
