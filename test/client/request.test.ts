// The client: one request, one answer; no daemon is RELX_NO_DAEMON; errors come back as RelxError.
import { spawnSync } from "node:child_process";
import net from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closedUnanswered, request, requestText } from "../../src/client/request.js";
import { RelxError } from "../../src/errors.js";
import { startStubServer } from "../support/stub-daemon.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";

let dir: string;
beforeEach(() => {
  dir = tempRoot();
});
afterEach(cleanupRoots);

describe("request", () => {
  it("returns the result of an ok answer", async () => {
    const path = join(dir, "relx.sock");
    const stub = await startStubServer(path, async () => ({ reply: "30000 added" }));
    try {
      expect(await request(path, { op: "call", process: "p", msg: { add: 1 } })).toEqual({ reply: "30000 added" });
      expect(stub.handled).toEqual([{ id: 1, op: "call", process: "p", msg: { add: 1 } }]);
    } finally {
      await stub.server.close();
    }
  });

  it("rebuilds an error answer as a RelxError, extra fields in details", async () => {
    const path = join(dir, "relx.sock");
    const stub = await startStubServer(path, async () => {
      throw Object.assign(new RelxError("RELX_SUSPEND_TIMEOUT", "p did not suspend", { hint: "h" }), { details: { rolledBack: false } });
    });
    try {
      const error = await request(path, { op: "upgrade", vsn: "2.0.0" }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(RelxError);
      expect(error).toMatchObject({ code: "RELX_SUSPEND_TIMEOUT", message: "p did not suspend", hint: "h", details: { rolledBack: false } });
    } finally {
      await stub.server.close();
    }
  });

  it("requestText gives an ok answer's result as the daemon wrote it, unparsed, and an error answer as request does", async () => {
    const path = join(dir, "relx.sock");
    const result = { ok: true, changed: [{ name: "naïve \ud800 \u2028" }], n: 1e21 };
    const stub = await startStubServer(path, async (req) => {
      if (req.op === "downgrade") throw Object.assign(new RelxError("RELX_WRONG_DIRECTION", "no", { hint: "h" }), { details: { rolledBack: false } });
      return result;
    });
    try {
      expect(await requestText(path, { op: "upgrade", vsn: "2.0.0" })).toEqual({ text: Buffer.from(JSON.stringify(result)) });
      await expect(requestText(path, { op: "downgrade", vsn: "1.0.0" })).rejects.toMatchObject({ code: "RELX_WRONG_DIRECTION", details: { rolledBack: false } });
    } finally {
      await stub.server.close();
    }
  });

  it("requestText parses a line in any other form than the daemon's", async () => {
    const path = join(dir, "other.sock");
    const server = net.createServer((socket) => socket.once("data", () => socket.end('{"ok":true,"id":1,"result":{"ok":true}}\n')));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      expect(await requestText(path, { op: "upgrade", vsn: "2.0.0" })).toEqual({ value: { ok: true } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("requestText takes a result of megabytes read across the reader's growth, after a line of another id, in writes of any size", async () => {
    const path = join(dir, "big.sock");
    const result = { ok: true, changed: Array.from({ length: 80_000 }, (_, i) => ({ name: `p${i}`, pid: i })) };
    const bytes = Buffer.from(`{"id":7,"ok":true,"result":null}\n${JSON.stringify({ id: 1, ok: true, result })}\n`);
    expect(bytes.length).toBeGreaterThan(2 * 1024 * 1024);
    const server = net.createServer((socket) => socket.once("data", async () => {
      // Pieces of odd sizes, each written after the last one is flushed.
      for (let at = 0, size = 1; at < bytes.length; at += size, size = 1 + ((size * 7 + 13) % 400_000)) {
        await new Promise((resolve) => socket.write(bytes.subarray(at, at + size), resolve));
      }
      socket.end();
    }));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      expect(await requestText(path, { op: "upgrade", vsn: "2.0.0" })).toEqual({ text: Buffer.from(JSON.stringify(result)) });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("waiting for the close (relx stop), resolves with the answer however the daemon ends, a cut line after it included; a cut line alone is no answer", async () => {
    const path = join(dir, "closing.sock");
    let tail = "";
    const server = net.createServer((socket) => socket.once("data", () => socket.end(tail)));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      tail = '{"id":1,"ok":true,"result":{"stopped":true,"pid":1}}\n{"id":1,"ok":tr';
      expect(await request(path, { op: "stop" }, { awaitClose: true })).toEqual({ stopped: true, pid: 1 });
      tail = '{"id":1,"ok":true,"result":{"stopped":true';
      const err = await request(path, { op: "stop" }, { awaitClose: true }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "RELX_NO_DAEMON", message: expect.stringContaining("before answering") });
      expect(closedUnanswered(err)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("takes an error answer with no error object for no answer, rather than throwing in the socket's read (an uncaught exception)", async () => {
    const path = join(dir, "garbage.sock");
    const server = net.createServer((socket) => socket.once("data", () => socket.end('{"id":1,"ok":false}\n{"id":1,"ok":false,"error":null}\n')));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      for (const awaitClose of [false, true]) {
        await expect(request(path, { op: "ping" }, { awaitClose })).rejects.toMatchObject({ code: "RELX_NO_DAEMON", message: expect.stringContaining("before answering") });
        await expect(requestText(path, { op: "upgrade", vsn: "2.0.0" })).rejects.toMatchObject({ code: "RELX_NO_DAEMON" });
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 20_000);

  it("is RELX_NO_DAEMON when there is no socket", async () => {
    await expect(request(join(dir, "none.sock"), { op: "ping" })).rejects.toMatchObject({
      code: "RELX_NO_DAEMON",
      hint: expect.stringContaining("relx start"),
    });
  });

  it("is RELX_NO_DAEMON when the socket is a dead daemon's", async () => {
    const path = join(dir, "stale.sock");
    spawnSync(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`]);
    await expect(request(path, { op: "ping" })).rejects.toMatchObject({ code: "RELX_NO_DAEMON" });
  });

  it("is RELX_NO_DAEMON when the daemon hangs up without answering", async () => {
    const path = join(dir, "rude.sock");
    const server = net.createServer((socket) => socket.once("data", () => socket.destroy()));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      await expect(request(path, { op: "ping" })).rejects.toMatchObject({ code: "RELX_NO_DAEMON", message: expect.stringContaining("before answering") });
    } finally {
      server.close();
    }
  });

  it("counts a daemon that drops the connection as it is made as closed unanswered, whether the write fails (EPIPE, ECONNRESET) or the close comes first", async () => {
    const path = join(dir, "exiting.sock");
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      for (let i = 0; i < 40; i++) {
        const err = await request(path, { op: "stop" }).then(() => undefined, (e: unknown) => e);
        expect(err).toMatchObject({ code: "RELX_NO_DAEMON" });
        expect(closedUnanswered(err), String(err)).toBe(true);
      }
    } finally {
      server.close();
    }
  });

  it("refuses a socket path too long to connect to", async () => {
    await expect(request(join(dir, "x".repeat(110)), { op: "ping" })).rejects.toMatchObject({ code: "RELX_SOCKET_PATH_TOO_LONG" });
  });
});
