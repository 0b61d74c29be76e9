// A process's phase, one transition per row of the table at the top of src/runtime/process.ts.
import { describe, expect, it } from "vitest";
import { defineServer, start, call, sys } from "../../src/index.js";
import { lookup } from "../../src/runtime/registry.js";
import type { Process } from "../../src/runtime/process.js";

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

async function startWith(handler: (msg: any) => unknown): Promise<Process> {
  const S = defineServer({ name: "P", init: () => 0, handleCall: async (msg, _f, s) => ({ reply: await handler(msg), state: s }) });
  return lookup(await start(S, null))!;
}

describe("process phases", () => {
  it("idle → busy while a message is in hand → idle", async () => {
    const g = gate();
    const p = await startWith(() => g.opened);
    expect(p.phase).toBe("idle");
    const reply = call(p.pid, "x");
    expect(p.phase).toBe("busy");
    g.open();
    await reply;
    expect(p.phase).toBe("idle");
  });

  it("idle → suspended at once; resume → idle", async () => {
    const p = await startWith(() => 1);
    await sys.suspend(p.pid);
    expect(p.phase).toBe("suspended");
    await sys.resume(p.pid);
    expect(p.phase).toBe("idle");
  });

  it("busy → suspending → suspended once the message in hand is done", async () => {
    const g = gate();
    const p = await startWith(() => g.opened);
    const reply = call(p.pid, "x");
    const suspended = sys.suspend(p.pid);
    expect(p.phase).toBe("suspending");
    g.open();
    await suspended;
    await reply;
    expect(p.phase).toBe("suspended");
  });

  it("suspending → busy on resume, then idle", async () => {
    const g = gate();
    const p = await startWith(() => g.opened);
    const reply = call(p.pid, "x");
    void sys.suspend(p.pid);
    await sys.resume(p.pid);
    expect(p.phase).toBe("busy");
    g.open();
    await reply;
    expect(p.phase).toBe("idle");
  });

  it("a system operation while suspended runs in suspending and comes back to suspended", async () => {
    const p = await startWith(() => 1);
    await sys.suspend(p.pid);
    const g = gate();
    const replaced = sys.replaceState(p.pid, async (s) => (await g.opened, s + 1));
    expect(p.phase).toBe("suspending");
    g.open();
    expect(await replaced).toBe(1);
    expect(p.phase).toBe("suspended");
  });

  it("exited is final", async () => {
    const p = await startWith(() => 1);
    const { stop } = await import("../../src/index.js");
    await stop(p.pid);
    expect(p.phase).toBe("exited");
    expect(() => p.suspend()).toThrow(/has exited/);
  });
});
