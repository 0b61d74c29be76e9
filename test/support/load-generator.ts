/**
 * A load generator that speaks the daemon's socket protocol directly (SPEC §8, NDJSON): `clients`
 * connections, each keeping `inFlight` calls pipelined (a new one sent for every answer) until
 * stopped, then waiting for every outstanding answer. The tally says what came back, by id.
 *
 *   running   answer → tally it, send one more      stop() → draining
 *   draining  answer → tally it                     all answered, connection gone, or grace over → done
 */
import net from "node:net";

export interface LoadOptions {
  socket: string;
  process: string;
  msg: unknown;
  clients: number;
  inFlight: number;
}

export interface LoadTally {
  /** Calls sent (one id each). */
  sent: number;
  /** Ids answered at least once. */
  answered: number;
  /** Answers with ok: false, and the first few of them. */
  failures: number;
  firstFailures: unknown[];
  /** Answers to an id that had already been answered. */
  duplicates: number;
  /** Answers to an id never sent, and lines that are not JSON answers. */
  strays: number;
  /** Ids sent and never answered. */
  lost: number;
  /** The result of every ok answer. */
  results: unknown[];
  /** Connections that failed or closed before they were done. */
  connectionErrors: string[];
}

export interface LoadRun {
  /** Ok answers so far, across clients. */
  answeredSoFar(): number;
  /** Stops sending, waits for the outstanding answers (at most `graceMs`), closes, tallies. */
  stop(graceMs?: number): Promise<LoadTally>;
}

/** Connects every client and starts calling; resolves once all are connected. */
export async function startLoad(options: LoadOptions): Promise<LoadRun> {
  const tally: LoadTally = {
    sent: 0, answered: 0, failures: 0, firstFailures: [], duplicates: 0, strays: 0, lost: 0, results: [], connectionErrors: [],
  };
  const clients = await Promise.all(Array.from({ length: options.clients }, (_, i) => connectClient(options, i, tally)));
  return {
    answeredSoFar: () => tally.results.length,
    async stop(graceMs = 15_000) {
      await Promise.all(clients.map((c) => c.drain(graceMs)));
      for (const c of clients) tally.lost += c.pending.size;
      return tally;
    },
  };
}

interface Client {
  pending: Set<number>;
  drain(graceMs: number): Promise<void>;
}

function connectClient(options: LoadOptions, index: number, tally: LoadTally): Promise<Client> {
  const pending = new Set<number>();
  const answered = new Set<number>();
  let nextId = index * 1_000_000_000;
  let stopping = false;
  let closed = false;
  let onSettled: () => void = () => undefined;
  const socket = net.createConnection(options.socket);
  socket.setEncoding("utf8");

  const requests = (count: number): string => {
    let out = "";
    for (let i = 0; i < count; i++) {
      const id = ++nextId;
      pending.add(id);
      tally.sent++;
      out += JSON.stringify({ id, op: "call", process: options.process, msg: options.msg }) + "\n";
    }
    return out;
  };
  const take = (line: string): void => {
    let answer: { id?: unknown; ok?: unknown; result?: unknown; error?: unknown };
    try {
      answer = JSON.parse(line);
    } catch {
      tally.strays++;
      return;
    }
    const id = answer.id as number;
    if (!pending.delete(id)) {
      if (answered.has(id)) tally.duplicates++;
      else tally.strays++;
      return;
    }
    answered.add(id);
    tally.answered++;
    if (answer.ok === true) tally.results.push(answer.result);
    else {
      tally.failures++;
      if (tally.firstFailures.length < 5) tally.firstFailures.push(answer);
    }
  };

  let buffered = "";
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    let more = 0;
    for (const line of lines) {
      if (line === "") continue;
      take(line);
      if (!stopping) more++;
    }
    if (more > 0) socket.write(requests(more));
    if (stopping && pending.size === 0) onSettled();
  });
  const gone = (why: string): void => {
    if (closed) return;
    closed = true;
    if (!stopping || pending.size > 0) tally.connectionErrors.push(`client ${index}: ${why}`);
    onSettled();
  };
  socket.on("error", (err) => gone(err.message));
  socket.on("close", () => gone("connection closed"));

  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.write(requests(options.inFlight));
      resolve({
        pending,
        drain(graceMs) {
          stopping = true;
          return new Promise<void>((done) => {
            const timer = setTimeout(finish, graceMs);
            function finish(): void {
              clearTimeout(timer);
              closed = true;
              socket.destroy();
              done();
            }
            onSettled = finish;
            if (pending.size === 0 || closed) finish();
          });
        },
      });
    });
  });
}
