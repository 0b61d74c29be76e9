#!/usr/bin/env node
// `npm run demo:chat`: the chat example upgraded under traffic, through the real CLI and daemon.
// Builds v1 in a temp root, starts it on a free PORT, connects a crowd of WebSocket clients that
// keep talking, upgrades to v2 (a new wire format, room state migrated), crashes the listener to
// show its port freed and bound again, and downgrades. Exits 1 on the first check that fails.
// CHAT_CLIENTS (300) and CHAT_INTERVAL_MS (2000, how often each client speaks) change the load;
// CHAT_KEEP=1 keeps the temp root.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Client, Crowd } from "../examples/chat/crowd.mjs";
import { applyChatV2, copyChat, freePort } from "../examples/chat/setup.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(repo, "bin", "relx");
const CLIENTS = Number(process.env.CHAT_CLIENTS ?? 300);
const INTERVAL_MS = Number(process.env.CHAT_INTERVAL_MS ?? 2000);
// Fourteen busy rooms of about 21 clients each, and a quiet one, "random", whose history is checked.
const BUSY_ROOMS = ["lobby", "dev", "ops", "design", "sales", "support", "music", "games", "books", "films", "food", "travel", "sport", "news"];
const root = mkdtempSync(join(tmpdir(), "relx-chat-"));
const env = { ...process.env };

