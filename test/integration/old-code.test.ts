// Old code is freed (issue 5): a daemon whose heap is capped at 64 MB upgrades through 12 releases
// that each carry ~3 MB of code and still answers, its state carried through every codeChange.
// Each release's code takes ~8 MB of heap once loaded, so a daemon that kept old releases alive
// runs out of heap after about seven of them (one made to keep every loaded release died in the
// upgrade to 1.0.7, the eighth): twelve leave a margin and take 40% of the time thirty did.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { probeOf, writeBigApp } from "../fixtures/apps.mjs";

afterEach(cleanupRoots);

const RELEASES = 12;
const HEAP_CAP = "--max-old-space-size=64";

async function build(root: string, release: number): Promise<void> {
  writeBigApp(root, release);
  const built = await relx(root, ["build", "--vsn", `1.0.${release}`]);
  expect(built.code, built.stderr).toBe(0);
  const bundle = statSync(join(root, "releases", `1.0.${release}`, "lib", "big.cjs")).size;
  expect(bundle, `release 1.0.${release}'s server bundle`).toBeGreaterThan(2_500_000);
}

describe("old code", () => {
  it(`is freed: ${RELEASES} releases of ~3 MB of code each, upgraded in turn in a 64 MB heap`, async () => {
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
      expect(reply.json, `call after the upgrade to 1.0.${release}`).toEqual({ n: release, vsn: release + 1, probe: probeOf(release, release) });
    }

    const status = (await relxJson(root, ["status"])).json;
    expect(status).toMatchObject({ vsn: `1.0.${RELEASES - 1}`, daemon: { pid } });
    expect(status.processes).toMatchObject([{ name: "big", vsn: String(RELEASES), status: "running" }]);
    const seen = Array.from({ length: RELEASES - 1 }, (_, i) => String(i + 1));
    expect((await relxJson(root, ["state", "big"])).json).toEqual({ n: RELEASES - 1, seen });
    expect(readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8")).not.toMatch(/out of memory/i);
  });
});
