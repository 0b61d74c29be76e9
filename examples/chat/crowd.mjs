// A crowd of chat clients on real WebSockets, for the demo, the test and the benchmark (it is not
// part of the release: only src/ is). Each client joins a room, waits for its welcome, and then
// says numbered lines; it checks that every line it said comes back to it (the room sends each
// message to every member, its sender included), and records which wire version each frame had.
//
// A client's life:   connecting → open (welcome received) → closed
//   dropped: closed by the other side, or errored, while open (never by close() here)
import WebSocket from "ws";

/** A frame's wire version: v2 frames say `"v": 2`; v1 frames have no `v`. */
export const versionOf = (frame) => (frame.v === 2 ? 2 : 1);

/** A frame in one shape whatever its version: { version, kind, room, from, text, history? }. */
export function readFrame(data) {
  const f = JSON.parse(String(data));
  const version = versionOf(f);
  if (version === 2) return { version, kind: f.kind, room: f.room, from: f.from, text: f.text, history: f.history, raw: f };
  return { version, kind: f.type, room: f.room, from: f.nick, text: f.msg, history: f.history, raw: f };
}

export class Client {
  constructor({ url, room, nick }) {
    this.url = `${url}/${encodeURIComponent(room)}?nick=${encodeURIComponent(nick)}`;
    this.room = room;
    this.nick = nick;
    this.phase = "connecting";
    this.dropped = null;
    this.welcome = null;
    this.sent = 0;
    this.echoed = 0;
    this.received = 0;
    /** Versions of the frames received, each run of one version once: [1, 2, 1] after up and down. */
    this.versions = [];
    this.pending = new Map(); // text said → when
    this.waiters = new Map(); // text → resolve(echo frame)
    this.maxEchoMs = 0;
    this.timer = null;
    this.lines = 0;
  }

  /** Resolves with the welcome frame; rejects if the socket fails or closes before it. */
  open() {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url);
      this.ws = ws;
      ws.on("message", (data) => {
        const frame = readFrame(data);
        this.onFrame(frame);
        if (frame.kind === "welcome" && this.phase === "connecting") {
          this.phase = "open";
          this.welcome = frame;
          resolve(frame);
        }
      });
      ws.on("error", (err) => {
        if (this.phase === "connecting") reject(err);
        else this.drop(`error: ${err.message}`);
      });
      ws.on("close", (code, reason) => {
        if (this.phase === "connecting") reject(new Error(`${this.nick}: closed before its welcome (${code} ${reason})`));
        else this.drop(`closed by the server (${code} ${reason})`);
      });
    });
  }

  onFrame(frame) {
    this.received++;
    if (this.versions.at(-1) !== frame.version) this.versions.push(frame.version);
    if (frame.kind !== "message" || frame.from !== this.nick) return;
    const at = this.pending.get(frame.text);
    if (at === undefined) return;
    this.pending.delete(frame.text);
    this.echoed++;
    this.maxEchoMs = Math.max(this.maxEchoMs, performance.now() - at);
    this.waiters.get(frame.text)?.(frame);
    this.waiters.delete(frame.text);
  }

  drop(why) {
    if (this.phase !== "open") return;
    this.phase = "closed";
    this.dropped = why;
    this.hush();
  }

  say(text) {
    this.pending.set(text, performance.now());
    this.sent++;
    this.ws.send(JSON.stringify({ say: text }));
  }

  /** Says `text` and resolves with its echo (the frame the room sent back). */
  sayAndWait(text) {
    const echo = new Promise((resolve) => this.waiters.set(text, resolve));
    this.say(text);
    return echo;
  }

  /** Says a numbered line every intervalMs on average (jittered, so the crowd does not pulse). */
  talk(intervalMs) {
    const next = () => {
      this.timer = setTimeout(() => {
        if (this.phase !== "open") return;
        this.say(`${this.nick}#${++this.lines}`);
        next();
      }, intervalMs * (0.5 + Math.random()));
    };
    next();
  }

  hush() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  close() {
    this.hush();
    if (this.phase === "open") this.phase = "closed";
    this.ws?.terminate();
  }
}

/**
 * `count` clients spread over `rooms` (nicks `${prefix}1`…), connected `concurrency` at a time.
 */
export class Crowd {
  constructor({ url, count, rooms, prefix = "c", concurrency = 100 }) {
    this.concurrency = concurrency;
    this.clients = Array.from({ length: count }, (_, i) => new Client({ url, room: rooms[i % rooms.length], nick: `${prefix}${i + 1}` }));
  }

  /** Resolves once every client has its welcome; rejects with the first failure. */
  async connect() {
    for (let i = 0; i < this.clients.length; i += this.concurrency) {
      await Promise.all(this.clients.slice(i, i + this.concurrency).map((c) => c.open()));
    }
  }

  /** Every client says a line every intervalMs on average. */
  talk(intervalMs) {
    for (const c of this.clients) c.talk(intervalMs);
  }

  /** `perSecond` lines a second from the crowd as a whole, its clients taking turns. */
  trickle(perSecond) {
    let turn = 0;
    this.trickler = setInterval(() => {
      const c = this.clients[turn++ % this.clients.length];
      if (c.phase === "open") c.say(`${c.nick}#${++c.lines}`);
    }, 1000 / perSecond);
  }

  hush() {
    clearInterval(this.trickler);
    for (const c of this.clients) c.hush();
  }

  /** Every client says `${nick}@${tag}` and waits for its echo; resolves with the echo frames. */
  mark(tag) {
    return Promise.all(this.clients.map((c) => c.sayAndWait(`${c.nick}@${tag}`)));
  }

  /** Resolves true once every line said has come back to its sender, false after limitMs. */
  async settle(limitMs = 60_000) {
    const until = performance.now() + limitMs;
    while (this.clients.some((c) => c.pending.size > 0 && c.phase === "open")) {
      if (performance.now() > until) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  stats() {
    const sum = (f) => this.clients.reduce((n, c) => n + f(c), 0);
    return {
      clients: this.clients.length,
      open: sum((c) => (c.phase === "open" ? 1 : 0)),
      dropped: this.clients.filter((c) => c.dropped !== null).map((c) => `${c.nick}: ${c.dropped}`),
      sent: sum((c) => c.sent),
      echoed: sum((c) => c.echoed),
      lost: sum((c) => c.pending.size),
      received: sum((c) => c.received),
      maxEchoMs: Math.max(0, ...this.clients.map((c) => c.maxEchoMs)),
    };
  }

  close() {
    for (const c of this.clients) c.close();
  }
}