const step = (title) => console.log(`\n== ${title}`);
const show = (text) => console.log(`   ${text}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function check(ok, what) {
  if (!ok) throw new Error(`check failed: ${what}`);
  show(`ok: ${what}`);
}

/** Runs the real CLI without blocking this process, whose event loop runs the clients. */
function relx(args, { print = true, json = false } = {}) {
  const argv = json ? [...args, "--json"] : args;
  if (print) console.log(`$ relx ${argv.map((a) => (/[\s"{}]/.test(a) ? `'${a}'` : a)).join(" ")}`);
  return new Promise((done, fail) => {
    execFile(process.execPath, [bin, ...argv, "--root", root], { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (print && !json) process.stdout.write(stdout.endsWith("\n") || stdout === "" ? stdout : stdout + "\n");
      if (err) fail(new Error(`relx ${argv.join(" ")} failed: ${stderr || stdout}`));
      else done(json ? JSON.parse(stdout) : stdout);
    });
  });
}

/** Waits until the listener has restarted `n` times and answers again (its init has run). */
async function listenerRestarted(n) {
  for (let i = 0; i < 400; i++) {
    const status = await relx(["status"], { print: false, json: true });
    const listener = status.processes.find((p) => p.name === "listener");
    if (listener?.restarts === n && listener.status === "running") return relx(["call", "listener", '"stats"'], { print: false, json: true });
    await sleep(50);
  }
  throw new Error(`the listener did not come back after restart ${n}`);
}

/** Prints an upgrade's --json result in one line (its table would list every connection). */
function summarize(result) {
  const servers = new Map();
  for (const c of result.changed) servers.set(c.server, (servers.get(c.server) ?? 0) + 1);
  const counts = [...servers].map(([server, n]) => `${server} ×${n}`).join(", ");
  show(`${result.from} → ${result.to}: ${result.changed.length} processes changed (${counts}), paused ${result.pauseMs} ms, took ${Math.round(result.durationMs)} ms`);
  return result;
}

const logText = () => readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8");

let crowd;
let witness;
let failed = false;
try {
  console.log(`relx chat demo in ${root}`);
  // The app imports ws, from the repository's node_modules; relx build bundles it into the release.
  copyChat(root);
  const port = await freePort();
  env.PORT = String(port);
  env.CHAT_ROOMS = [...BUSY_ROOMS, "random"].join(",");
  const url = `ws://127.0.0.1:${port}`;

  step("v1: a listener owns the port, a process per connection, rooms with their members and history");
  await relx(["build"]);
  console.log(`$ PORT=${port} CHAT_ROOMS=${env.CHAT_ROOMS} relx start`);
  await relx(["start"], { print: false }).then((out) => process.stdout.write(out));
  await relx(["status"]);

  step(`${CLIENTS} clients join ${BUSY_ROOMS.length} rooms and keep talking; ann says a few lines in "random"`);
  crowd = new Crowd({ url, count: CLIENTS, rooms: BUSY_ROOMS });
  await crowd.connect();
  crowd.talk(INTERVAL_MS);
  witness = new Client({ url, room: "random", nick: "ann" });
  await witness.open();
  const said = ["hello", "is anyone here?", "I'll wait through the upgrade"];
  for (const line of said) await witness.sayAndWait(line);
  await sleep(2000);
  const before = crowd.stats();
  show(`${before.open} clients open, ${before.sent} lines said, ${before.received} frames received, all v1`);
  check(crowd.clients.every((c) => c.versions.length === 1 && c.versions[0] === 1), "every client has only v1 frames so far");
  await relx(["state", "room:random"]);

  step("v2: a new wire format ({ v: 2, kind, room, from, text, at }); Room.codeChange migrates the history");
  applyChatV2(root);
  await relx(["build", "--vsn", "2.0.0"]);
  const up = summarize(await relx(["upgrade", "2.0.0"], { json: true }));
  const marks = await crowd.mark("after-upgrade");
  check(crowd.stats().dropped.length === 0, `no client dropped (${crowd.stats().open} open)`);
  check(marks.every((m) => m.version === 2), `every client's next line came back as a v2 frame (${marks.length}/${CLIENTS})`);
  check(crowd.clients.every((c) => c.versions.join() === "1,2"), "no client got a v1 frame after its first v2 frame");
  const late = new Client({ url, room: "random", nick: "late" });
  const welcome = await late.open();
  const history = welcome.history.map((m) => m.text);
  show(`a new client in "random" gets: ${JSON.stringify(welcome.history[0])} …`);
  check(welcome.version === 2 && said.every((line) => history.includes(line)), "room history survived the upgrade, in the v2 format");
  late.close();

  step("the listener crashes: relx closes the port it owned, and its restart binds the same port again");
  await relx(["cast", "listener", '{"crash":"the demo kills the listener"}']);
  const stats = await listenerRestarted(1);
  show(`listener back on port ${stats.port} (restarts: 1)`);
  const newcomer = new Client({ url, room: "lobby", nick: "newcomer" });
  await newcomer.open();
  check(true, "a new client connects to the restarted listener");
  newcomer.close();
  const log = logText();
  const bound = log.split("\n").filter((l) => l.includes(`listening on ws://127.0.0.1:${port}`)).length;
  check(bound === 2 && !log.includes("EADDRINUSE"), `the log shows the port bound twice and no EADDRINUSE`);
  check(crowd.stats().dropped.length === 0, "the open connections stayed up: each is its own process, owning its socket");

  step("downgrade: Room's codeChange({ down: \"1\" }) puts the v1 state back, and clients get v1 frames");
  const down = summarize(await relx(["downgrade", "1.0.0"], { json: true }));
  const backs = await crowd.mark("after-downgrade");
  check(backs.every((m) => m.version === 1), `every client's next line came back as a v1 frame (${backs.length}/${CLIENTS})`);
  check(crowd.clients.every((c) => c.versions.join() === "1,2,1"), "every client saw v1, then v2, then v1 again, never mixed");
  await relx(["state", "room:random"]);

  step("quiet: every line said comes back to its sender");
  crowd.hush();
  check(await crowd.settle(), "no line lost");
  const end = crowd.stats();
  check(end.dropped.length === 0 && end.open === CLIENTS, `no client dropped (${end.open}/${CLIENTS} open)`);
  console.log(`\nclients:   ${CLIENTS} (+ ann in "random")`);
  console.log(`messages:  ${end.sent.toLocaleString("en")} said, ${end.received.toLocaleString("en")} frames delivered, ${end.lost} lost`);
  console.log(`upgrade:   paused ${up.pauseMs} ms; downgrade paused ${down.pauseMs} ms`);
  console.log(`longest wait for a line to come back: ${Math.round(end.maxEchoMs)} ms`);
} catch (err) {
  failed = true;
  console.error(`\ndemo failed: ${err.message}`);
  try {
    console.error(`--- daemon log (last lines) ---\n${logText().split("\n").slice(-40).join("\n")}`);
  } catch {
    // no log yet
  }
} finally {
  crowd?.close();
  witness?.close();
  try {
    await relx(["stop"]);
  } catch {
    // the daemon was not running
  }
  if (process.env.CHAT_KEEP) console.log(`kept ${root}`); else rmSync(root, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
