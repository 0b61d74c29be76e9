// Issue 5: hostile input against the real daemon (test/daemon/hostile-input.test.ts covers the
// socket server alone).
// Every case gets a coded error, and afterwards the same daemon (same pid) still answers.
import net from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../support/socket-client.js";
import { builtExample } from "../fixtures/bank.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";

let root: string;
let sock: string;
let daemonPid: number;

beforeAll(async () => {
  root = tempRoot({ scope: "file" });
  await builtExample(root);
  const started = await relx(root, ["start"]);
  expect(started.code, started.stderr).toBe(0);
  sock = join(root, ".relx", "relx.sock");
  daemonPid = (await relxJson(root, ["status"])).json.daemon.pid;
});
afterAll(cleanupAllRoots);

async function answersFor(data: string | Buffer, count: number): Promise<unknown[]> {
  const client = await TestClient.connect(sock);
  client.send(data);
  const responses = await client.waitFor(count);
  client.close();
  return responses.slice(0, count);
}

const coded = (code: string) => expect.objectContaining({ ok: false, error: expect.objectContaining({ code }) });

describe("the real daemon under hostile input", () => {
  it("answers garbage bytes, a 2 MiB line, invalid JSON, unknown ops and wrong types with coded errors", async () => {
    expect(await answersFor(Buffer.from([0xde, 0xad, 0x00, 0xff, 0x0a]), 1)).toEqual([coded("RELX_BAD_REQUEST")]);
    expect(await answersFor(`{"id":1,"op":"call","process":"blackode","msg":"${"x".repeat(2 * 1024 * 1024)}"}\n`, 1)).toEqual([coded("RELX_LINE_TOO_LONG")]);
    expect(await answersFor('{"id": 2, "op": "call", \n', 1)).toEqual([coded("RELX_BAD_REQUEST")]);
    expect(await answersFor('{"id":3,"op":"reboot"}\n', 1)).toEqual([coded("RELX_UNKNOWN_OP")]);
    expect(await answersFor('{"id":4,"op":"call","process":42,"msg":{}}\n', 1)).toEqual([coded("RELX_BAD_REQUEST")]);
    expect(await answersFor('{"id":5,"op":"upgrade","vsn":["2.0.0"]}\n', 1)).toEqual([coded("RELX_BAD_REQUEST")]);
    expect(await answersFor('{"id":6,"op":"call","process":"nobody","msg":{}}\n', 1)).toEqual([coded("RELX_NO_SUCH_PROCESS")]);
  });

  it("survives clients that disconnect mid-request and 1,000 connections opened and dropped", async () => {
    // Half a request, or a whole call, then gone before any answer.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => new Promise<void>((done) => {
        const s = net.connect(sock, () => {
          s.write(i % 2 ? '{"id":1,"op":"call","process":"blackode","msg":{"add":1}}\n' : '{"id":1,"op":"sta', () => {
            s.destroy();
            done();
          });
        });
        s.on("error", () => done());
      })),
    );
    await Promise.all(
      Array.from({ length: 1000 }, () => new Promise<void>((done) => {
        const s = net.connect(sock, () => {
          s.destroy();
          done();
        });
        s.on("error", () => done());
      })),
    );
    const status = await relxJson(root, ["status"]);
    expect(status.code).toBe(0);
    expect(status.json.daemon.pid).toBe(daemonPid);
    // The 10 calls sent before disconnecting were handled (never half-applied): 30000 + 10.
    expect((await relxJson(root, ["state", "blackode"])).json).toEqual({ name: "blackode", money: 30010 });
  });
});
