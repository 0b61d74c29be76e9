// Calls under continuous load through upgrade/downgrade cycles run by the real CLI (issue 5,
// SPEC §7: "calls made during an upgrade are delayed, never lost or failed"). Counts only, never
// times: the latency figures are bench/daemon-load.mjs's.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";
import { writeCounter } from "../fixtures/apps.mjs";
import { startLoad } from "../support/load-generator.js";

afterEach(cleanupRoots);

const CLIENTS = 4;
const IN_FLIGHT = 32;
const CYCLES = 4; // cycles 0 and 1 already take all six edges; four take each twice

/** Each cycle goes up and back down to 1.0.0; together they take every edge between 1, 2 and 3. */
function cycle(i: number): [string, string][] {
  return i % 2 === 0
    ? [["upgrade", "2.0.0"], ["upgrade", "3.0.0"], ["downgrade", "1.0.0"]]
    : [["upgrade", "3.0.0"], ["downgrade", "2.0.0"], ["downgrade", "1.0.0"]];
}

describe("the daemon under load", () => {
  it(`answers every call of ${CLIENTS} pipelining clients exactly once through ${CYCLES} upgrade/downgrade cycles`, async () => {
    const root = tempRoot();
    writeCounter(root, "1.0.0", 1);
    expect((await relx(root, ["build"])).code).toBe(0);
    const started = await relx(root, ["start"]);
    expect(started.code, started.stderr).toBe(0);
    for (const vsn of [2, 3]) {
      writeCounter(root, `${vsn}.0.0`, vsn);
      const built = await relx(root, ["build"]);
      expect(built.code, built.stderr).toBe(0);
    }

    const load = await startLoad({ socket: join(root, ".relx", "relx.sock"), process: "counter", msg: "inc", clients: CLIENTS, inFlight: IN_FLIGHT });
    await waitFor(() => load.answeredSoFar() >= 1_000, "the load to be under way");
    const steps: string[] = [];
    for (let i = 0; i < CYCLES; i++) {
      for (const [op, vsn] of cycle(i)) {
        const r = await relxJson(root, [op, vsn]);
        expect(r.json, `${op} ${vsn} in cycle ${i}: ${r.stderr}`).toMatchObject({ ok: true, to: vsn });
        steps.push(`${r.json.from}->${r.json.to}`);
      }
    }
    const tally = await load.stop();

    expect(steps).toHaveLength(CYCLES * 3);
    expect(tally.connectionErrors).toEqual([]);
    expect(tally.failures, JSON.stringify(tally.firstFailures)).toBe(0);
    expect(tally.lost).toBe(0);
    expect(tally.duplicates).toBe(0);
    expect(tally.strays).toBe(0);
    expect(tally.answered).toBe(tally.sent);
    expect(tally.results).toHaveLength(tally.sent);

    // Every call counted once: the counts the replies carry are exactly 1..sent.
    const replies = tally.results as { n: number; v: number }[];
    const counts = new Set(replies.map((r) => r.n));
    expect(counts.size).toBe(tally.sent);
    expect(replies.every((r) => Number.isInteger(r.n) && r.n >= 1 && r.n <= tally.sent)).toBe(true);
    // The load ran across the cycles: each release's code answered some of it.
    const byVsn = new Map<number, number>();
    for (const r of replies) byVsn.set(r.v, (byVsn.get(r.v) ?? 0) + 1);
    expect([...byVsn.keys()].sort()).toEqual([1, 2, 3]);

    expect((await relxJson(root, ["state", "counter"])).json).toEqual({ n: tally.sent });
    expect((await relxJson(root, ["call", "counter", '"get"'])).json).toEqual({ n: tally.sent, v: 1 });
    const status = (await relxJson(root, ["status"])).json;
    expect(status).toMatchObject({ vsn: "1.0.0", permanent: "1.0.0", lastUpgrade: { from: "2.0.0", to: "1.0.0" } });
    console.log(`load: ${tally.sent} calls through ${steps.length} upgrades/downgrades; by vsn ${JSON.stringify(Object.fromEntries(byVsn))}`);
  });
});
