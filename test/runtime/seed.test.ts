// The seed article's walk-through, in the library's own words (SPEC §4).
import { describe, expect, it } from "vitest";
import { call, start, sys } from "../../src/index.js";
import DemoServerV1 from "../../examples/bank/src/demo_server.js";
import DemoServerV2 from "../../examples/bank/v2/src/demo_server.js";

describe("the seed's hot code swap", () => {
  it("suspends, changes DemoServer v1 to v2 with oldVsn '1', resumes, and answers in the v2 shape", async () => {
    const pid = await start(DemoServerV1, { name: "blackode", money: 30000 });
    expect(await call(pid, { add: 30000 })).toBe("30000 added to blackode ");
    expect(await sys.getState(pid)).toEqual({ name: "blackode", money: 60000 });

    await sys.suspend(pid);
    await sys.changeCode(pid, DemoServerV2, "1", null);
    expect(await sys.getState(pid)).toEqual({ name: "blackode", salary: 60000 });
    await sys.resume(pid);

    expect(await call(pid, { add: 100000 })).toEqual({ name: "blackode", salary: 160000 });
    const status = await sys.getStatus(pid);
    expect(status).toMatchObject({ server: "DemoServer", vsn: "2", status: "running", queue: 0, handled: 2 });
  });

  it("goes back down with { down: '1' }, calling the running (v2) codeChange", async () => {
    const pid = await start(DemoServerV2, { name: "blackode", salary: 160000 });
    await sys.suspend(pid);
    await sys.changeCode(pid, DemoServerV1, { down: "1" }, null);
    await sys.resume(pid);
    expect(await sys.getState(pid)).toEqual({ name: "blackode", money: 160000 });
    expect(await call(pid, { add: 1 })).toBe("1 added to blackode ");
  });
});
