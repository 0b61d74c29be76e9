// Listener v2: vsn "2" because it bundles Connection, whose code changed; its own code and state
// are v1's, so its codeChange keeps the state as it is.
//
// Listener: owns the port. Its WebSocketServer is tied to the process with ctx.own, so when the
// listener crashes, relx closes the server (the port is free) before the restart's init binds it
// again; open connections belong to their own processes and stay up. Each accepted socket
// arrives in the mailbox through ctx.bind and gets a Connection process; ws://host:port/<room>?nick=<name>.
import { WebSocketServer, type WebSocket } from "ws";
import type { IncomingMessage } from "node:http";
import { defineServer } from "relx";
import Connection from "./connection.js";

export interface ListenerArgs {
  host: string;
  port: number;
  rooms: string[];
}

export interface ListenerState extends ListenerArgs {
  wss: WebSocketServer;
  accepted: number;
}

type ListenerInfo = { tag: "connection"; args: [ws: WebSocket, req: IncomingMessage] };

/** Resolves once `wss` listens; rejects with the listen error (EADDRINUSE, EACCES…). */
function listening(wss: WebSocketServer): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    wss.once("error", fail);
    wss.once("listening", () => {
      wss.off("error", fail);
      resolve();
    });
  });
}

export default defineServer<ListenerState>({
  name: "Listener",
  vsn: "2",
  async init(args: ListenerArgs, ctx) {
    const wss = ctx.own(new WebSocketServer({ host: args.host, port: args.port, clientTracking: false }));
    wss.on("connection", ctx.bind("connection"));
    await listening(wss);
    console.log(`listening on ws://${args.host}:${args.port} (rooms: ${args.rooms.join(", ")})`);
    return { ...args, wss, accepted: 0 };
  },

  async handleInfo(msg: ListenerInfo, state, ctx) {
    const [ws, req] = msg.args;
    const url = new URL(req.url ?? "/", "ws://chat");
    const room = decodeURIComponent(url.pathname.slice(1)) || state.rooms[0]!;
    if (!state.rooms.includes(room)) {
      ws.close(4404, `no room "${room}"`);
      return state;
    }
    const nick = url.searchParams.get("nick") ?? `guest${state.accepted + 1}`;
    await ctx.spawn(Connection, { ws, room, nick }, { restart: "temporary" });
    return { ...state, accepted: state.accepted + 1 };
  },

  handleCall(msg: "stats", _from, state) {
    return { reply: { host: state.host, port: state.port, accepted: state.accepted }, state };
  },

  codeChange: (_oldVsn, state) => state,

  // Fault injection for the demo and the tests: {"crash": reason} makes the listener crash.
  handleCast(msg: { crash: string }) {
    throw new Error(msg.crash);
  },
});
