// Room v2: members are { pid, name } (v1: { pid, nick }) and the history holds v2 entries
// { from, text, at } (v1: { nick, msg, ts }). codeChange migrates a live room's state, history
// included, and puts the v1 shape back on a downgrade to "1". The casts it takes are unchanged,
// so the messages queued while the upgrade held the room are handled by the new code as they are.
import { defineServer, type OldVsn, type Pid } from "relx";
import { entry, fromV1, messageFrame, toV1, welcomeFrame, type Entry, type EntryV1 } from "./wire.js";

interface Member {
  pid: Pid;
  name: string;
}

export interface RoomState {
  room: string;
  historySize: number;
  members: Map<string, Member>;
  history: Entry[];
  said: number;
}

interface RoomStateV1 {
  room: string;
  historySize: number;
  members: Map<string, { pid: Pid; nick: string }>;
  history: EntryV1[];
  said: number;
}

type RoomCast = { join: Pid; name: string } | { say: string; pid: Pid };

function up(s: RoomStateV1): RoomState {
  const members = new Map([...s.members].map(([key, m]) => [key, { pid: m.pid, name: m.nick }]));
  return { ...s, members, history: s.history.map(fromV1) };
}

function down(s: RoomState): RoomStateV1 {
  const members = new Map([...s.members].map(([key, m]) => [key, { pid: m.pid, nick: m.name }]));
  return { ...s, members, history: s.history.map(toV1) };
}

export default defineServer<RoomState>({
  name: "Room",
  vsn: "2",
  init: ({ room, historySize }: { room: string; historySize: number }) =>
    ({ room, historySize, members: new Map(), history: [], said: 0 }),

  handleCast(msg: RoomCast, state, ctx) {
    if ("join" in msg) {
      ctx.monitor(msg.join);
      state.members.set(String(msg.join), { pid: msg.join, name: msg.name });
      ctx.send(msg.join, { frame: welcomeFrame(state.room, msg.name, state.history) });
      return state;
    }
    const member = state.members.get(String(msg.pid));
    if (member === undefined) return state;
    const said = entry(member.name, msg.say);
    state.history.push(said);
    if (state.history.length > state.historySize) state.history.shift();
    const frame = messageFrame(state.room, said);
    for (const m of state.members.values()) ctx.send(m.pid, { frame });
    return { ...state, said: state.said + 1 };
  },

  handleInfo(msg: { down: number; pid: Pid }, state) {
    state.members.delete(String(msg.pid));
    return state;
  },

  handleCall(msg: "stats" | "history", _from, state) {
    if (msg === "history") return { reply: state.history, state };
    return { reply: { room: state.room, members: state.members.size, history: state.history.length, said: state.said }, state };
  },

  codeChange(oldVsn: OldVsn, state: RoomStateV1 | RoomState) {
    if (oldVsn === "1") return up(state as RoomStateV1);
    if (typeof oldVsn === "object" && oldVsn.down === "1") return down(state as RoomState);
    return state;
  },
});
