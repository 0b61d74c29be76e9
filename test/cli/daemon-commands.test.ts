// The CLI against a stub daemon (a real socket server with a stub release node): rendering,
// --json shapes, failures with extra fields, and large output flushed in full.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RelxError } from "../../src/errors.js";
import { pageProcesses } from "../../src/daemon/status-page.js";
import type { StatusFields } from "../../src/protocol/ops.js";
import type { DryRunResult, ProcessStatus, StatusResult, UpgradeResult } from "../../src/protocol/results.js";
import type { Request } from "../../src/protocol/types.js";
import { relx } from "../support/relx.js";
import { startStubServer, type StubServer } from "../support/stub-daemon.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";

const PROCESSES = 100_000;
let dir: string;
let stub: StubServer;
let env: Record<string, string>;

function status(fields: StatusFields): StatusResult {
  const all: ProcessStatus[] = Array.from({ length: PROCESSES }, (_, i) => ({
    name: `worker-${i}`, pid: `<0.${i}.0>`, server: "DemoServer", vsn: "2", status: "running" as const, queue: i % 3,
    restarts: 0, handled: i,
  }));
  return {
    name: "bank",
    vsn: "1.1.0",
    permanent: "1.1.0",
    daemon: { pid: 4242, uptimeMs: 3_723_000 },
    releases: [{ vsn: "1.0.0", state: "old" }, { vsn: "1.1.0", state: "permanent" }],
    ...pageProcesses(all, fields),
    lastUpgrade: { from: "1.0.0", to: "1.1.0", pauseMs: 3, at: "2025-01-01T00:00:00.000Z" },
    upgrades: [{ from: "1.0.0", to: "1.1.0", at: "2025-01-01T00:00:00.000Z", ok: true, pauseMs: 3 }],
  };
}

function upgradeResult(dryRun: boolean): UpgradeResult | DryRunResult {
  if (dryRun) return { ok: false, dryRun: true, from: "1.0.0", to: "1.1.0", changed: [{ name: "blackode", server: "DemoServer", fromVsn: "1", toVsn: "2" }], started: [], stopped: [], results: [{ name: "blackode", server: "DemoServer", ok: false, error: { code: "RELX_CODE_CHANGE_FAILED", message: "no" } }], hooks: [], pauseMs: 2, durationMs: 9 };
  return { ok: true, from: "1.0.0", to: "1.1.0", changed: [{ name: "blackode", server: "DemoServer", fromVsn: "1", toVsn: "2" }], started: [], stopped: [], pauseMs: 2, durationMs: 9 };
}

/**
 * Results whose JSON is hard to get byte for byte: strings JSON escapes or that are not ASCII (a
 * lone surrogate, U+2028, quotes), numbers with several spellings, keys that look like integers (an
 * object lists them first), a field the CLI does not know; `ok` not first (the CLI then parses the
 * result to find its exit code); 100,000 changed processes.
 */
const AWKWARD: Record<string, Record<string, unknown>> = {
  "3.0.0": {
    ok: true, from: "1.0.0", to: "3.0.0",
    changed: [
      { name: "naïve \u{1F680} \"quoted\" back\\slash", server: "Demo\u2028Server", fromVsn: "1", toVsn: "2" },
      { name: "lone \ud800 surrogate", server: "tab\there", fromVsn: "1", toVsn: "2" },
    ],
    started: ["\u0000nul"], stopped: [], pauseMs: 0.1 + 0.2, durationMs: 1e21,
    hookError: { code: "RELX_HOOK_FAILED", message: "afterUpgrade threw: ✗" },
    unknown: { 10: "ten", 2: "two", b: -0, a: [1.5e-7, null, true] },
  },
  "3.0.1": { from: "1.0.0", ok: false, dryRun: true, to: "3.0.1", changed: [], started: [], stopped: [], results: [], hooks: [], pauseMs: 1, durationMs: 2 },
  "3.0.2": { from: "1.0.0", to: "3.0.2", ok: true, changed: [], started: [], stopped: [], pauseMs: 1, durationMs: 2 },
  "3.0.3": {
    ok: true, from: "1.0.0", to: "3.0.3",
    changed: Array.from({ length: PROCESSES }, (_, i) => ({ name: `emp${i}`, server: "DemoServer", fromVsn: "1", toVsn: "2" })),
    started: [], stopped: [], pauseMs: 12.345, durationMs: 678.9,
  },
};

async function handle(request: Request): Promise<unknown> {
  if ((request.op === "upgrade" || request.op === "downgrade") && Object.hasOwn(AWKWARD, request.vsn)) return AWKWARD[request.vsn];
  switch (request.op) {
    case "status": return status(request);
    case "call": return { echoed: request.msg };
    case "state": return { name: "blackode", salary: 30000 };
    case "upgrade":
      if (request.vsn === "9.9.9") {
        throw new RelxError("RELX_CODE_CHANGE_FAILED", "codeChange of blackode threw: no", { process: "blackode", hint: "fix it", details: { rolledBack: true } });
      }
      return upgradeResult(request.dryRun === true);
    default: return { ok: true };
  }
}

beforeAll(async () => {
  dir = tempRoot({ scope: "file" });
  stub = await startStubServer(join(dir, "relx.sock"), handle);
  env = { RELX_SOCKET: stub.path };
});
afterAll(async () => {
  await stub.server.close();
  await cleanupAllRoots({});
});

