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
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { request } from "../../src/client/request.js";
import { socketOf } from "../support/daemon.js";
import { BIN } from "../support/paths.js";
import { relx, relxJson } from "../support/relx.js";
import { waitFor } from "../support/wait.js";
import { add, connections, fleet, fleetOf, leftovers, permanentOf, pushAll, startFleet, statusOf, tarball, useFleetHosts } from "../support/fleet-hosts.js";

useFleetHosts();

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
});
