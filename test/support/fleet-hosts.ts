// The fleet tests' hosts: one loopback sshd, a built app with 1.0.0 and 2.0.0 tarballs, a template
// host root, and the helpers the fleet test files share (test/integration/fleet*.test.ts).

import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { request } from "../../src/client/request.js";
import { socketOf } from "./daemon.js";
import { BIN } from "./paths.js";
import { relx, relxJson } from "./relx.js";
import { startSshd, type Sshd } from "./sshd.js";
import { cleanupAllRoots, cleanupRoots, tempRoot } from "./temp-root.js";
import { writeFiles } from "./write-files.mjs";

export let sshd: Sshd;
export let build: string;
/**
 * A host root with 1.0.0 (permanent) and 2.0.0 installed by `relx unpack`, which is what a push's
 * bridge runs; copied by startFleet.
 */
export let template: string;

function writeSvc(root: string, v2: boolean): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "svc", version: v2 ? "2.0.0" : "1.0.0", type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({
  config: { mode: { env: "HOST_MODE", type: "string", default: "plain" } },
  processes: (c) => [{ name: "counter", server: "Counter", args: { mode: c.mode } }],
});
`,
    "src/counter.ts": `import { existsSync } from "node:fs";
import { defineServer } from "relx";
export default defineServer({
  name: "Counter",
  vsn: "${v2 ? 2 : 1}",
  init: (args) => ({ n: 0, mode: args.mode }),
  handleCall: (msg, _from, state) => {${v2 ? `
    if (msg.health) return { reply: { ok: state.mode !== "sick", mode: state.mode }, state };` : ""}
    const next = { ...state, n: state.n + (msg.add ?? 0) };
    return { reply: { n: next.n, v: ${v2 ? 2 : 1} }, state: next };
  },
  codeChange: (old, state) => {${v2 ? `
    if (typeof old === "object") { const { v2: _x, ...rest } = state; return rest; }
    if (state.mode === "broken") throw new Error("this host's state cannot move to v2");
    if (state.mode === "stuck") return new Promise((done) => { const t = setInterval(() => { if (existsSync("go")) { clearInterval(t); done({ ...state, v2: true }); } }, 20); });
    return { ...state, v2: true };` : `
    return state;`}
  },
});
`,
  });
}

/** Registers the file's hooks: sshd and the template before its tests, every root and sshd cleaned up after. */
export function useFleetHosts(): void {
  beforeAll(async () => {
    sshd = await startSshd();
    build = tempRoot({ scope: "file" });
    writeSvc(build, false);
    expect((await relx(build, ["build", "--tar"])).code).toBe(0);
    writeSvc(build, true);
    const v2 = await relx(build, ["build", "--tar"]);
    expect(v2.code, v2.stderr).toBe(0);
    template = tempRoot({ scope: "file" });
    writeBareHost(template);
    // 1.0.0 made permanent by a first start (then stopped, its .relx removed), 2.0.0 unpacked next to it.
    expect((await relx(template, ["unpack", tarball("1.0.0")])).code).toBe(0);
    expect((await relx(template, ["start"])).code).toBe(0);
    expect((await relx(template, ["stop"])).code).toBe(0);
    rmSync(join(template, ".relx"), { recursive: true, force: true });
    expect((await relx(template, ["unpack", tarball("2.0.0")])).code).toBe(0);
    expect((await relxJson(template, ["releases"])).json.releases).toEqual([{ vsn: "1.0.0", state: "permanent" }, { vsn: "2.0.0", state: "unpacked" }]);
  }, 120_000);
  afterEach(cleanupRoots);
  afterAll(cleanupAllRoots);
  afterAll(() => sshd?.stop());
}

export const tarball = (vsn: string) => join(build, "releases", `svc-${vsn}.tar.gz`);

export interface Hosts {
  coordinator: string;
  /** The coordinator's TMPDIR: where connection sharing keeps its control sockets. */
  tmp: string;
  roots: string[];
  fleetFile: string;
}

export function writeBareHost(root: string): void {
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "svc", version: "0.0.1", type: "module" }),
    // a minute: the SIGKILL test holds host c's codeChange at a gate
    "relx.config.json": JSON.stringify({ codeChangeTimeoutMs: 60_000 }),
  });
}

/**
 * Three roots behind sshd; a fleet file naming them a, b, c (and `extra` hosts). Bare, or copies
 * of the template (both releases installed: nothing in a root records its own path).
 */
export function fleetOf(extra: object[] = [], from: "bare" | "template" = "bare"): Hosts {
  const roots = ["a", "b", "c"].map(() => {
    const r = tempRoot();
    if (from === "bare") writeBareHost(r);
    else cpSync(template, r, { recursive: true });
    return r;
  });
  const coordinator = tempRoot();
  const tmp = join(coordinator, "tmp");
  mkdirSync(tmp);
  const fleetFile = join(coordinator, "relx.fleet.json");
  writeFileSync(fleetFile, JSON.stringify({
    hosts: [...roots.map((root, i) => ({ name: "abc"[i], ssh: "root@127.0.0.1", root })), ...extra],
    sshArgs: sshd.sshArgs,
    relx: `${process.execPath} ${BIN}`,
  }));
  return { coordinator, tmp, roots, fleetFile };
}

/**
 * Three hosts with 1.0.0 and 2.0.0 installed (the first test pushes both, to bare then running
 * hosts; the others start from copies of the template), each daemon started on 1.0.0 with its
 * HOST_MODE (and `env`).
 */
export async function startFleet(modes: string[] = ["plain", "plain", "plain"], env: NodeJS.ProcessEnv = {}): Promise<Hosts> {
  const hosts = fleetOf([], "template");
  await Promise.all(hosts.roots.map(async (root, i) => {
    const started = await relx(root, ["start"], { env: { ...env, HOST_MODE: modes[i]! } });
    expect(started.code, started.stderr).toBe(0);
  }));
  return hosts;
}

export async function pushAll(hosts: Hosts, vsn: string): Promise<any> {
  const pushed = await relxJson(hosts.coordinator, ["fleet", "push", tarball(vsn)]);
  expect(pushed.code, JSON.stringify(pushed.json)).toBe(0);
  return pushed.json;
}

export async function statusOf(root: string): Promise<any> {
  return request(socketOf(root), { op: "status" });
}

export async function add(root: string, n: number): Promise<any> {
  return request(socketOf(root), { op: "call", process: "counter", msg: { add: n } });
}

export async function fleet(hosts: Hosts, args: string[]): Promise<{ code: number | null; json: any; stderr: string }> {
  return relxJson(hosts.coordinator, ["fleet", ...args], { env: { TMPDIR: hosts.tmp } });
}

/** The vsn `relx releases --json` shows permanent on `root`. */
export async function permanentOf(root: string): Promise<string | undefined> {
  const listed = await relxJson(root, ["releases"]);
  expect(listed.code, listed.stderr).toBe(0);
  return listed.json.releases.find((r: any) => r.state === "permanent")?.vsn;
}

/** What the coordinator left in its TMPDIR (connection sharing's directory and sockets). */
export function leftovers(hosts: Hosts): string[] {
  return readdirSync(hosts.tmp, { recursive: true }).map(String);
}

/** sshd's authentications while `run` runs: how many ssh connections it opened. */
export async function connections<T>(run: () => Promise<T>): Promise<{ value: T; opened: number }> {
  const before = sshd.accepted();
  const value = await run();
  return { value, opened: sshd.accepted() - before };
}


export async function startFleetWith(extra: object[]): Promise<Hosts> {
  const hosts = await startFleet();
  const file = JSON.parse(readFileSync(hosts.fleetFile, "utf8"));
  writeFileSync(hosts.fleetFile, JSON.stringify({ ...file, hosts: [...file.hosts, ...extra] }));
  return hosts;
}
