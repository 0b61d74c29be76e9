// planUpgrade is pure: a snapshot of live processes and two manifests in, a plan out. One row per
// rule of the table at the top of src/release/plan.ts.
import { describe, expect, it } from "vitest";
import { planUpgrade, recordPlan, type PlanInput, type PlanManifest, type PlanStep } from "../../src/release/plan.js";

type Server = [name: string, vsn: string, sha: string];
type Boot = [name: string, server: string];
const manifest = (vsn: string, servers: Server[], boot: Boot[]): PlanManifest => ({
  vsn,
  servers: servers.map(([name, v, sha256]) => ({ name, vsn: v, sha256 })),
  boot: { processes: boot.map(([name, server]) => ({ name, server, restart: "permanent" as const })) },
});
/** A live process: [name, server, vsn, boot?]; its ref is its name. */
type Live = [name: string, server: string, vsn: string | null, boot?: boolean];
const input = (from: PlanManifest, to: PlanManifest, live: Live[], direction: "up" | "down" = "up", boot?: string[]): PlanInput<string> => ({
  direction, from, to,
  processes: live.map(([name, server, vsn, isBoot]) => ({ ref: name, name, server, vsn, boot: isBoot ?? false })),
  boot: boot ?? live.filter((l) => l[3]).map((l) => l[0]),
});

const V1 = manifest("1.0.0", [["Demo", "1", "a"], ["Counter", "1.0.0", "c"]], [["blackode", "Demo"], ["counter", "Counter"]]);

