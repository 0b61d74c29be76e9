// The chat's wire format, v2: every frame says its version, and the fields are renamed.
//   welcome  {"v":2,"kind":"welcome","room","you","history":[message…]}
//   message  {"v":2,"kind":"message","room","from","text","at"}        at: an ISO 8601 time
//   error    {"v":2,"kind":"error","error"}
// A client still sends {"say": text}. History entries are now { from, text, at }; Room.codeChange
// turns v1's { nick, msg, ts } into them, and back on a downgrade.

export interface Entry {
  from: string;
  text: string;
  at: string;
}

export const entry = (from: string, text: string): Entry => ({ from, text, at: new Date().toISOString() });

const message = (room: string, e: Entry) => ({ v: 2, kind: "message", room, from: e.from, text: e.text, at: e.at });

export const messageFrame = (room: string, e: Entry): string => JSON.stringify(message(room, e));

export const welcomeFrame = (room: string, you: string, history: Entry[]): string =>
  JSON.stringify({ v: 2, kind: "welcome", room, you, history: history.map((e) => message(room, e)) });

export const errorFrame = (error: string): string => JSON.stringify({ v: 2, kind: "error", error });

/** The text of a client's {"say": text}, or null when the frame is not one. */
export function parseSay(data: unknown): string | null {
  try {
    const m = JSON.parse(String(data));
    return m !== null && typeof m === "object" && typeof m.say === "string" ? m.say : null;
  } catch {
    return null;
  }
}

/** v1's history entry, for the migration both ways. */
export interface EntryV1 {
  nick: string;
  msg: string;
  ts: number;
}

export const fromV1 = (e: EntryV1): Entry => ({ from: e.nick, text: e.msg, at: new Date(e.ts).toISOString() });

export const toV1 = (e: Entry): EntryV1 => ({ nick: e.from, msg: e.text, ts: Date.parse(e.at) });
