// The session client (fleets, relx remote): answers matched by id over one stream; an answer that
// is not relx's fails its own request with a clear error and leaves the others as they are.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Session } from "../../src/client/session.js";

function pair(): { session: Session; fromClient: PassThrough; toClient: PassThrough } {
  const fromClient = new PassThrough();
  const toClient = new PassThrough();
  const session = new Session({ input: toClient, output: fromClient, closedReason: () => "the stream ended" });
  return { session, fromClient, toClient };
}

describe("Session", () => {
  it("fails a request whose error answer holds no error, by name, and still answers the next one", async () => {
    const { session, toClient } = pair();
    const first = session.send({ op: "ping" });
    const second = session.send({ op: "ping" });
    toClient.write('{"id":1,"ok":false,"error":null}\n');
    await expect(first).rejects.toMatchObject({ code: "RELX_HOST_UNREACHABLE", message: expect.stringContaining("answer 1 is not a relx answer") });
    toClient.write('{"id":2,"ok":true,"result":{"pong":true}}\n');
    await expect(second).resolves.toEqual({ pong: true });
    toClient.write('{"id":3,"ok":false}\n'); // an id nobody waits for: dropped
    expect(session.isClosed).toBe(false);
  });

  it("rebuilds an error answer as a RelxError with its details", async () => {
    const { session, toClient } = pair();
    const sent = session.send({ op: "upgrade" });
    toClient.write('{"id":1,"ok":false,"error":{"code":"RELX_BUSY","message":"busy","hint":"wait"},"rolledBack":false}\n');
    await expect(sent).rejects.toMatchObject({ code: "RELX_BUSY", message: "busy", hint: "wait", details: { rolledBack: false } });
  });
});
