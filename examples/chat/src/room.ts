// Room: one chat room. It holds its members (the connection processes that joined, each
// monitored, so a member that ends for any reason leaves) and its last `historySize` messages.
// Connections talk to it with casts whose shape is the same in every version:
//   { join: pid, name }   → a member; the room sends it a welcome frame with the history
//   { say: text, pid }    → appended to the history and sent to every member as one frame
import { defineServer, type Pid } from "relx";
import { entry, messageFrame, welcomeFrame, type Entry } from "./wire.js";

interface Member {
  pid: Pid;
  nick: string;
}

export interface RoomState {
  room: string;
  historySize: number;
  members: Map<string, Member>;
  history: Entry[];
  said: number;
}

type RoomCast = { join: Pid; name: string } | { say: string; pid: Pid };

export default defineServer<RoomState>({
  name: "Room",
  vsn: "1",
  init: ({ room, historySize }: { room: string; historySize: number }) =>
    ({ room, historySize, members: new Map(), history: [], said: 0 }),

  handleCast(msg: RoomCast, state, ctx) {
    if ("join" in msg) {
      ctx.monitor(msg.join);
      state.members.set(String(msg.join), { pid: msg.join, nick: msg.name });
      ctx.send(msg.join, { frame: welcomeFrame(state.room, msg.name, state.history) });
      return state;
    }
    const member = state.members.get(String(msg.pid));
    if (member === undefined) return state;
    const said = entry(member.nick, msg.say);
    state.history.push(said);
    if (state.history.length > state.historySize) state.history.shift();
    const frame = messageFrame(state.room, said);
    for (const m of state.members.values()) ctx.send(m.pid, { frame });
    return { ...state, said: state.said + 1 };
  },

  // A member's process ended (its socket closed, or it crashed): it leaves the room.
  handleInfo(msg: { down: number; pid: Pid }, state) {
    state.members.delete(String(msg.pid));
    return state;
  },

  handleCall(msg: "stats" | "history", _from, state) {
    if (msg === "history") return { reply: state.history, state };
    return { reply: { room: state.room, members: state.members.size, history: state.history.length, said: state.said }, state };
  },
});
