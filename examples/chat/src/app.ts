// The boot spec: one Room per name in CHAT_ROOMS, then the Listener on PORT. The values are read
// by the daemon where the release runs (relx start, and again at every upgrade), never at build.
import { defineApp } from "relx";

export default defineApp({
  config: {
    port: { env: "PORT", type: "number", default: 4567 },
    host: { env: "HOST", type: "string", default: "127.0.0.1" },
    rooms: { env: "CHAT_ROOMS", type: "string", default: "lobby,dev,ops,random" },
    history: { env: "CHAT_HISTORY", type: "number", default: 50 },
  },
  processes: (c: { port: number; host: string; rooms: string; history: number }) => {
    const rooms = c.rooms.split(",").map((r) => r.trim()).filter((r) => r !== "");
    return [
      ...rooms.map((room) => ({ name: `room:${room}`, server: "Room", args: { room, historySize: c.history } })),
      { name: "listener", server: "Listener", args: { host: c.host, port: c.port, rooms } },
    ];
  },
});
