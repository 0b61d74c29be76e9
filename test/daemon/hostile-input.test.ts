// SPEC §8 / issue 5: nothing a client sends or does takes the socket server down, and every bad
// input gets a coded error. Each case ends by checking that the server still answers a ping.
import net from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../support/socket-client.js";
import { startStubServer, type StubServer } from "../support/stub-daemon.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";
import { gate, waitFor } from "../support/wait.js";

let stub: StubServer;
const slow = gate<unknown>();

beforeAll(async () => {
  stub = await startStubServer(join(tempRoot(), "relx.sock"), async (request) => {
    if (request.op === "call" && request.msg === "slow") return slow.promise;
    if (request.op === "call" && request.msg === "big") return "x".repeat(8 * 1024);
    return { echo: request.op };
  });
});
afterAll(async () => {
  slow.open("late");
  await stub.server.close();
  await cleanupAllRoots({});
});

/** A new connection pings; the server must still be up and serving. */
async function expectAlive(): Promise<void> {
  const client = await TestClient.connect(stub.path);
  expect(await client.ask({ id: "alive", op: "ping" })).toMatchObject({ ok: true, result: { pong: true } });
  client.close();
}

/** Sends `data` and then a ping on the same connection; returns the answers before the ping's. */
async function sendThenPing(data: string | Buffer, answers: number): Promise<unknown[]> {
  const client = await TestClient.connect(stub.path);
  client.send(data);
  const responses = await client.waitFor(answers);
  expect(await client.ask({ id: "after", op: "ping" })).toMatchObject({ ok: true });
  client.close();
  await expectAlive();
  return responses.slice(0, answers);
}

describe("hostile input", () => {
  it("garbage bytes get RELX_BAD_REQUEST with id null", async () => {
    const garbage = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x7b, 0x0a, 0x80, 0x81, 0x0a]);
    expect(await sendThenPing(garbage, 2)).toEqual([
      expect.objectContaining({ id: null, ok: false, error: expect.objectContaining({ code: "RELX_BAD_REQUEST" }) }),
      expect.objectContaining({ id: null, ok: false, error: expect.objectContaining({ code: "RELX_BAD_REQUEST" }) }),
    ]);
  });

  it("a 2 MiB line gets RELX_LINE_TOO_LONG with id null; the connection stays usable", async () => {
    const line = JSON.stringify({ id: 1, op: "call", process: "p", msg: "x".repeat(2 * 1024 * 1024) }) + "\n";
    expect(await sendThenPing(line, 1)).toEqual([
      { id: null, ok: false, error: expect.objectContaining({ code: "RELX_LINE_TOO_LONG" }) },
    ]);
  });

  it("invalid JSON gets RELX_BAD_REQUEST, with the id when it can be read", async () => {
    expect(await sendThenPing('{"id": 12, "op": "ping",\n', 1)).toEqual([
      { id: 12, ok: false, error: expect.objectContaining({ code: "RELX_BAD_REQUEST", message: expect.stringContaining("not valid JSON") }) },
    ]);
  });

  it("an unknown op gets RELX_UNKNOWN_OP", async () => {
    expect(await sendThenPing('{"id":3,"op":"format_disk"}\n', 1)).toEqual([
      { id: 3, ok: false, error: expect.objectContaining({ code: "RELX_UNKNOWN_OP" }) },
    ]);
  });

  it("wrong field types get RELX_BAD_REQUEST naming the field", async () => {
    const lines = [
      { id: 1, op: "call", process: ["p"], msg: 1 },
      { id: 2, op: "call", process: "p", msg: 1, timeoutMs: -5 },
      { id: 3, op: "upgrade", vsn: 2 },
      { id: { no: 1 }, op: "ping" },
    ].map((r) => JSON.stringify(r)).join("\n") + "\n";
    const answers = (await sendThenPing(lines, 4)) as Array<{ id: unknown; error: { code: string; message: string } }>;
    expect(answers.map((a) => [a.id, a.error.code])).toEqual([
      [1, "RELX_BAD_REQUEST"], [2, "RELX_BAD_REQUEST"], [3, "RELX_BAD_REQUEST"], [null, "RELX_BAD_REQUEST"],
    ]);
    expect(answers.map((a) => a.error.message.split(":")[0])).toEqual(['field "process"', 'field "timeoutMs"', 'field "vsn"', 'field "id"']);
  });

  it("a client that disconnects mid-line or mid-request does no harm", async () => {
    const half = await TestClient.connect(stub.path);
    half.send('{"id":1,"op":"ca');
    half.close();
    const waiting = await TestClient.connect(stub.path);
    const before = stub.handled.length;
    waiting.send({ id: 2, op: "call", process: "p", msg: "slow" });
    await waitFor(() => stub.handled.length > before, "the slow call to be handled", { intervalMs: 1 });
    waiting.close();
    slow.open("now the client is gone");
    await new Promise((r) => setImmediate(r));
    await expectAlive();
  });

  it("survives 1,000 connections opened and dropped", async () => {
    const sockets = await Promise.all(Array.from({ length: 1000 }, (_, i) => new Promise<net.Socket>((resolve) => {
      const socket = net.connect(stub.path, () => resolve(socket));
      socket.on("error", () => resolve(socket));
      if (i % 3 === 0) socket.write('{"id":1,"op":"status"}\n');
    })));
    sockets.forEach((socket, i) => (i % 2 === 0 ? socket.destroy() : socket.end()));
    await expectAlive();
  });

  it("stops reading from a client that does not read its answers, and catches up when it does", async () => {
    const client = await TestClient.connect(stub.path);
    client.socket.pause();
    const total = 3000;
    const before = stub.handled.length;
    const line = JSON.stringify({ id: 0, op: "call", process: "p", msg: "big" }) + "\n";
    client.send(line.repeat(total));
    // Not a set time: wait until the count stays put. A server that kept reading would stop only at `total`.
    let last = -1;
    let unchanged = 0;
    const handledWhilePaused = await waitFor(() => {
      const handled = stub.handled.length - before;
      unchanged = handled === last ? unchanged + 1 : 0;
      last = handled;
      return handled > 0 && unchanged >= 10 ? handled : undefined;
    }, "the server to stop reading from the paused client", { intervalMs: 10 });
    expect(handledWhilePaused).toBeGreaterThan(0);
    expect(handledWhilePaused).toBeLessThan(total);
    client.socket.resume();
    await client.waitFor(total);
    expect(stub.handled.length - before).toBe(total);
    client.close();
    await expectAlive();
  });
});
