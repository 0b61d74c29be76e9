// renderUpgrade: a dry run's human output at the sizes a big node gives (a line per process).
import { describe, expect, it } from "vitest";
import { renderUpgrade } from "../../src/cli/render-upgrade.js";
import type { DryRunResult } from "../../src/protocol/results.js";

describe("renderUpgrade", () => {
  it("prints a dry run of 200,000 processes, a line each (a spread of them overflowed the call's arguments)", () => {
    const n = 200_000;
    const changed = Array.from({ length: n }, (_, i) => ({ name: `emp${i}`, server: "Demo", fromVsn: "1", toVsn: "2" }));
    const results = changed.map((c) => ({ name: c.name, server: c.server, ok: true as const, state: { salary: 1 } }));
    const result: DryRunResult = { ok: true, dryRun: true, from: "1.0.0", to: "2.0.0", changed, started: [], stopped: [], results, hooks: [], pauseMs: 1, durationMs: 2 };
    const lines = renderUpgrade("upgrade", result).split("\n");
    expect(lines[0]).toBe("relx: dry run of upgrade 1.0.0 → 2.0.0: every codeChange succeeds; nothing was changed");
    expect(lines).toHaveLength(1 + (n + 1) + n);
    expect(lines.at(-1)).toBe(`  ok      emp${n - 1} (Demo) → {"salary":1}`);
  });
});
