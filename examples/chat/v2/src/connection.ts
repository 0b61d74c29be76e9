// Connection v2: the state says `name` (v1: `nick`) and counts what the client said; a text over
// 2,000 characters is refused with an error frame. codeChange migrates a live connection's state,
// and back on a downgrade to "1". The socket, owned and bound in v1's init, stays as it is.
import type { WebSocket } from "ws";
import { defineServer, type OldVsn } from "relx";
import { errorFrame, parseSay } from "./wire.js";

const MAX_TEXT = 2000;

export interface ConnectionArgs {
  ws: WebSocket;
  room: string;
  nick: string;
}

export interface ConnectionState {
  ws: WebSocket;
  room: string;
  name: string;
  said: number;
}

interface ConnectionStateV1 {
  ws: WebSocket;
  room: string;
  nick: string;
}

type ConnectionInfo =
  | { frame: string }
  | { tag: "in"; args: [data: unknown, isBinary: boolean] }
  | { tag: "closed"; args: unknown[] };

export const roomProcess = (room: string): string => `room:${room}`;

export default defineServer<ConnectionState>({
  name: "Connection",
  vsn: "2",
  init({ ws, room, nick }: ConnectionArgs, ctx) {
    ctx.own(ws);
    ws.on("message", ctx.bind("in"));
    ws.on("close", ctx.bind("closed"));
    if (ws.readyState !== ws.OPEN) ctx.send(ctx.self, { tag: "closed", args: [] });
    ctx.cast(roomProcess(room), { join: ctx.self, name: nick });
    return { ws, room, name: nick, said: 0 };
  },

  handleInfo(msg: ConnectionInfo, state, ctx) {
    if ("frame" in msg) {
      if (state.ws.readyState === state.ws.OPEN) state.ws.send(msg.frame);
      return state;
    }
    if (msg.tag === "closed") {
      ctx.stop("normal");
      return state;
    }
    const text = parseSay(msg.args[0]);
    if (text === null) state.ws.send(errorFrame('expected {"say": text}'));
    else if (text.length > MAX_TEXT) state.ws.send(errorFrame(`a text is at most ${MAX_TEXT} characters`));
    else {
      ctx.cast(roomProcess(state.room), { say: text, pid: ctx.self });
      return { ...state, said: state.said + 1 };
    }
    return state;
  },

  codeChange(oldVsn: OldVsn, state: ConnectionStateV1 | ConnectionState) {
    if (oldVsn === "1") {
      const s = state as ConnectionStateV1;
      return { ws: s.ws, room: s.room, name: s.nick, said: 0 };
    }
    if (typeof oldVsn === "object" && oldVsn.down === "1") {
      const s = state as ConnectionState;
      return { ws: s.ws, room: s.room, nick: s.name };
    }
    return state;
  },
});