const cases: { name: string; input: PlanInput<string>; steps: PlanStep<string>[]; servers?: object }[] = [
  {
    name: "processes of several servers interleaved, one defined at run time among them: each planned by its own server",
    input: input(
      manifest("1.0.0", [["Demo", "1", "a"], ["Counter", "1.0.0", "c"], ["Gone", "1", "g"]], []),
      manifest("1.1.0", [["Demo", "2", "b"], ["Counter", "1.0.0", "c"]], []),
      [["p1", "Demo", "1"], ["c1", "Counter", "1.0.0"], ["p2", "Demo", null], ["r1", "Runtime", null], ["x1", "Gone", "1"], ["p3", "Demo", "1"], ["c2", "Counter", null]],
    ),
    steps: [
      { op: "change-code", refs: ["p1"], server: "Demo", fromVsn: "1", toVsn: "2", oldVsn: "1" },
      { op: "rebind", refs: ["c1"], server: "Counter", vsn: "1.0.0" },
      { op: "change-code", refs: ["p2"], server: "Demo", fromVsn: "1", toVsn: "2", oldVsn: "1" },
      { op: "stop", ref: "x1", server: "Gone", vsn: "1" },
      { op: "change-code", refs: ["p3"], server: "Demo", fromVsn: "1", toVsn: "2", oldVsn: "1" },
      { op: "rebind", refs: ["c2"], server: "Counter", vsn: "1.0.0" },
    ],
  },
  {
    name: "processes that come one after another with one server and vsn are one step, their refs in start order",
    input: input(
      manifest("1.0.0", [["Demo", "1", "a"], ["Counter", "1.0.0", "c"]], []),
      manifest("1.1.0", [["Demo", "2", "b"], ["Counter", "1.0.0", "c"]], []),
      [["a1", "Demo", "1"], ["a2", "Demo", null], ["a3", "Demo", "0.9"], ["a4", "Demo", "1"], ["a5", "Demo", "1"], ["c1", "Counter", null], ["c2", "Counter", "1.0.0"], ["a6", "Demo", "1"]],
    ),
    steps: [
      { op: "change-code", refs: ["a1", "a2"], server: "Demo", fromVsn: "1", toVsn: "2", oldVsn: "1" },
      { op: "change-code", refs: ["a3"], server: "Demo", fromVsn: "0.9", toVsn: "2", oldVsn: "0.9" },
      { op: "change-code", refs: ["a4", "a5"], server: "Demo", fromVsn: "1", toVsn: "2", oldVsn: "1" },
      { op: "rebind", refs: ["c1", "c2"], server: "Counter", vsn: "1.0.0" },
      { op: "change-code", refs: ["a6"], server: "Demo", fromVsn: "1", toVsn: "2", oldVsn: "1" },
    ],
  },
  {
    name: "a downgrade's run shares one frozen { down }",
    input: input(manifest("1.1.0", [["Demo", "2", "b"]], []), manifest("1.0.0", [["Demo", "1", "a"]], []), [["a1", "Demo", "2"], ["a2", "Demo", "2"]], "down"),
    steps: [{ op: "change-code", refs: ["a1", "a2"], server: "Demo", fromVsn: "2", toVsn: "1", oldVsn: { down: "1" } }],
  },
  {
    name: "a changed server: change-code with its old vsn; an unchanged one: rebind",
    input: input(V1, manifest("1.1.0", [["Demo", "2", "b"], ["Counter", "1.0.0", "c"]], [["blackode", "Demo"], ["counter", "Counter"]]),
      [["blackode", "Demo", "1", true], ["counter", "Counter", "1.0.0", true]]),
    steps: [
      { op: "change-code", refs: ["blackode"], server: "Demo", fromVsn: "1", toVsn: "2", oldVsn: "1" },
      { op: "rebind", refs: ["counter"], server: "Counter", vsn: "1.0.0" },
    ],
    servers: { changed: [{ name: "Demo", fromVsn: "1", toVsn: "2" }], added: [], removed: [] },
  },
  {
    name: "a downgrade: change-code with { down: target vsn }",
    input: input(manifest("1.1.0", [["Demo", "2", "b"]], [["blackode", "Demo"]]), manifest("1.0.0", [["Demo", "1", "a"]], [["blackode", "Demo"]]),
      [["blackode", "Demo", "2", true]], "down"),
    steps: [{ op: "change-code", refs: ["blackode"], server: "Demo", fromVsn: "2", toVsn: "1", oldVsn: { down: "1" } }],
  },
  {
    name: "only the vsn changed (same code): change-code",
    input: input(V1, manifest("1.1.0", [["Demo", "1.5", "a"], ["Counter", "1.0.0", "c"]], [["blackode", "Demo"], ["counter", "Counter"]]),
      [["blackode", "Demo", "1", true]], "up", ["blackode", "counter"]),
    steps: [{ op: "change-code", refs: ["blackode"], server: "Demo", fromVsn: "1", toVsn: "1.5", oldVsn: "1" }],
  },
  {
    name: "spawned processes of a changed server are changed too, with the vsn they run",
    input: input(V1, manifest("1.1.0", [["Demo", "2", "b"], ["Counter", "1.0.0", "c"]], [["blackode", "Demo"], ["counter", "Counter"]]),
      [["<0.7.0>", "Demo", "0.9"]], "up", ["blackode", "counter"]),
    steps: [{ op: "change-code", refs: ["<0.7.0>"], server: "Demo", fromVsn: "0.9", toVsn: "2", oldVsn: "0.9" }],
  },
  {
    name: "a removed server: its processes stop, a boot one with it",
    input: input(V1, manifest("2.0.0", [["Demo", "1", "a"]], [["blackode", "Demo"]]),
      [["blackode", "Demo", "1", true], ["counter", "Counter", "1.0.0", true], ["<0.9.0>", "Counter", "1.0.0"]]),
    steps: [
      { op: "rebind", refs: ["blackode"], server: "Demo", vsn: "1" },
      { op: "stop", ref: "counter", server: "Counter", vsn: "1.0.0" },
      { op: "stop", ref: "<0.9.0>", server: "Counter", vsn: "1.0.0" },
    ],
    servers: { changed: [], added: [], removed: ["Counter"] },
  },
  {
    name: "a boot process given another server (A to B): stopped, and started from the target",
    input: input(V1, manifest("2.0.0", [["Demo", "1", "a"], ["Counter", "1.0.0", "c"], ["Tally", "1", "t"]], [["blackode", "Demo"], ["counter", "Tally"]]),
      [["blackode", "Demo", "1", true], ["counter", "Counter", "1.0.0", true]]),
    steps: [
      { op: "rebind", refs: ["blackode"], server: "Demo", vsn: "1" },
      { op: "stop", ref: "counter", server: "Counter", vsn: "1.0.0" },
      { op: "start", process: "counter", server: "Tally", restart: "permanent" },
    ],
    servers: { changed: [], added: ["Tally"], removed: [] },
  },
  {
    name: "a boot process gone from the target's boot spec: stopped; a new one: started",
    input: input(V1, manifest("2.0.0", [["Demo", "1", "a"], ["Counter", "1.0.0", "c"]], [["blackode", "Demo"], ["ledger", "Counter"]]),
      [["blackode", "Demo", "1", true], ["counter", "Counter", "1.0.0", true]]),
    steps: [
      { op: "rebind", refs: ["blackode"], server: "Demo", vsn: "1" },
      { op: "stop", ref: "counter", server: "Counter", vsn: "1.0.0" },
      { op: "start", process: "ledger", server: "Counter", restart: "permanent" },
    ],
  },
  {
    name: "a boot process the node has but that is down (gave up) is not started again",
    input: input(V1, manifest("1.1.0", [["Demo", "2", "b"], ["Counter", "1.0.0", "c"]], [["blackode", "Demo"], ["counter", "Counter"]]),
      [["blackode", "Demo", "1", true]], "up", ["blackode", "counter"]),
    steps: [{ op: "change-code", refs: ["blackode"], server: "Demo", fromVsn: "1", toVsn: "2", oldVsn: "1" }],
  },
  {
    name: "boot processes running in another order than the target's boot spec, one replaced and one new: matched by name",
    input: input(V1, manifest("1.1.0", [["Demo", "2", "b"], ["Counter", "1.0.0", "c"]], [["ledger", "Counter"], ["blackode", "Demo"], ["counter", "Demo"]]),
      [["counter", "Counter", "1.0.0", true], ["blackode", "Demo", "1", true]]),
    steps: [
      { op: "stop", ref: "counter", server: "Counter", vsn: "1.0.0" },
      { op: "change-code", refs: ["blackode"], server: "Demo", fromVsn: "1", toVsn: "2", oldVsn: "1" },
      { op: "start", process: "ledger", server: "Counter", restart: "permanent" },
      { op: "start", process: "counter", server: "Demo", restart: "permanent" },
    ],
  },
  {
    name: "a process of a server in neither release (defined at run time) is left alone",
    input: input(V1, manifest("1.1.0", [["Demo", "2", "b"], ["Counter", "1.0.0", "c"], ["Inline", "1", "i"]], [["blackode", "Demo"], ["counter", "Counter"]]),
      [["<0.3.0>", "Inline", null]], "up", ["blackode", "counter"]),
    steps: [],
  },
];

