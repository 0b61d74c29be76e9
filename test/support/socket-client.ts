// A test client of the daemon's socket: writes raw bytes, reads whole response lines.
import net from "node:net";
import { LineSplitter } from "../../src/protocol/line-splitter.js";
import type { Request, Response } from "../../src/protocol/types.js";

/** A client that writes raw bytes and reads whole response lines. */
export class TestClient {
  readonly responses: Response[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    const splitter = new LineSplitter({
      maxBytes: Infinity,
      onTooLong: () => undefined,
      onLine: (line) => {
        this.responses.push(JSON.parse(line) as Response);
        this.waiters.splice(0).forEach((wake) => wake());
      },
    });
    socket.on("data", (chunk: Buffer) => splitter.push(chunk));
    socket.on("close", () => {
      this.closed = true;
      this.waiters.splice(0).forEach((wake) => wake());
    });
    socket.on("error", () => undefined);
  }

  static connect(path: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(path, () => resolve(new TestClient(socket)));
      socket.once("error", reject);
    });
  }

  send(data: string | Buffer | object): void {
    this.socket.write(typeof data === "string" || Buffer.isBuffer(data) ? data : JSON.stringify(data) + "\n");
  }

  /** Resolves once `count` responses have arrived in all. */
  async waitFor(count: number): Promise<Response[]> {
    while (this.responses.length < count) {
      if (this.closed) throw new Error(`connection closed after ${this.responses.length} of ${count} responses`);
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
    return this.responses;
  }

  /** Sends `request` and resolves with the response that has its id. */
  async ask(request: Partial<Request> & { id: number | string }): Promise<Response> {
    this.send(request);
    for (;;) {
      const found = this.responses.find((r) => r.id === request.id);
      if (found) return found;
      await this.waitFor(this.responses.length + 1);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
