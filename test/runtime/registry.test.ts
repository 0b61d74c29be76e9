// The registry keeps processes by pid id in chunks of consecutive ids: lookups, the start-order
// snapshot (whole, and of those started after a mark) and the end of a process, across chunks.
import { describe, expect, it } from "vitest";
import { call, defineServer, start, stop, type Pid, type RelxError } from "../../src/index.js";
import * as host from "../../src/runtime/host.js";
import { chunkCount } from "../../src/runtime/registry.js";

const Echo = defineServer({
  name: "Echo",
  init: (n: number) => n,
  handleCall: (_msg, _from, n: number) => ({ reply: n, state: n }),
});

describe("the registry", () => {
  it("finds every process across chunks, forgets the ended ones, and lists the rest in start order", async () => {
    const mark = host.newestPidId();
    const pids: Pid[] = [];
    for (let i = 0; i < 700; i++) pids.push(await start(Echo, i)); // about three chunks of 256
    expect(await call(pids[0]!, "n")).toBe(0);
    expect(await call(pids[699]!, "n")).toBe(699);
    expect(await call(String(pids[300]), "n")).toBe(300); // a pid's text form too

    // End all of the middle chunk's worth and every third of the rest.
    const ended = new Set<number>();
    for (let i = 0; i < 700; i++) if ((i >= 256 && i < 512) || i % 3 === 0) ended.add(i);
    for (const i of ended) await stop(pids[i]!);
    for (const i of [0, 300, 511, 699]) {
      await expect(call(pids[i]!, "n")).rejects.toMatchObject({ code: "RELX_NO_SUCH_PROCESS" } satisfies Partial<RelxError>);
    }
    expect(await call(pids[1]!, "n")).toBe(1);
    expect(await call(pids[514]!, "n")).toBe(514);

    const since = host.snapshot(mark).map((p) => p.pid.id);
    const alive = pids.filter((_, i) => !ended.has(i)).map((p) => p.id);
    expect(since).toEqual(alive);
    expect(host.snapshot(pids[600]!.id).map((p) => p.pid.id)).toEqual(alive.filter((id) => id > pids[600]!.id));
    const all = host.snapshot().map((p) => p.pid.id);
    expect(all.slice(-alive.length)).toEqual(alive);
    expect(host.newestFirst().slice(0, 3).map((ref) => String(host.info(ref).pid))).toEqual([pids[698], pids[697], pids[695]].map(String));

    // An emptied chunk takes new processes again once ids reach past it (new ids, never reused).
    const later = await start(Echo, 7);
    expect(later.id).toBeGreaterThan(pids[699]!.id);
    expect(await call(later, "n")).toBe(7);
    for (const i of alive) await stop(pids.find((p) => p.id === i)!);
    await stop(later);
    expect(host.snapshot(mark)).toEqual([]);
  });

  it("keeps no chunk for processes that have all ended, however many were spawned", async () => {
    const before = chunkCount();
    for (let round = 0; round < 8; round++) {
      const pids: Pid[] = [];
      for (let i = 0; i < 300; i++) pids.push(await start(Echo, i));
      expect(await call(pids[299]!, "n")).toBe(299);
      for (const pid of pids) await stop(pid);
    }
    // 2,400 processes spawned and ended, over about ten chunks: none of them is kept.
    expect(chunkCount()).toBe(before);
  });
});
