// relx fleet through a real OpenSSH server on a loopback port (three real roots and daemons, see
// test/support/fleet-hosts.ts): `--health` and `--health-call` between batches, passing and failing;
// a host that cannot be made permanent once all moved; a host ssh cannot reach. Split from
// fleet.test.ts so the two files run on both workers.

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN } from "../support/paths.js";
import { relx } from "../support/relx.js";
import { freePort } from "../support/sshd.js";
import { add, connections, fleet, leftovers, permanentOf, startFleet, startFleetWith, statusOf, useFleetHosts } from "../support/fleet-hosts.js";

useFleetHosts();

describe("relx fleet over ssh: health checks, permanence, an unreachable host", () => {

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
