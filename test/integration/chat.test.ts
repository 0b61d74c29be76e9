// The chat example (a listener owning its port, a process per WebSocket, rooms holding members and
// history) through the real CLI and daemon, with real clients: upgraded to v2 and back while the
// clients keep talking, no client dropped and no line lost; and a listener that crashes again and
// again binds its port each time, the open connections staying up.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Client, Crowd } from "../../examples/chat/crowd.mjs";
import { applyChatV2, copyChat, freePort } from "../../examples/chat/setup.mjs";
import { relx, relxJson } from "../support/relx.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { waitFor } from "../support/wait.js";

const BUSY = ["a", "b", "c", "d", "e", "f"];
const open: { close(): void }[] = [];

afterEach(async (done) => {
  open.splice(0).forEach((c) => c.close());
  await cleanupRoots(done);
});

/** v1 built and started on a free PORT, with rooms from CHAT_ROOMS; its root and ws:// url. */
async function started(): Promise<{ root: string; port: number; url: string }> {
  const root = tempRoot();
  copyChat(root);
  expect((await relx(root, ["build"])).code).toBe(0);
  const port = await freePort();
  const start = await relx(root, ["start"], { env: { PORT: String(port), CHAT_ROOMS: [...BUSY, "quiet"].join(",") } });
  expect(start.code, start.stderr).toBe(0);
  return { root, port, url: `ws://127.0.0.1:${port}` };
}

function client(url: string, room: string, nick: string): Client {
  const c = new Client({ url, room, nick });
  open.push(c);
  return c;
}

const roomState = async (root: string, room: string) => (await relxJson(root, ["state", `room:${room}`])).json;

describe("the chat example", () => {
  it("upgrades to v2 and back under traffic: no client dropped, every client on the new format, history migrated", async () => {
    const { root, url } = await started();
    const crowd = new Crowd({ url, count: 60, rooms: BUSY });
    open.push(crowd);
    await crowd.connect();
    crowd.talk(300);
    const ann = client(url, "quiet", "ann");
    await ann.open();
    for (const line of ["one", "two", "three"]) await ann.sayAndWait(line);
    const v1History = (await roomState(root, "quiet")).history;
    expect(v1History.map((e: { nick: string; msg: string }) => [e.nick, e.msg])).toEqual([["ann", "one"], ["ann", "two"], ["ann", "three"]]);
    await waitFor(() => crowd.stats().echoed >= 120, "the crowd to be talking", { giveUpMs: 60_000 });

    applyChatV2(root);
    expect((await relx(root, ["build", "--vsn", "2.0.0"])).code).toBe(0);
    const up = await relxJson(root, ["upgrade", "2.0.0"]);
    expect(up.json, JSON.stringify(up.json.error)).toMatchObject({ ok: true, from: "1.0.0", to: "2.0.0", started: [], stopped: [] });
    const servers = up.json.changed.map((c: { server: string }) => c.server);
    expect(servers.filter((s: string) => s === "Connection")).toHaveLength(61);
    expect(servers.filter((s: string) => s === "Room")).toHaveLength(BUSY.length + 1);

    // Every client's next line comes back in the v2 format, and none saw v1 after its first v2 frame.
    const ups = await crowd.mark("up");
    expect(ups.map((f) => f.version)).toEqual(ups.map(() => 2));
    expect(ups[0]!.raw).toMatchObject({ v: 2, kind: "message", room: "a", from: "c1", text: "c1@up" });
    expect(crowd.clients.filter((c) => c.versions.join() !== "1,2").map((c) => c.nick)).toEqual([]);
    expect(crowd.stats().dropped).toEqual([]);

    // The history said before the upgrade, migrated: a new client gets it as v2 frames.
    const late = client(url, "quiet", "late");
    const welcome = await late.open();
    expect(welcome.raw).toMatchObject({ v: 2, kind: "welcome", room: "quiet", you: "late" });
    expect(welcome.history).toEqual(v1History.map((e: { nick: string; msg: string; ts: number }) =>
      ({ v: 2, kind: "message", room: "quiet", from: e.nick, text: e.msg, at: new Date(e.ts).toISOString() })));
    const v2State = await roomState(root, "quiet");
    expect(v2State.history[0]).toEqual({ from: "ann", text: "one", at: new Date(v1History[0].ts).toISOString() });
    expect(v2State.members.map(([, m]: [string, { name: string }]) => m.name).sort()).toEqual(["ann", "late"]);

    const down = await relxJson(root, ["downgrade", "1.0.0"]);
    expect(down.json, JSON.stringify(down.json.error)).toMatchObject({ ok: true, from: "2.0.0", to: "1.0.0", started: [], stopped: [] });
    const downs = await crowd.mark("down");
    expect(downs.map((f) => f.version)).toEqual(downs.map(() => 1));
    expect(crowd.clients.filter((c) => c.versions.join() !== "1,2,1").map((c) => c.nick)).toEqual([]);
    // Down(up(history)) is the history as it was.
    expect((await roomState(root, "quiet")).history.slice(0, 3)).toEqual(v1History);

    crowd.hush();
    expect(await crowd.settle()).toBe(true);
    const stats = crowd.stats();
    expect(stats).toMatchObject({ clients: 60, open: 60, dropped: [], lost: 0 });
    expect(stats.echoed).toBe(stats.sent);
  }, 180_000);

  it("a listener that crashes 3 times in a row binds its port again each time, with no EADDRINUSE", async () => {
    const { root, port, url } = await started();
    const crowd = new Crowd({ url, count: 12, rooms: BUSY });
    open.push(crowd);
    await crowd.connect();
    for (let n = 1; n <= 3; n++) {
      expect((await relx(root, ["cast", "listener", JSON.stringify({ crash: `crash ${n}` })])).code).toBe(0);
      await waitFor(async () => {
        const status = (await relxJson(root, ["status"])).json;
        const listener = status.processes.find((p: { name: string }) => p.name === "listener");
        return listener?.restarts === n && listener.status === "running";
      }, `the listener's restart ${n}`);
      // Answered once the restarted init has bound the port again.
      expect((await relxJson(root, ["call", "listener", '"stats"'])).json).toMatchObject({ port, accepted: 0 });
      const newcomer = client(url, "a", `new${n}`);
      expect((await newcomer.open()).raw).toMatchObject({ type: "welcome", room: "a", nick: `new${n}` });
    }
    const log = readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8");
    expect(log).not.toContain("EADDRINUSE");
    expect(log.split("\n").filter((l) => l.includes(`listening on ws://127.0.0.1:${port}`))).toHaveLength(4);
    expect(log.split("\n").filter((l) => /crash: Listener "listener" in handleCast: Error: crash \d/.test(l))).toHaveLength(3);
    // The connections are processes of their own: the listener's crashes left them up.
    expect(crowd.stats()).toMatchObject({ open: 12, dropped: [] });
    const echoes = await crowd.mark("after-crashes");
    expect(echoes).toHaveLength(12);
  }, 120_000);
});
