// relx fleet through a real OpenSSH server on a loopback port: three hosts (real roots, real
// daemons) behind one sshd, reached with `ssh … relx bridge --root <root>`. Push and status;
// rolling upgrades under load, and with a failing second host (moved back / untouched); a rolling downgrade; sync
// upgrades (all or nothing), one failing to prepare, and the coordinator killed mid-prepare; an
// unreachable host. Permanence only once the whole fleet moved (each host's `relx releases`), and a
// host that cannot be made permanent. `--health` and `--health-call` passing and failing. Connection
// sharing: sshd's own count of authentications, and no control socket or directory left behind
// (each coordinator's TMPDIR is a directory of its root). Prints the wall time and per-host pauses
// of a rolling and a sync upgrade.
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { request } from "../../src/client/request.js";
import { socketOf } from "../support/daemon.js";
import { BIN } from "../support/paths.js";
import { relx, relxJson } from "../support/relx.js";
import { freePort, startSshd, type Sshd } from "../support/sshd.js";
import { cleanupAllRoots, cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";
import { writeFiles } from "../support/write-files.mjs";

let sshd: Sshd;
let build: string;
/**
 * A host root with 1.0.0 (permanent) and 2.0.0 installed by `relx unpack`, which is what a push's
 * bridge runs; copied by startFleet.
 */
let template: string;

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

const tarball = (vsn: string) => join(build, "releases", `svc-${vsn}.tar.gz`);

interface Hosts {
  coordinator: string;
  /** The coordinator's TMPDIR: where connection sharing keeps its control sockets. */
  tmp: string;
  roots: string[];
  fleetFile: string;
}

function writeBareHost(root: string): void {
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
function fleetOf(extra: object[] = [], from: "bare" | "template" = "bare"): Hosts {
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
async function startFleet(modes: string[] = ["plain", "plain", "plain"], env: NodeJS.ProcessEnv = {}): Promise<Hosts> {
  const hosts = fleetOf([], "template");
  await Promise.all(hosts.roots.map(async (root, i) => {
    const started = await relx(root, ["start"], { env: { ...env, HOST_MODE: modes[i]! } });
    expect(started.code, started.stderr).toBe(0);
  }));
  return hosts;
}

async function pushAll(hosts: Hosts, vsn: string): Promise<any> {
  const pushed = await relxJson(hosts.coordinator, ["fleet", "push", tarball(vsn)]);
  expect(pushed.code, JSON.stringify(pushed.json)).toBe(0);
  return pushed.json;
}

async function statusOf(root: string): Promise<any> {
  return request(socketOf(root), { op: "status" });
}

async function add(root: string, n: number): Promise<any> {
  return request(socketOf(root), { op: "call", process: "counter", msg: { add: n } });
}

async function fleet(hosts: Hosts, args: string[]): Promise<{ code: number | null; json: any; stderr: string }> {
  return relxJson(hosts.coordinator, ["fleet", ...args], { env: { TMPDIR: hosts.tmp } });
}

/** The vsn `relx releases --json` shows permanent on `root`. */
async function permanentOf(root: string): Promise<string | undefined> {
  const listed = await relxJson(root, ["releases"]);
  expect(listed.code, listed.stderr).toBe(0);
  return listed.json.releases.find((r: any) => r.state === "permanent")?.vsn;
}

/** What the coordinator left in its TMPDIR (connection sharing's directory and sockets). */
function leftovers(hosts: Hosts): string[] {
  return readdirSync(hosts.tmp, { recursive: true }).map(String);
}

/** sshd's authentications while `run` runs: how many ssh connections it opened. */
async function connections<T>(run: () => Promise<T>): Promise<{ value: T; opened: number }> {
  const before = sshd.accepted();
  const value = await run();
  return { value, opened: sshd.accepted() - before };
}

describe("relx fleet over ssh", () => {
  it("pushes a tarball to three hosts (again: present), and another to them running, and shows their status", async () => {
    const hosts = fleetOf();
    const first = await pushAll(hosts, "1.0.0");
    expect(first.hosts).toEqual(["a", "b", "c"].map((name) => ({ name, ok: true, vsn: "1.0.0", pushed: "installed" })));
    const again = await pushAll(hosts, "1.0.0");
    expect(again.hosts.map((h: any) => h.pushed)).toEqual(["present", "present", "present"]);
    const down = await fleet(hosts, ["status"]);
    expect(down.code).toBe(1);
    expect(down.json.hosts.map((h: any) => h.error?.code)).toEqual(["RELX_NO_DAEMON", "RELX_NO_DAEMON", "RELX_NO_DAEMON"]);
    for (const root of hosts.roots) expect((await relx(root, ["start"])).code).toBe(0);
    // a, b and c are one destination with one set of options: one shared connection.
    const { value: up, opened } = await connections(() => fleet(hosts, ["status"]));
    expect(up.code, JSON.stringify(up.json)).toBe(0);
    expect(up.json.hosts.map((h: any) => [h.name, h.ok, h.release, h.vsn, h.processes.length])).toEqual([
      ["a", true, "svc", "1.0.0", 1], ["b", true, "svc", "1.0.0", 1], ["c", true, "svc", "1.0.0", 1],
    ]);
    expect(opened).toBe(1);
    expect(leftovers(hosts)).toEqual([]);
    // the user's own ControlMaster=no is left alone: a connection per session again.
    const own = join(hosts.coordinator, "no-sharing.fleet.json");
    const file = JSON.parse(readFileSync(hosts.fleetFile, "utf8"));
    writeFileSync(own, JSON.stringify({ ...file, sshArgs: [...file.sshArgs, "-o", "ControlMaster=no"] }));
    const unshared = await connections(() => fleet(hosts, ["status", "--fleet", own]));
    expect(unshared.value.code).toBe(0);
    expect(unshared.opened).toBe(3);
    // pushed to running hosts: installed next to the release they run, which they go on running.
    const second = await pushAll(hosts, "2.0.0");
    expect(second.hosts).toEqual(["a", "b", "c"].map((name) => ({ name, ok: true, vsn: "2.0.0", pushed: "installed" })));
    for (const root of hosts.roots) {
      expect((await relxJson(root, ["releases"])).json.releases).toEqual([{ vsn: "1.0.0", state: "permanent" }, { vsn: "2.0.0", state: "unpacked" }]);
      expect((await statusOf(root)).vsn).toBe("1.0.0");
    }
  }, 120_000);

  it("upgrades three hosts one by one while each serves calls: none fails, all on 2.0.0, permanent", async () => {
    const hosts = await startFleet();
    let running = true;
    const served = await Promise.all([
      fleet(hosts, ["upgrade", "2.0.0"]).finally(() => void (running = false)),
      ...hosts.roots.map(async (root) => {
        let ok = 0, failed = 0;
        while (running || ok === 0) await add(root, 1).then(() => ok++, () => failed++);
        return { ok, failed };
      }),
    ]);
    const [run, ...loads] = served as [any, ...{ ok: number; failed: number }[]];
    expect(run.code, JSON.stringify(run.json)).toBe(0);
    expect(run.json).toMatchObject({ ok: true, vsn: "2.0.0", mode: "rolling", movedBack: [], permanent: ["a", "b", "c"] });
    expect(run.json.hosts.map((h: any) => [h.name, h.ok, h.from, h.to])).toEqual([["a", true, "1.0.0", "2.0.0"], ["b", true, "1.0.0", "2.0.0"], ["c", true, "1.0.0", "2.0.0"]]);
    expect(loads.map((l) => l.failed)).toEqual([0, 0, 0]);
    for (const [i, root] of hosts.roots.entries()) {
      const s = await statusOf(root);
      expect([s.vsn, s.permanent]).toEqual(["2.0.0", "2.0.0"]);
      expect(await permanentOf(root)).toBe("2.0.0");
      expect(await add(root, 0)).toEqual({ n: loads[i]!.ok, v: 2 });
    }
    const rerun = await fleet(hosts, ["upgrade", "2.0.0"]);
    expect(rerun.json.hosts.map((h: any) => h.skipped)).toEqual([true, true, true]);
    console.log(`fleet rolling upgrade of 3 hosts: per-host pauseMs ${run.json.hosts.map((h: any) => h.pauseMs).join(", ")}`);
  }, 180_000);

  it("moves the first host back when the second fails, and leaves the third untouched", async () => {
    const hosts = await startFleet(["plain", "broken", "plain"]);
    const run = await fleet(hosts, ["upgrade", "2.0.0"]);
    expect(run.code).toBe(1);
    expect(run.json.ok).toBe(false);
    expect(run.json.movedBack).toEqual(["a"]);
    expect(run.json.permanent).toEqual([]);
    expect(run.json.hosts.map((h: any) => [h.name, h.ok, h.error?.code])).toEqual([
      ["a", false, "RELX_MOVED_BACK"], ["b", false, "RELX_CODE_CHANGE_FAILED"], ["c", false, "RELX_NOT_ATTEMPTED"],
    ]);
    for (const root of hosts.roots) {
      const s = await statusOf(root);
      expect([s.vsn, s.permanent]).toEqual(["1.0.0", "1.0.0"]);
      expect(await permanentOf(root)).toBe("1.0.0");
    }
    expect(leftovers(hosts)).toEqual([]);
    expect((await statusOf(hosts.roots[2]!)).upgrades).toEqual([]);
    expect((await statusOf(hosts.roots[0]!)).upgrades.map((u: any) => [u.from, u.to, u.ok])).toEqual([["1.0.0", "2.0.0", true], ["2.0.0", "1.0.0", true]]);
  }, 180_000);

  it("--sync upgrades all three, a rolling downgrade brings them back, and it prints the wall time and pauses of both modes up", async () => {
    const sync = await startFleet();
    const t0 = performance.now();
    const run = await fleet(sync, ["upgrade", "2.0.0", "--sync"]);
    const syncWall = performance.now() - t0;
    expect(run.code, JSON.stringify(run.json)).toBe(0);
    expect(run.json).toMatchObject({ ok: true, mode: "sync", movedBack: [], permanent: ["a", "b", "c"] });
    for (const root of sync.roots) {
      expect((await statusOf(root)).permanent).toBe("2.0.0");
      expect(await permanentOf(root)).toBe("2.0.0");
    }
    // back down, rolling (the default): all on 1.0.0 again, permanent; then the rolling run up.
    const down = await fleet(sync, ["downgrade", "1.0.0"]);
    expect(down.code, JSON.stringify(down.json)).toBe(0);
    expect(down.json).toMatchObject({ ok: true, vsn: "1.0.0", mode: "rolling", movedBack: [], permanent: ["a", "b", "c"] });
    expect(down.json.hosts.map((h: any) => [h.name, h.ok, h.from, h.to])).toEqual([["a", true, "2.0.0", "1.0.0"], ["b", true, "2.0.0", "1.0.0"], ["c", true, "2.0.0", "1.0.0"]]);
    for (const root of sync.roots) {
      const s = await statusOf(root);
      expect([s.vsn, s.permanent, s.processes[0].vsn]).toEqual(["1.0.0", "1.0.0", "1"]);
      expect(await permanentOf(root)).toBe("1.0.0");
    }
    const rolling = sync;
    const t1 = performance.now();
    const roll = await fleet(rolling, ["upgrade", "2.0.0"]);
    const rollingWall = performance.now() - t1;
    expect(roll.code).toBe(0);
    expect(roll.json.permanent).toEqual(["a", "b", "c"]);
    console.log([
      `fleet upgrade of 3 hosts over ssh (coordinator process wall time, incl. ssh setup):`,
      `  rolling: ${rollingWall.toFixed(0)} ms, per-host pauseMs ${roll.json.hosts.map((h: any) => h.pauseMs).join(", ")}`,
      `  sync:    ${syncWall.toFixed(0)} ms, per-host pauseMs ${run.json.hosts.map((h: any) => h.pauseMs).join(", ")}`,
    ].join("\n"));
  }, 240_000);

  it("--sync with one host failing to prepare leaves every host on 1.0.0 with its state", async () => {
    const hosts = await startFleet(["plain", "broken", "plain"]);
    for (const [i, root] of hosts.roots.entries()) await add(root, 10 * (i + 1));
    const run = await fleet(hosts, ["upgrade", "2.0.0", "--sync"]);
    expect(run.code).toBe(1);
    expect(run.json.movedBack).toEqual([]);
    expect(run.json.permanent).toEqual([]);
    expect(run.json.hosts.map((h: any) => [h.name, h.ok, h.error?.code])).toEqual([
      ["a", false, "RELX_ABORTED"], ["b", false, "RELX_CODE_CHANGE_FAILED"], ["c", false, "RELX_ABORTED"],
    ]);
    for (const [i, root] of hosts.roots.entries()) {
      expect((await statusOf(root)).vsn).toBe("1.0.0");
      expect(await permanentOf(root)).toBe("1.0.0");
      expect(await request(socketOf(root), { op: "state", process: "counter" })).toEqual({ n: 10 * (i + 1), mode: i === 1 ? "broken" : "plain" });
    }
  }, 180_000);

  it("a coordinator killed with SIGKILL after a and b prepared (one shared ssh connection): each host rolls back as its session closes and serves again", async () => {
    const hosts = await startFleet(["plain", "plain", "stuck"]);
    // A deadline far beyond the test: a rollback can only come from the session's end, which the
    // shared connection's master (alive for ControlPersist after the coordinator) must not hold up.
    const coordinator = spawn(process.execPath, [BIN, "fleet", "upgrade", "2.0.0", "--sync", "--deadline", "600000", "--root", hosts.coordinator], {
      stdio: "ignore",
      env: { ...process.env, TMPDIR: hosts.tmp },
    });
    const exited = new Promise((r) => coordinator.once("exit", r));
    // a and b prepared (their counter suspended), c stuck in its codeChange: then kill.
    await waitFor(async () => {
      const s = await Promise.all(hosts.roots.map(statusOf));
      return s.every((x) => x.processes[0].status === "suspended");
    }, "every host suspended by prepare", { giveUpMs: 120_000 });
    coordinator.kill("SIGKILL");
    await exited;
    writeFileSync(join(hosts.roots[2]!, "go"), ""); // c finishes preparing with nobody left to commit
    for (const root of hosts.roots) {
      await waitFor(async () => (await add(root, 1).catch(() => undefined))?.v === 1, `host ${root} to serve on 1.0.0`, { giveUpMs: 120_000 });
      const s = await statusOf(root);
      expect([s.vsn, s.processes[0].status]).toEqual(["1.0.0", "running"]);
      expect(await permanentOf(root)).toBe("1.0.0");
    }
    const logOf = (root: string) => readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8");
    // (c may finish preparing just before or just after it hears of the close: either way, the close.)
    for (const root of hosts.roots) expect(logOf(root)).toContain("prepared upgrade to 2.0.0 rolled back: its connection closed");
    // the orphaned master ends by itself once idle (ControlPersist) and takes its socket with it;
    // only the empty private directory a SIGKILL cannot clean up is left.
    const dirs = readdirSync(hosts.tmp);
    expect(dirs.length).toBe(1);
    await waitFor(() => readdirSync(join(hosts.tmp, dirs[0]!)).length === 0, "the orphaned ssh master to exit and remove its socket", { giveUpMs: 60_000 });
    rmSync(join(hosts.tmp, dirs[0]!), { recursive: true });
  }, 180_000);

  it("--health and --health-call pass on each host after its batch: all on 2.0.0, permanent; sessions and checks share one ssh connection", async () => {
    const hosts = await startFleet();
    const [, , cRoot] = hosts.roots;
    const checks = join(hosts.coordinator, "checks.log");
    // Each check, in its host's root, notes where it ran and what code host c runs at that moment.
    const command = `printf '%s %s\n' "$(pwd)" "$(${process.execPath} ${BIN} call counter '{"add":0}' --json --root ${cRoot})" >> ${checks}`;
    const { value: run, opened } = await connections(() => fleet(hosts, ["upgrade", "2.0.0", "--batch", "2", "--health", command, "--health-call", `counter {"health":true}`]));
    expect(run.code, JSON.stringify(run.json)).toBe(0);
    expect(run.json).toMatchObject({ ok: true, movedBack: [], permanent: ["a", "b", "c"] });
    const seen = readFileSync(checks, "utf8").trim().split("\n").map((line) => {
      const [where, reply] = [line.slice(0, line.indexOf(" ")), line.slice(line.indexOf(" ") + 1)];
      return [hosts.roots.indexOf(where), JSON.parse(reply).v];
    }).sort();
    // a and b (the first batch) were checked while c still ran 1.0.0; c after it moved.
    expect(seen).toEqual([[0, 1], [1, 1], [2, 2]]);
    for (const root of hosts.roots) expect(await permanentOf(root)).toBe("2.0.0");
    expect(opened).toBe(1); // three sessions and three checks: one authentication
    expect(leftovers(hosts)).toEqual([]);
  }, 180_000);

  it("--health failing on b moves a and b back and leaves c untouched; the error names the command and its exit status", async () => {
    const hosts = await startFleet();
    writeFileSync(join(hosts.roots[1]!, "unhealthy"), "");
    const command = `if [ -e unhealthy ]; then echo "not ready in $(pwd)" >&2; exit 7; fi`;
    const run = await fleet(hosts, ["upgrade", "2.0.0", "--health", command]);
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ ok: false, movedBack: ["a", "b"], permanent: [] });
    expect(run.json.hosts.map((h: any) => [h.name, h.ok, h.error?.code])).toEqual([
      ["a", false, "RELX_MOVED_BACK"], ["b", false, "RELX_HEALTH_FAILED"], ["c", false, "RELX_NOT_ATTEMPTED"],
    ]);
    expect(run.json.hosts[1].error.message).toBe(`host b: the health check \`${command}\` failed (exit 7): not ready in ${hosts.roots[1]}`);
    expect(run.json.hosts[1].error.hint).toMatch(/moved back/);
    for (const [i, root] of hosts.roots.entries()) {
      const s = await statusOf(root);
      expect(s.vsn).toBe("1.0.0");
      expect(await permanentOf(root)).toBe("1.0.0");
      expect(s.upgrades.map((u: any) => [u.from, u.to, u.ok])).toEqual(i === 2 ? [] : [["1.0.0", "2.0.0", true], ["2.0.0", "1.0.0", true]]);
    }
    expect(leftovers(hosts)).toEqual([]);
  }, 180_000);

  it("--health-call answered { ok: false } by b moves a and b back and leaves c untouched", async () => {
    const hosts = await startFleet(["plain", "sick", "plain"]);
    const run = await fleet(hosts, ["upgrade", "2.0.0", "--health-call", `counter {"health":true}`]);
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ ok: false, movedBack: ["a", "b"], permanent: [] });
    expect(run.json.hosts.map((h: any) => [h.name, h.error?.code])).toEqual([["a", "RELX_MOVED_BACK"], ["b", "RELX_HEALTH_FAILED"], ["c", "RELX_NOT_ATTEMPTED"]]);
    expect(run.json.hosts[1].error.message).toBe(`host b: the health call \`counter {"health":true}\` answered {"ok":false,"mode":"sick"}`);
    for (const root of hosts.roots) {
      expect((await statusOf(root)).vsn).toBe("1.0.0");
      expect(await permanentOf(root)).toBe("1.0.0");
    }
    expect((await statusOf(hosts.roots[2]!)).upgrades).toEqual([]);
  }, 180_000);

  it("a host that cannot be made permanent once all moved is reported, nothing moves back, and a rerun makes it permanent", async () => {
    const hosts = await startFleet(undefined, { RELX_LOCK_WAIT_MS: "100" });
    const [, , cRoot] = hosts.roots;
    const lock = join(cRoot!, "releases", "RELEASES.lock");
    writeFileSync(join(cRoot!, "hold-lock"), "");
    // c's check (the last batch's) leaves RELEASES locked by a live process (this one), as another relx would.
    const command = `if [ -e hold-lock ]; then echo ${process.pid} > releases/RELEASES.lock; fi`;
    const run = await fleet(hosts, ["upgrade", "2.0.0", "--health", command]);
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ ok: false, movedBack: [], permanent: ["a", "b"] });
    expect(run.json.hosts.map((h: any) => [h.name, h.ok, h.to, h.error?.code])).toEqual([
      ["a", true, "2.0.0", undefined], ["b", true, "2.0.0", undefined], ["c", false, "2.0.0", "RELX_NOT_PERMANENT"],
    ]);
    expect(run.json.hosts[2].error.message).toMatch(/^host c runs 2\.0\.0 but could not be made permanent \(RELX_BUSY: .*RELEASES\.lock is held/);
    expect(run.json.hosts[2].error.hint).toContain("relx fleet upgrade 2.0.0");
    expect((await statusOf(cRoot!)).vsn).toBe("2.0.0");
    expect(await Promise.all(hosts.roots.map(permanentOf))).toEqual(["2.0.0", "2.0.0", "1.0.0"]);
    rmSync(lock);
    rmSync(join(cRoot!, "hold-lock"));
    const rerun = await fleet(hosts, ["upgrade", "2.0.0"]);
    expect(rerun.code, JSON.stringify(rerun.json)).toBe(0);
    expect(rerun.json).toMatchObject({ ok: true, permanent: ["a", "b", "c"] });
    expect(rerun.json.hosts.map((h: any) => h.skipped)).toEqual([true, true, true]);
    expect(await permanentOf(cRoot!)).toBe("2.0.0");
  }, 180_000);

  it("reports a host that ssh cannot reach, and moves nothing", async () => {
    const port = await freePort();
    const hosts = await startFleetWith([{ name: "gone", ssh: "root@127.0.0.1", root: "/srv/none", sshArgs: ["-p", String(port)] }]);
    const run = await fleet(hosts, ["upgrade", "2.0.0"]);
    expect(run.code).toBe(1);
    expect(run.json.hosts.map((h: any) => [h.name, h.error?.code])).toEqual([
      ["a", "RELX_NOT_ATTEMPTED"], ["b", "RELX_NOT_ATTEMPTED"], ["c", "RELX_NOT_ATTEMPTED"], ["gone", "RELX_HOST_UNREACHABLE"],
    ]);
    expect(run.json.hosts[3].error.message).toContain("host gone");
    for (const root of hosts.roots) expect((await statusOf(root)).upgrades).toEqual([]);
    expect(leftovers(hosts)).toEqual([]);
    const status = await fleet(hosts, ["status"]);
    expect(status.code).toBe(1);
    expect(status.json.hosts.map((h: any) => h.ok)).toEqual([true, true, true, false]);
  }, 180_000);
});

async function startFleetWith(extra: object[]): Promise<Hosts> {
  const hosts = await startFleet();
  const file = JSON.parse(readFileSync(hosts.fleetFile, "utf8"));
  writeFileSync(hosts.fleetFile, JSON.stringify({ ...file, hosts: [...file.hosts, ...extra] }));
  return hosts;
}