describe("relx against a daemon", () => {
  it("status --json prints all of a large status, flushed before exit", async () => {
    const run = await relx(null, ["status", "--json"], { env });
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout) as StatusResult;
    expect(parsed.processes).toHaveLength(PROCESSES);
    expect(parsed.processes.at(-1)!.name).toBe(`worker-${PROCESSES - 1}`);
  });

  it("status above 1,000 processes prints a summary and the first page; --all prints every process", async () => {
    const run = await relx(null, ["status"], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`processes     ${PROCESSES.toLocaleString("en")} (${PROCESSES.toLocaleString("en")} running, 0 suspended, 0 down)`);
    const lines = run.stdout.trimEnd().split("\n");
    const header = lines.findIndex((l) => l.startsWith("NAME"));
    expect(lines.slice(header + 1).filter((l) => l.startsWith("worker-"))).toHaveLength(100);
    expect(lines.at(-1)).toContain("relx status --all");
    expect(stub.handled.at(-1)).toEqual({ id: 1, op: "status", limit: 1000 });
    const page = await relx(null, ["status", "--json", "--offset", "10", "--limit", "5"], { env });
    expect(JSON.parse(page.stdout)).toMatchObject({ count: PROCESSES, processes: [{ name: "worker-10" }, {}, {}, {}, { name: "worker-14" }] });
  });

  it("status --all prints the release lines and a table with one row per process", async () => {
    const run = await relx(null, ["status", "--all"], { env });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("release       bank 1.1.0");
    expect(lines).toContain("daemon        pid 4242, up 1h 2m");
    expect(lines).toContain("last upgrade  1.0.0 → 1.1.0 at 2025-01-01T00:00:00.000Z (paused 3 ms)");
    const header = lines.findIndex((l) => l.startsWith("NAME"));
    expect(lines[header]).toMatch(/^NAME\s+PID\s+SERVER\s+VSN\s+STATUS\s+QUEUE\s+RESTARTS\s+HANDLED$/);
    expect(lines.length - header - 1).toBe(PROCESSES);
  });

  it("call sends the parsed message and prints the reply as JSON", async () => {
    const run = await relx(null, ["call", "blackode", '{"add":30000}', "--socket", stub.path]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ echoed: { add: 30000 } });
  });

  it("a dry run that would fail prints its result and exits 1", async () => {
    const run = await relx(null, ["upgrade", "1.1.0", "--dry-run", "--json"], { env });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, from: "1.0.0", to: "1.1.0" });
    expect(stub.handled.at(-1)).toEqual({ id: 1, op: "upgrade", vsn: "1.1.0", dryRun: true });
  });

  it("upgrade passes --extra and --no-permanent", async () => {
    const run = await relx(null, ["upgrade", "1.1.0", "--extra", '{"rate":2}', "--no-permanent"], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("relx: upgraded 1.0.0 → 1.1.0");
    expect(stub.handled.at(-1)).toEqual({ id: 1, op: "upgrade", vsn: "1.1.0", extra: { rate: 2 }, permanent: false });
  });

  it("a failed upgrade exits 1 with the error and rolledBack", async () => {
    const json = await relx(null, ["upgrade", "9.9.9", "--json"], { env });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      error: { code: "RELX_CODE_CHANGE_FAILED", message: "codeChange of blackode threw: no", hint: "fix it", process: "blackode" },
      rolledBack: true,
    });
    const human = await relx(null, ["upgrade", "9.9.9"], { env });
    expect(human.stderr.split("\n")[0]).toContain("relx: codeChange of blackode threw: no (rolled back");
  });

  // Before the daemon's bytes were printed as they came, the CLI printed JSON.stringify of the
  // answer's parsed result: the same bytes, on both paths (fast and commander's), whatever the result.
  it.each(Object.keys(AWKWARD).flatMap((vsn) => [[vsn, "upgrade", "0"], [vsn, "downgrade", "0"], [vsn, "upgrade", "1"]]))(
    "--json prints the result as parsing and stringifying it did: %s, relx %s, RELX_NO_FAST_PATH=%s",
    async (vsn, op, noFastPath) => {
      const run = await relx(null, [op!, vsn!, "--json"], { env: { ...env, RELX_NO_FAST_PATH: noFastPath } });
      const result = AWKWARD[vsn!]!;
      const line = JSON.stringify({ id: 1, ok: true, result });
      expect(run.stdout).toBe(JSON.stringify((JSON.parse(line) as { result: unknown }).result) + "\n");
      expect(run.code).toBe(result.ok === true ? 0 : 1);
      expect(run.stderr).toBe("");
    },
  );

  it("prints an upgrade of 100,000 processes for people as a table of 100,000 rows", async () => {
    for (const noFastPath of ["0", "1"]) {
      const run = await relx(null, ["upgrade", "3.0.3"], { env: { ...env, RELX_NO_FAST_PATH: noFastPath } });
      expect(run.code).toBe(0);
      const lines = run.stdout.split("\n");
      expect(lines[0]).toBe("relx: upgraded 1.0.0 → 3.0.3 in 678.9 ms (paused 12.345 ms)");
      expect(lines[1]).toBe("CHANGED   SERVER      VSN");
      expect(lines[2]).toBe("emp0      DemoServer  1 → 2");
      expect(lines.at(-2)).toBe("emp99999  DemoServer  1 → 2");
      expect(lines).toHaveLength(PROCESSES + 3);
    }
  });

  it("start refuses when a daemon answers", async () => {
    const run = await relx(null, ["start", "--json"], { env, cwd: dir });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: "RELX_DAEMON_RUNNING" } });
  });
});