describe("planUpgrade", () => {
  it.each(cases)("$name", ({ input: given, steps, servers }) => {
    const plan = planUpgrade(given);
    expect(plan.steps).toEqual(steps);
    expect(plan).toMatchObject({ direction: given.direction, from: given.from.vsn, to: given.to.vsn, ...servers });
  });

  it("plans a walk over the processes as it plans their list", () => {
    for (const { input: given } of cases) {
      const list = given.processes as Exclude<PlanInput<string>["processes"], Function>;
      const walked = planUpgrade({ ...given, processes: (visit) => list.forEach((p) => visit(p.ref, p.server, p.vsn, p.boot ? p.name : null)) });
      expect(walked).toEqual(planUpgrade(given));
    }
  });

  it("does not touch its input", () => {
    const given = cases[4]!.input;
    const before = JSON.stringify(given);
    planUpgrade(given);
    expect(JSON.stringify(given)).toBe(before);
  });
});

describe("recordPlan", () => {
  it("is planUpgrade of the source release's boot processes, without handles", () => {
    const to = manifest("2.0.0", [["Demo", "2", "b"], ["Tally", "1", "t"]], [["blackode", "Demo"], ["counter", "Tally"]]);
    expect(recordPlan(V1, to, "up")).toEqual({
      changed: [{ name: "Demo", fromVsn: "1", toVsn: "2" }],
      added: ["Tally"],
      removed: ["Counter"],
      steps: [
        { op: "change-code", processes: ["blackode"], server: "Demo", fromVsn: "1", toVsn: "2", oldVsn: "1" },
        { op: "stop", process: "counter", server: "Counter", vsn: "1.0.0" },
        { op: "start", process: "counter", server: "Tally", restart: "permanent" },
      ],
    });
  });

  it("records the processes of one server as one change-code or rebind step, in the order of their first", () => {
    const boot: Boot[] = [["a1", "Demo"], ["c1", "Counter"], ["a2", "Demo"], ["c2", "Counter"], ["a3", "Demo"]];
    const from = manifest("1.0.0", [["Demo", "1", "a"], ["Counter", "1.0.0", "c"]], boot);
    const to = manifest("2.0.0", [["Demo", "2", "b"], ["Counter", "1.0.0", "c"]], boot);
    expect(recordPlan(from, to, "up").steps).toEqual([
      { op: "change-code", processes: ["a1", "a2", "a3"], server: "Demo", fromVsn: "1", toVsn: "2", oldVsn: "1" },
      { op: "rebind", processes: ["c1", "c2"], server: "Counter", vsn: "1.0.0" },
    ]);
    expect(recordPlan(to, from, "down").steps).toEqual([
      { op: "change-code", processes: ["a1", "a2", "a3"], server: "Demo", fromVsn: "2", toVsn: "1", oldVsn: { down: "1" } },
      { op: "rebind", processes: ["c1", "c2"], server: "Counter", vsn: "1.0.0" },
    ]);
  });
});
