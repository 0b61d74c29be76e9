// Connection: one process per WebSocket, spawned by the Listener (restart "temporary": a socket
// cannot be reopened from the server side). It owns its socket, so the socket is closed when the
// process ends, and its socket's events reach handleInfo through ctx.bind: no closure holds this
// release's code, so after an upgrade the new code handles them.
import type { WebSocket } from "ws";
import { defineServer } from "relx";
import { errorFrame, parseSay } from "./wire.js";

export interface ConnectionArgs {
  ws: WebSocket;
  room: string;
  nick: string;
}

export interface ConnectionState {
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
  vsn: "1",
  init({ ws, room, nick }: ConnectionArgs, ctx) {
    ctx.own(ws);
    ws.on("message", ctx.bind("in"));
    ws.on("close", ctx.bind("closed"));
    // Closed between the handshake and now: its "close" event has gone by.
    if (ws.readyState !== ws.OPEN) ctx.send(ctx.self, { tag: "closed", args: [] });
    ctx.cast(roomProcess(room), { join: ctx.self, name: nick });
    return { ws, room, nick };
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
    else ctx.cast(roomProcess(state.room), { say: text, pid: ctx.self });
    return state;
  },
});
