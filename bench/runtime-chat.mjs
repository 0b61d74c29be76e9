// Where the chat upgrade's pause goes, in one process and warm: the fused pass over 10,000
// connection processes and 100 rooms of 100 members and 50 lines each, the chat example's
// shapes (examples/chat/src and v2/src: a connection holds { ws, room, nick }; a room a Map of
// members and its history). Beside it, its parts: the connections alone, the rooms alone, and of
// the rooms the two costs relx cannot leave out: copying their states (what a codeChange is given,
// so a failed one leaves the old state as it was) and the rooms' own codeChange run on those
// copies, which no runtime can make cheaper than it is. Last, the same pass with every codeChange
// tried ahead first (host.computeAhead), as the daemon does on its fused path: what is left of the
// pause, and what the tries cost before it, while the node runs.
import { EventEmitter } from "node:events";
import { defineServer } from "../dist/index.js";
import { startProcess } from "../dist/runtime/api.js";
import { copyState } from "../dist/runtime/copy-state.js";
import * as host from "../dist/runtime/host.js";
import { figure } from "./lib.mjs";

const CONNECTIONS = 10_000;
const ROOMS = 100;
const MEMBERS = 100;
const HISTORY = 50;
const ROUNDS = 15;

/** Stands in for a ws WebSocket: a handle (an EventEmitter subclass), shared, never copied. */
class Socket extends EventEmitter {
  readyState = 1;
}

// The example's v2 migrations (examples/chat/v2/src/connection.ts and room.ts), written out here
// because the bench runs on dist/, where the example is not compiled.
const Connection1 = defineServer({ name: "Connection", vsn: "1", init: (a) => a, handleInfo: (_m, s) => s });
const Connection2 = defineServer({
  name: "Connection",
  vsn: "2",
  init: (a) => a,
  handleInfo: (_m, s) => s,
  codeChange: (oldVsn, s) => (oldVsn === "1" ? { ws: s.ws, room: s.room, name: s.nick, said: 0 } : { ws: s.ws, room: s.room, nick: s.name }),
});
const fromV1 = (e) => ({ from: e.nick, text: e.msg, at: new Date(e.ts).toISOString() });
const toV1 = (e) => ({ nick: e.from, msg: e.text, ts: Date.parse(e.at) });
const roomUp = (s) => ({ ...s, members: new Map([...s.members].map(([k, m]) => [k, { pid: m.pid, name: m.nick }])), history: s.history.map(fromV1) });
const roomDown = (s) => ({ ...s, members: new Map([...s.members].map(([k, m]) => [k, { pid: m.pid, nick: m.name }])), history: s.history.map(toV1) });
const Room1 = defineServer({ name: "Room", vsn: "1", init: (a) => a, handleCast: (_m, s) => s });
const Room2 = defineServer({ name: "Room", vsn: "2", init: (a) => a, handleCast: (_m, s) => s, codeChange: (oldVsn, s) => (oldVsn === "1" ? roomUp(s) : roomDown(s)) });

const connections = [];
for (let i = 0; i < CONNECTIONS; i++) connections.push(host.find(startProcess(Connection1, { ws: new Socket(), room: `r${i % ROOMS}`, nick: `n${i}` }).pid));
const rooms = [];
for (let r = 0; r < ROOMS; r++) {
  const members = new Map();
  for (let i = 0; i < MEMBERS; i++) {
    const pid = host.info(connections[(r * MEMBERS + i) % CONNECTIONS]).pid;
    members.set(String(pid), { pid, nick: `n${i}` });
  }
  const history = Array.from({ length: HISTORY }, (_, i) => ({ nick: `n${i}`, msg: `line ${i}`, ts: Date.now() }));
  rooms.push(host.find(startProcess(Room1, { room: `r${r}`, historySize: HISTORY, members, history, said: 0 }).pid));
}
await new Promise((resolve) => setTimeout(resolve, 100));

