// evaluateApp reads the boot spec's processes: each refusal names the process and the field;
// args must be JSON data however they nest.
import { describe, expect, it } from "vitest";
import { evaluateApp } from "../../src/release/app-spec.js";

const evaluate = (processes: unknown[]) =>
  evaluateApp({ processes }, { source: "src/app.ts", servers: new Set(["Demo"]), config: () => ({}) });
const refusal = (processes: unknown[]) => {
  try {
    evaluate(processes);
    return null;
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
};

describe("evaluateApp's processes", () => {
  it("fills in restart and keeps args as given", () => {
    const shared = { rate: 2 };
    const args = { name: "a", nested: [1, { deep: [null, true, "x"] }], one: shared, two: shared };
    expect(evaluate([{ name: "a", server: "Demo", args }, { name: "b", server: "Demo", restart: "temporary" }])).toMatchObject({
      processes: [{ name: "a", server: "Demo", restart: "permanent", args }, { name: "b", server: "Demo", restart: "temporary" }],
    });
    expect("args" in evaluate([{ name: "b", server: "Demo" }]).processes[0]!).toBe(false);
  });

  it.each([
    ["a cycle", () => { const a: Record<string, unknown> = { x: 1 }; a.self = { back: a }; return a; }],
    ["an array holding itself", () => { const a: unknown[] = []; a.push([a]); return a; }],
    ["a class instance", () => ({ at: new Date(0) })],
    ["a function", () => ({ f: () => 1 })],
    ["NaN", () => [1, Number.NaN]],
    ["undefined inside", () => ({ x: undefined })],
    // JSON would write null for the hole, and leave the extra key out.
    ["an array with a hole", () => ({ list: [1, , 3] })],
    ["an array with a key beside its indices", () => { const list: unknown[] & { extra?: number } = [1, 2]; list.extra = 3; return { list }; }],
    // As many keys as the length, one of them not an index: a count alone does not tell.
    ["an array with a hole and a key beside its indices", () => { const list: unknown[] & { extra?: number } = [1, , 3]; list.extra = 3; return { list }; }],
    ["an array with holes first and keys beside its indices", () => { const list: unknown[] & { x?: number; y?: number } = []; list[2] = 1; list.x = 1; list.y = 2; return { list }; }],
  ])("refuses args with %s", (_what, make) => {
    expect(refusal([{ name: "p", server: "Demo", args: make() }])).toEqual({
      code: "RELX_BAD_BOOT_SPEC",
      message: expect.stringContaining(`process "p": args must be JSON`),
    });
  });

  it.each([
    [[{ name: "p", server: "Demo", restrat: "permanent" }], `processes[0] has an unknown key "restrat"`],
    [[{ name: "p", server: "Demo" }, { name: "p", server: "Demo" }], `two processes are named "p"`],
    [[{ name: "", server: "Demo" }], `processes[0].name expected a non-empty string, got ""`],
    [[{ name: "p", server: "Ghost" }], `process "p" names server "Ghost"`],
    [[7], `processes[0] expected an object, got number 7`],
  ])("refuses %j", (processes, message) => {
    expect(refusal(processes)).toEqual({ code: "RELX_BAD_BOOT_SPEC", message: expect.stringContaining(message) });
  });

  it("with names known unique (the manifest's), still refuses a name twice wherever the list leaves them", () => {
    const spec = (names: string[]) => ({ processes: names.map((name) => ({ name, server: "Demo" })) });
    const known = ["a", "b", "c", "d"];
    const run = (names: string[]) => {
      try {
        return evaluateApp(spec(names), { source: "src/app.ts", servers: new Set(["Demo"]), config: () => ({}), uniqueNames: known }).processes.map((p) => p.name);
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(run(["a", "b", "c", "d"])).toEqual(["a", "b", "c", "d"]);
    expect(run(["a", "b", "d", "c"])).toEqual(["a", "b", "d", "c"]);
    expect(run(["a", "b", "a", "d"])).toEqual(expect.stringContaining(`two processes are named "a"`));
    expect(run(["a", "b", "c", "c"])).toEqual(expect.stringContaining(`two processes are named "c"`));
    expect(run(["x", "x", "c", "d"])).toEqual(expect.stringContaining(`two processes are named "x"`));
    expect(run(["a", "a"])).toEqual(expect.stringContaining(`two processes are named "a"`));
  });
});
