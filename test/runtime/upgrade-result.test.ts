// The upgrade result's JSON (src/daemon/upgrade/live-plan.ts upgradeResult): the socket writes its
// `changed` from the plan's runs with native joins (SelfEncoding); the line must be what
// JSON.stringify writes of the same result, byte for byte, however its processes are named. Here
// (and not with the daemon's tests) because it plans real runtime processes in this process.
import { describe, expect, it } from "vitest";
import { defineServer } from "../../src/index.js";
import { upgradeResult, type LivePlan } from "../../src/daemon/upgrade/live-plan.js";
import { ENCODE_JSON, encodeResponse, okResponse, stringifyWith } from "../../src/protocol/responses.js";
import * as host from "../../src/runtime/host.js";

const Demo = defineServer({ name: "Demo", vsn: "1", init: () => ({}) });
const spawn = (name: string) => host.spawn({ server: Demo, args: null, name, restart: "temporary", initTimeoutMs: 1000 });
async function named(names: string[]): Promise<host.ProcessRef[]> {
  const out: host.ProcessRef[] = [];
  for (const name of names) out.push(await spawn(name));
  return out;
}

describe("an upgrade result's JSON", () => {
  it("is JSON.stringify's, for pids, plain names and names JSON escapes, in runs of several servers", async () => {
    const awkward = ["naïve \u{1F680} \"quoted\" back\\slash", "lone \ud800 surrogate", "tab\there\u2028", "ctl\u0001"];
    const a = await named(["emp0", "emp1", ...awkward, "emp2"]);
    // Unnamed processes (spawned by a process, as a listener spawns its connections): named by their pid.
    const pids: host.ProcessRef[] = [];
    const Spawner = defineServer({
      name: "Spawner",
      init: () => null,
      async handleCall(_msg, _from, state, ctx) {
        return { reply: await ctx.spawn(Demo, null, { restart: "temporary" }), state };
      },
    });
    const spawner = await host.spawn({ server: Spawner, args: null, name: "result-spawner", restart: "temporary", initTimeoutMs: 1000 });
    for (let i = 0; i < 4; i++) pids.push(host.find(await host.call(spawner, "spawn", 1000) as never));
    expect(pids.map(host.registeredName)).toEqual([null, null, null, null]);
    const step = (refs: host.ProcessRef[], server: string, toVsn = "2") => ({ op: "change-code" as const, refs, server, fromVsn: "1", toVsn, oldVsn: "1" });
    const plan: LivePlan = {
      direction: "up",
      from: "1.0.0",
      to: "2.0.0-rc.1",
      changed: [],
      added: [],
      removed: [],
      steps: [
        // Named, then pids, then named again, in one run; another server's run; one of a third.
        step([a[0]!, a[1]!, pids[0]!, pids[1]!, a[2]!, a[3]!, pids[2]!, a[4]!, a[5]!, a[6]!], "Demo\u2028Server"),
        { op: "rebind", refs: [spawner], server: "Spawner", vsn: "1" },
        step([pids[3]!], "Other", "3"),
        step([], "Empty"),
        { op: "stop", ref: a[1]!, server: "Gone \"one\"", vsn: null },
        { op: "start", process: "new\nline", server: "New", restart: "permanent" },
      ],
    };
    const result = upgradeResult(plan, { pauseMs: 0.1 + 0.2, durationMs: 1e21 });
    expect(result.changed).toHaveLength(11);
    // What the socket writes, against JSON.stringify of the same answer (which reads the getter).
    const line = encodeResponse(okResponse(7, result));
    expect(line).toBe(JSON.stringify(okResponse(7, result)) + "\n");
    expect(result.changed.map((c) => c.name)).toEqual([...[a[0], a[1], pids[0], pids[1], a[2], a[3], pids[2], a[4], a[5], a[6]], pids[3]].map((r) => host.nameOf(r!)));
    expect(result.changed.at(-1)).toEqual({ name: host.nameOf(pids[3]!), server: "Other", fromVsn: "1", toVsn: "3" });
    // With the afterUpgrade hook's error added, and an id JSON escapes.
    result.hookError = { code: "RELX_HOOK_FAILED", message: "afterUpgrade threw: ✗" };
    expect(encodeResponse(okResponse("x\"y", result))).toBe(JSON.stringify(okResponse("x\"y", result)) + "\n");
    expect(JSON.parse(line).result).toMatchObject({ started: ["new\nline"], stopped: [host.nameOf(a[1]!)] });
    // `changed` set in the daemon is written as set.
    result.changed = [{ name: "only", server: "S", fromVsn: "1", toVsn: "2" }];
    expect(JSON.parse(encodeResponse(okResponse(1, result))).result.changed).toEqual([{ name: "only", server: "S", fromVsn: "1", toVsn: "2" }]);
  });

  it("stringifyWith leaves out what JSON.stringify leaves out, keeps the key order, and never reads the key it replaces", () => {
    const value = { b: 1, fn: () => 1, a: undefined, 10: "ten", get key(): never { throw new Error("read") }, c: [1, undefined] };
    expect(stringifyWith(value, "key", "[1,2]")).toBe(JSON.stringify({ b: 1, fn: () => 1, a: undefined, 10: "ten", key: [1, 2], c: [1, undefined] }));
  });

  it("turns a self-encoding result that throws into an error answer", () => {
    const bad = { [ENCODE_JSON]: () => JSON.stringify({ n: 1n }) };
    expect(JSON.parse(encodeResponse(okResponse(3, bad)))).toMatchObject({ id: 3, ok: false, error: { code: "RELX_BAD_RESULT" } });
  });
});
