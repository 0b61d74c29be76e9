// Issue 9, finding 10: `relx status --json | head -c 10` used to die with an EPIPE stack trace.
// The CLI against a stub daemon (the CLI is under test) that answers only once the reader has
// gone, so the write meets a closed pipe every time: relx exits quietly, with its own exit code.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RelxError } from "../../src/errors.js";
import type { Request } from "../../src/protocol/types.js";
import { BIN } from "../support/paths.js";
import { startStubServer, type StubServer } from "../support/stub-daemon.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";
import { gate } from "../support/wait.js";

let stub: StubServer;
let asked: ReturnType<typeof gate<void>>;
let answer: ReturnType<typeof gate<void>>;

async function handle(request: Request): Promise<unknown> {
  asked.open();
  await answer.promise;
  // Exit code 3, so a crash on the broken pipe (exit 1) cannot pass for the command's own failure.
  if (request.op === "state") throw new RelxError("RELX_NO_DAEMON", "the daemon hung up before answering", { hint: "relx start" });
  return { name: "bank", vsn: "1.0.0", processes: Array.from({ length: 1000 }, (_, i) => ({ name: `worker-${i}` })) };
}

beforeAll(async () => {
  stub = await startStubServer(join(tempRoot({ scope: "file" }), "relx.sock"), handle);
});
afterAll(async () => {
  await stub.server.close();
  await cleanupAllRoots({});
});

/** Runs relx with `closed` ("stdout" or "stderr") a pipe whose reader is gone before relx writes; returns the exit code and the other stream. */
async function withReaderGone(args: string[], closed: "stdout" | "stderr"): Promise<{ code: number | null; other: string }> {
  asked = gate();
  answer = gate();
  const child = spawn(BIN, args, { env: { ...process.env, RELX_SOCKET: stub.path }, stdio: ["ignore", "pipe", "pipe"] });
  const gone = child[closed];
  const kept = closed === "stdout" ? child.stderr : child.stdout;
  let other = "";
  kept.on("data", (chunk: Buffer) => (other += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  await new Promise((resolve) => gone.once("close", resolve).destroy());
  await asked.promise;
  answer.open();
  return { code: await exited, other };
}

describe("a reader that goes away early", () => {
  it("ends `relx status --json` quietly, exit 0, when stdout's reader is gone", async () => {
    expect(await withReaderGone(["status", "--json"], "stdout")).toEqual({ code: 0, other: "" });
  });

  it("keeps the failure's exit code (3, no daemon) when stderr's reader is gone", async () => {
    expect(await withReaderGone(["state", "ghost"], "stderr")).toEqual({ code: 3, other: "" });
  });
});
