// Old code is freed (issue 5): a daemon whose heap is capped at 32 MB upgrades through 12 releases
// that each carry ~1.5 MB of code and still answers, its state carried through every codeChange.
// Each release's code takes ~4 MB of heap once loaded, so a daemon that kept old releases alive
// runs out of heap after about six of them: one made to keep every release it loaded died in the
// upgrade to 1.0.6 (the 7th release), while relx's own went through 20 (and through 20 in 24 MB).
// Twelve releases of half the size take a fifth of the time that 30 of ~3 MB in 64 MB took.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { probeOf, writeBigApp } from "../fixtures/apps.mjs";

afterEach(cleanupRoots);

const RELEASES = 12;
const LINES = 15_000;
const HEAP_CAP = "--max-old-space-size=32";

async function build(root: string, release: number): Promise<void> {
  writeBigApp(root, release, LINES);
  const built = await relx(root, ["build", "--vsn", `1.0.${release}`]);
  expect(built.code, built.stderr).toBe(0);
  const bundle = statSync(join(root, "releases", `1.0.${release}`, "lib", "big.cjs")).size;
  expect(bundle, `release 1.0.${release}'s server bundle`).toBeGreaterThan(1_250_000);
}

describe("old code", () => {
  it(`is freed: ${RELEASES} releases of ~1.5 MB of code each, upgraded in turn in a 32 MB heap`, async () => {
    const root = tempRoot();
    await build(root, 0);
    const started = await relxJson(root, ["start"], { env: { NODE_OPTIONS: HEAP_CAP } });
    expect(started.code, started.stderr).toBe(0);
    const pid: number = started.json.pid;
    const environ = `/proc/${pid}/environ`;
    if (existsSync(environ)) expect(readFileSync(environ, "utf8").split("\0")).toContain(`NODE_OPTIONS=${HEAP_CAP}`);

    for (let release = 1; release < RELEASES; release++) {
      await build(root, release);
      const up = await relxJson(root, ["upgrade", `1.0.${release}`]);
      expect(up.json, `upgrade to 1.0.${release}: ${JSON.stringify(up.json)}`).toMatchObject({ ok: true, to: `1.0.${release}` });
      const reply = await relxJson(root, ["call", "big", '"inc"']);
      expect(reply.json, `call after the upgrade to 1.0.${release}`).toEqual({ n: release, vsn: release + 1, probe: probeOf(release, release, LINES) });
    }

    const status = (await relxJson(root, ["status"])).json;
    expect(status).toMatchObject({ vsn: `1.0.${RELEASES - 1}`, daemon: { pid } });
    expect(status.processes).toMatchObject([{ name: "big", vsn: String(RELEASES), status: "running" }]);
    const seen = Array.from({ length: RELEASES - 1 }, (_, i) => String(i + 1));
    expect((await relxJson(root, ["state", "big"])).json).toEqual({ n: RELEASES - 1, seen });
    expect(readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8")).not.toMatch(/out of memory/i);
  }, 600_000); // 30 builds and upgrades: ~20 s of CPU, over a minute on a loaded 2-core machine; a count, not a time, is what it tests
});