const cpuMs = (since) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};
const target = (ref, up) => (ref.def.name === "Room" ? (up ? Room2 : Room1) : up ? Connection2 : Connection1);

/** The changes of `refs` to v2 (up) or back to v1, a run for each stretch of processes of one server, as the daemon's plan makes them. */
function runsOf(refs, up) {
  const runs = [];
  for (const ref of refs) {
    const def = target(ref, up);
    const last = runs.at(-1);
    if (last?.def === def) last.refs.push(ref);
    else runs.push({ refs: [ref], def, oldVsn: up ? "1" : { down: "1" } });
  }
  return runs;
}

/** The CPU time of one fused pass up to v2 over `refs`; then back down, untimed. */
async function passUp(refs) {
  const up = runsOf(refs, true);
  host.warmUp(up);
  await new Promise((resolve) => setImmediate(resolve));
  const t = process.cpuUsage();
  if (host.swapAll(up, { extra: null }, true) === null) throw new Error("the fused pass did not apply");
  const ms = cpuMs(t);
  host.swapAll(runsOf(refs, false), { extra: null }, true);
  return ms;
}

/** The same pass with every codeChange tried ahead first (host.computeAhead, as the daemon's fused path does): the pass's CPU time, then the tries'. */
async function passAhead(refs) {
  const up = runsOf(refs, true);
  host.warmUp(up);
  let t = process.cpuUsage();
  const { drop } = await host.computeAhead(up, null);
  const tries = cpuMs(t);
  await new Promise((resolve) => setImmediate(resolve));
  t = process.cpuUsage();
  // `tried`, as the daemon passes it when most were tried: the pass takes its two-loop form.
  if (host.swapAll(up, { extra: null }, true, true) === null) throw new Error("the fused pass did not apply");
  const ms = cpuMs(t);
  drop();
  host.swapAll(runsOf(refs, false), { extra: null }, true);
  return { ms, tries };
}

const times = { all: [], connections: [], rooms: [], copy: [], codeChange: [], ahead: [], tries: [] };
const everything = [...connections, ...rooms];
for (let round = 0; round < ROUNDS; round++) {
  times.all.push(await passUp(everything));
  const { ms, tries } = await passAhead(everything);
  times.ahead.push(ms);
  times.tries.push(tries);
  times.connections.push(await passUp(connections));
  times.rooms.push(await passUp(rooms));
  const states = rooms.map((ref) => host.getState(ref));
  let t = process.cpuUsage();
  const copies = states.map((s) => copyState(s));
  times.copy.push(cpuMs(t));
  t = process.cpuUsage();
  for (const c of copies) Room2.codeChange("1", c, null, null);
  times.codeChange.push(cpuMs(t));
}
// The first rounds are V8 compiling; the median of the rest.
const median = (xs) => [...xs.slice(3)].sort((a, b) => a - b)[Math.floor((xs.length - 3) / 2)];
figure(`runtime: fused pass CPU time, ${CONNECTIONS.toLocaleString("en")} connections + ${ROOMS} rooms (warm)`, median(times.all), "ms", "the chat pause's compute, warm (≤ 5 ms asked of the daemon)");
figure(`runtime: of it, the ${CONNECTIONS.toLocaleString("en")} connections alone`, median(times.connections), "ms", "printed");
figure(`runtime: of it, the ${ROOMS} rooms alone`, median(times.rooms), "ms", "printed");
figure(`runtime: copying the ${ROOMS} rooms' states (${MEMBERS} members, ${HISTORY} lines each)`, median(times.copy), "ms", "printed");
figure(`runtime: the ${ROOMS} rooms' own codeChange, run on those copies (the app's floor)`, median(times.codeChange), "ms", "printed: no runtime can go below it");
figure(`runtime: the same pass with every codeChange tried ahead (the daemon's fused path)`, median(times.ahead), "ms", "the chat pause's compute (≤ 5 ms asked of the daemon)");
figure(`runtime: the tries ahead of it, while the node runs`, median(times.tries), "ms", "printed");
