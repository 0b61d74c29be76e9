// Issue 9, finding 7: Node fires a timer longer than 2^31 - 1 ms after 1 ms, so a call with
// `timeoutMs: 3e9` used to re-arm a 1 ms timer for as long as it waited (CPU, and a
// TimeoutOverflowWarning in the log every time). The socket refuses such a timeout, naming the
// limit; the longest one allowed waits as long as it must, without a warning.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTwins } from "../fixtures/twins.js";
import { relx } from "../support/relx.js";
import { TestClient } from "../support/socket-client.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";

let root: string;
beforeAll(async () => {
  root = tempRoot({ scope: "file" });
  writeTwins(root, { version: "1.0.0" });
  expect((await relx(root, ["build"])).code).toBe(0);
  const started = await relx(root, ["start"]);
  expect(started.code, started.stderr).toBe(0);
});
afterAll(cleanupAllRoots);

describe("call timeouts over the socket", () => {
  it("refuses a timeoutMs above 2147483647, and waits out the longest one without a timer overflow", async () => {
    const client = await TestClient.connect(join(root, ".relx", "relx.sock"));
    try {
      // alpha is busy until the test writes `release`, so the calls behind it wait with their deadline armed.
      const inHand = join(root, "in-hand.txt");
      const release = join(root, "release-call");
      client.send({ id: 1, op: "call", process: "alpha", msg: { block: inHand, until: release } });
      client.send({ id: 2, op: "call", process: "alpha", msg: "inc", timeoutMs: 3e9 });
      client.send({ id: 3, op: "call", process: "alpha", msg: "inc", timeoutMs: 2147483647 });
      await waitFor(() => existsSync(inHand), "alpha to take the blocking call");
      await client.waitFor(1); // the refusal of id 2: the requests behind the blocking call were read
      writeFileSync(release, "go");
      const answers = await client.waitFor(3);
      const byId = (id: number) => answers.find((a) => a.id === id);
      expect(byId(2)).toMatchObject({ ok: false, error: { code: "RELX_BAD_REQUEST" } });
      expect((byId(2) as { error: { message: string } }).error.message).toMatch(/^field "timeoutMs": expected .*2147483647, got number 3000000000$/);
      expect(byId(1)).toMatchObject({ ok: true, result: { v: 1, n: 1 } });
      expect(byId(3)).toMatchObject({ ok: true, result: { v: 1, n: 2 } });
    } finally {
      client.close();
    }
    expect((await relx(root, ["ping"])).code).toBe(0);
    expect(readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8")).not.toMatch(/TimeoutOverflowWarning/);
  });
});

describe("relx call that times out", () => {
  it("says how to wait longer with relx call: callTimeoutMs (the command has no timeout option)", async () => {
    const own = tempRoot();
    writeTwins(own, { version: "1.0.0", config: { callTimeoutMs: 200 } });
    expect((await relx(own, ["build"])).code).toBe(0);
    const started = await relx(own, ["start"]);
    expect(started.code, started.stderr).toBe(0);
    const msg = JSON.stringify({ block: join(own, "in-hand.txt"), until: join(own, "never") });
    const r = await relx(own, ["call", "alpha", msg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/timed out after 200 ms/);
    expect(r.stderr).toMatch(/hint: .*callTimeoutMs in relx\.config\.json/);
    writeFileSync(join(own, "never"), "go");
  });
});
