// The daemon's socket server with a stub release node: permissions, stale and live sockets, pipelining.
import { spawnSync } from "node:child_process";
import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RelxError } from "../../src/errors.js";
import { TestClient } from "../support/socket-client.js";
import { startStubServer, type StubServer } from "../support/stub-daemon.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { gate, waitFor } from "../support/wait.js";

let dir: string;
const servers: StubServer[] = [];
const clients: TestClient[] = [];

beforeEach(() => {
  dir = tempRoot();
});
afterEach(async (ctx) => {
  clients.splice(0).forEach((c) => c.close());
  await Promise.all(servers.splice(0).map((s) => s.server.close()));
  await cleanupRoots(ctx);
});

async function serve(...args: Parameters<typeof startStubServer>): Promise<StubServer> {
  const stub = await startStubServer(...args);
  servers.push(stub);
  return stub;
}

async function connect(path: string): Promise<TestClient> {
  const client = await TestClient.connect(path);
  clients.push(client);
  return client;
}

/** Leaves a socket file with no one listening, as a daemon killed with SIGKILL does. */
function makeStaleSocket(path: string): void {
  const script = `require("net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`;
  spawnSync(process.execPath, ["-e", script]);
}

describe("listening", () => {
  it("creates the socket 0600 in a new 0700 directory", async () => {
    const path = join(dir, "run", "relx.sock");
    await serve(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "run"))).mode & 0o777).toBe(0o700);
    const umask = process.umask(0o022);
    process.umask(umask);
    expect(umask).not.toBe(0o177);
  });

  it("replaces the stale socket of a dead daemon", async () => {
    const path = join(dir, "relx.sock");
    makeStaleSocket(path);
    expect((await stat(path)).isSocket()).toBe(true);
    await serve(path);
    const client = await connect(path);
    expect(await client.ask({ id: 1, op: "ping" })).toMatchObject({ ok: true, result: { pong: true } });
  });

  it("never takes a live daemon's socket", async () => {
    const path = join(dir, "relx.sock");
    await serve(path);
    await expect(startStubServer(path)).rejects.toMatchObject({ code: "RELX_DAEMON_RUNNING" });
    const client = await connect(path);
    expect(await client.ask({ id: 1, op: "ping" })).toMatchObject({ ok: true });
  });

  it("refuses a path too long for a Unix socket, naming it and its length", async () => {
    const path = join(dir, "d".repeat(120), "relx.sock");
    const error = await startStubServer(path).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RelxError);
    expect(error).toMatchObject({ code: "RELX_SOCKET_PATH_TOO_LONG", hint: expect.stringContaining("--socket") });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain(`${Buffer.byteLength(path)} bytes`);
  });

  it("leaves a file that is not a socket alone", async () => {
    const path = join(dir, "relx.sock");
    await writeFile(path, "precious");
    await expect(startStubServer(path)).rejects.toMatchObject({ code: "RELX_BAD_CONFIG" });
    expect((await stat(path)).isFile()).toBe(true);
  });

  it("removes its socket file on close", async () => {
    const path = join(dir, "relx.sock");
    const { server } = await startStubServer(path);
    await server.close();
    await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("requests", () => {
  it("answers pipelined requests as they finish, matched by id", async () => {
    const path = join(dir, "relx.sock");
    const gates = new Map([1, 2, 3].map((n) => [n, gate<unknown>()]));
    const stub = await serve(path, (request) => gates.get((request as { msg: number }).msg)!.promise);
    const client = await connect(path);
    client.send([1, 2, 3].map((n) => JSON.stringify({ id: n * 10, op: "call", process: "p", msg: n })).join("\n") + "\n");
    await waitFor(() => stub.handled.length === 3, "the three requests to be handled", { intervalMs: 1 });
    gates.get(3)!.open("three");
    await client.waitFor(1);
    gates.get(1)!.open("one");
    await client.waitFor(2);
    gates.get(2)!.open("two");
    const responses = await client.waitFor(3);
    expect(responses.map((r) => r.id)).toEqual([30, 10, 20]);
    expect(responses).toContainEqual({ id: 10, ok: true, result: "one" });
  });

  it("spreads a RelxError's details next to the error, and wraps other throws as RELX_BUG", async () => {
    const path = join(dir, "relx.sock");
    await serve(path, async (request) => {
      if (request.op === "upgrade") {
        throw Object.assign(new RelxError("RELX_CODE_CHANGE_FAILED", "boom", { process: "p" }), { details: { rolledBack: true } });
      }
      throw new TypeError("oops");
    });
    const client = await connect(path);
    expect(await client.ask({ id: 1, op: "upgrade", vsn: "2.0.0" })).toEqual({
      id: 1,
      ok: false,
      error: { code: "RELX_CODE_CHANGE_FAILED", message: "boom", process: "p" },
      rolledBack: true,
    });
    expect(await client.ask({ id: 2, op: "status" })).toMatchObject({ ok: false, error: { code: "RELX_BUG" } });
  });

  it("answers a result JSON cannot carry with RELX_BAD_RESULT", async () => {
    const path = join(dir, "relx.sock");
    await serve(path, async () => ({ big: 1n }));
    const client = await connect(path);
    expect(await client.ask({ id: 1, op: "state", process: "p" })).toMatchObject({ ok: false, error: { code: "RELX_BAD_RESULT" } });
  });

  it("stops on the stop op: its handler, then the answer, then its afterAnswer hook", async () => {
    const path = join(dir, "relx.sock");
    const order: string[] = [];
    const answered = gate<void>();
    const stub = await serve(path, undefined, {
      afterAnswer: {
        stop: () => {
          order.push("answered");
          answered.open();
        },
      },
    });
    stub.onStop = () => order.push("stop");
    const client = await connect(path);
    expect(await client.ask({ id: 5, op: "stop" })).toEqual({ id: 5, ok: true, result: { stopped: true, pid: process.pid } });
    await answered.promise;
    expect(order).toEqual(["stop", "answered"]);
  });
});
