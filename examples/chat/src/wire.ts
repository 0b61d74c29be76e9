// The chat's wire format, v1. A client sends {"say": text}; the server sends JSON frames:
//   welcome  {"type":"welcome","room","nick","history":[message…]}   once, on joining a room
//   message  {"type":"message","room","nick","msg","ts"}              ts: milliseconds since 1970
//   error    {"type":"error","error"}
// A room keeps its history as entries { nick, msg, ts } and turns them into frames here.

export interface Entry {
  nick: string;
  msg: string;
  ts: number;
}

export const entry = (nick: string, text: string): Entry => ({ nick, msg: text, ts: Date.now() });

const message = (room: string, e: Entry) => ({ type: "message", room, nick: e.nick, msg: e.msg, ts: e.ts });

export const messageFrame = (room: string, e: Entry): string => JSON.stringify(message(room, e));

export const welcomeFrame = (room: string, nick: string, history: Entry[]): string =>
  JSON.stringify({ type: "welcome", room, nick, history: history.map((e) => message(room, e)) });

export const errorFrame = (error: string): string => JSON.stringify({ type: "error", error });

/** The text of a client's {"say": text}, or null when the frame is not one. */
export function parseSay(data: unknown): string | null {
  try {
    const m = JSON.parse(String(data));
    return m !== null && typeof m === "object" && typeof m.say === "string" ? m.say : null;
  } catch {
    return null;
  }
}
