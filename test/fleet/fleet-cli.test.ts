// The fleet CLI's own refusals, through the real bin/relx and before anything connects (the fleet
// file names an ssh host no test starts): health checks with --sync, and a --health-call whose
// message is not JSON. Each exits 1 with what was wrong and a hint, and nothing is written.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { builtExample } from "../fixtures/bank.js";
import { relx } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";

afterEach(cleanupRoots);

function coordinator(): string {
  const root = tempRoot();
  writeFileSync(join(root, "relx.fleet.json"), JSON.stringify({ hosts: [{ name: "a", ssh: "nobody@192.0.2.1", root: "/srv/a" }] }));
  return root;
}

describe("relx fleet upgrade refuses", () => {
  it.each([
    [["--sync", "--health", "true"], /--health and --health-call are for rolling runs/, /drop --sync/],
    [["--sync", "--health-call", "counter"], /--health and --health-call are for rolling runs/, /drop --sync/],
    [["--health-call", "counter {health:1}"], /--health-call: the message after "counter" is not valid JSON: "\{health:1\}"/, /--health-call 'counter \{"health":true\}'/],
  ])("%j", async (args, message, hint) => {
    const root = coordinator();
    const r = await relx(root, ["fleet", "upgrade", "2.0.0", ...args]);
    expect(r.code).toBe(1);
    const [line, hintLine] = r.stderr.trim().split("\n");
    expect(line).toMatch(message);
    expect(hintLine).toMatch(hint);
    expect(readdirSync(root)).toEqual(["relx.fleet.json"]);
  });
});

describe("relx fleet status", () => {
  it("counts a host's processes in words that agree with the count (1 process)", async () => {
    const host = tempRoot();
    await builtExample(host);
    expect((await relx(host, ["start"])).code).toBe(0);
    const root = tempRoot();
    writeFileSync(join(root, "relx.fleet.json"), JSON.stringify({ hosts: [{ name: "a", root: host }] }));
    const r = await relx(root, ["fleet", "status"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("a  bank 1.0.0  1 process\n");
  });
});
