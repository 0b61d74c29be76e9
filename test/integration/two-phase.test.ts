// Two-phase upgrades (the fleet's --sync) against the real daemon: prepare holds, commit on the same
// connection finishes, abort puts back; a prepared upgrade rolls back by itself when its connection
// closes or its deadline passes, and a commit after that is refused.
import net from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeTwins } from "../fixtures/twins.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";

afterEach(cleanupRoots);

/** One connection, requests answered by id. */
class Session {
  private buffer = "";
  private waiting = new Map<number, (answer: any) => void>();
  private nextId = 1;
  readonly socket: net.Socket;
  constructor(path: string) {
    this.socket = net.createConnection(path);
    this.socket.setEncoding("utf8");
    this.socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf("\n")) !== -1) {
        const answer = JSON.parse(this.buffer.slice(0, nl));
        this.buffer = this.buffer.slice(nl + 1);
        this.waiting.get(answer.id)?.(answer);
      }
    });
  }
  ask(body: Record<string, unknown>): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.socket.write(JSON.stringify({ id, ...body }) + "\n");
    });
  }
}

async function twins(): Promise<{ root: string; sock: string }> {
  const root = tempRoot();
  writeTwins(root, { version: "1.0.0" });
  expect((await relx(root, ["build"])).code).toBe(0);
  expect((await relx(root, ["start"])).code).toBe(0);
  writeTwins(root, { version: "2.0.0", alpha: "ok", beta: "ok" });
  expect((await relx(root, ["build"])).code).toBe(0);
  return { root, sock: join(root, ".relx", "relx.sock") };
}

const onOld = async (root: string) => {
  expect((await relxJson(root, ["status"])).json).toMatchObject({ vsn: "1.0.0" });
  expect((await relxJson(root, ["call", "alpha", '"get"'])).json).toEqual({ v: 1, n: 1 });
};

describe("a two-phase upgrade", () => {
  it("holds after prepare (calls wait), and commit on the same connection finishes it", async () => {
    const { root, sock } = await twins();
    const s = new Session(sock);
    const prepared = await s.ask({ op: "prepare", vsn: "2.0.0", direction: "up" });
    expect(prepared).toMatchObject({ ok: true, result: { prepared: true, from: "1.0.0", to: "2.0.0", deadlineMs: 30000 } });
    expect(prepared.result.changed.map((c: { name: string }) => c.name)).toEqual(["alpha", "beta"]);
    const waiting = relxJson(root, ["call", "alpha", '"get"']);
    const other = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(other.json.error.code).toBe("RELX_BUSY");
    const committed = await s.ask({ op: "commit" });
    expect(committed).toMatchObject({ ok: true, result: { ok: true, from: "1.0.0", to: "2.0.0" } });
    expect((await waiting).json).toEqual({ v: 2, n: 10 }); // delayed, then answered by the new code
    expect((await relxJson(root, ["status"])).json).toMatchObject({ vsn: "2.0.0", permanent: "2.0.0" });
    s.socket.destroy();
  });

  it("rolls back on abort, when its connection closes, and when its deadline passes", async () => {
    const { root, sock } = await twins();
    const a = new Session(sock);
    expect((await a.ask({ op: "prepare", vsn: "2.0.0", direction: "up" })).ok).toBe(true);
    expect(await a.ask({ op: "abort" })).toMatchObject({ ok: true, result: { ok: true, rolledBack: true } });
    await onOld(root);

    const b = new Session(sock);
    expect((await b.ask({ op: "prepare", vsn: "2.0.0", direction: "up" })).ok).toBe(true);
    b.socket.destroy();
    await waitFor(async () => (await relxJson(root, ["status"])).json.upgrades.length >= 2, "the rollback after the close");
    await onOld(root);

    const c = new Session(sock);
    expect((await c.ask({ op: "prepare", vsn: "2.0.0", direction: "up", deadlineMs: 300 })).ok).toBe(true);
    await waitFor(async () => (await relxJson(root, ["status"])).json.upgrades.length >= 3, "the rollback at the deadline");
    expect(await c.ask({ op: "commit" })).toMatchObject({ ok: false, error: { code: "RELX_NOT_PREPARED" } });
    await onOld(root);
    const history = (await relxJson(root, ["status"])).json.upgrades;
    expect(history.map((u: { ok: boolean; error?: { code: string } }) => [u.ok, u.error?.code])).toEqual([
      [false, "RELX_ABORTED"], [false, "RELX_ABORTED"], [false, "RELX_ABORTED"],
    ]);
    // A commit on another connection than the prepare's is refused too.
    const d = new Session(sock);
    expect((await d.ask({ op: "prepare", vsn: "2.0.0", direction: "up" })).ok).toBe(true);
    expect(await new Session(sock).ask({ op: "commit" })).toMatchObject({ ok: false, error: { code: "RELX_NOT_PREPARED" } });
    expect((await d.ask({ op: "commit" })).result).toMatchObject({ ok: true, to: "2.0.0" });
    c.socket.destroy();
    d.socket.destroy();
  });
});
