/**
 * One page's live feed (server-sent events): every POLL_MS it asks the daemon for the page's
 * view (one page of processes, never all of them) and the log tail, and sends what changed.
 *
 *   state  event                               next
 *   up     a poll answers                      up (sends `status` / `log` if they changed)
 *   up     RELX_NO_DAEMON                      down (sends `down` once)
 *   down   a poll answers                      up (sends `status` and `log` again)
 *   any    the page closes the connection      closed (no more polls)
 */
import type { ServerResponse } from "node:http";
import { request } from "../../client/request.js";
import { toRelxError } from "../../errors.js";
import type { StatusFields } from "../../protocol/ops.js";

/** Well inside the 2 s the page has to show a change in. */
export const POLL_MS = 1000;
export const LOG_LINES = 50;

export interface FeedOptions {
  socket: string;
  fields: StatusFields;
  response: ServerResponse;
}

export function startFeed({ socket, fields, response }: FeedOptions): void {
  let closed = false;
  let phase: "up" | "down" | "new" = "new";
  let lastStatus = "";
  let lastLog = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const send = (event: string, data: string): void => void response.write(`event: ${event}\ndata: ${data}\n\n`);

  const poll = async (): Promise<void> => {
    try {
      const [status, log] = await Promise.all([
        request(socket, { op: "status", ...fields }),
        request(socket, { op: "logTail", lines: LOG_LINES }),
      ]);
      if (closed) return;
      if (phase !== "up") lastStatus = lastLog = "";
      phase = "up";
      const statusJson = JSON.stringify(status);
      const logJson = JSON.stringify(log);
      if (statusJson !== lastStatus) send("status", (lastStatus = statusJson));
      if (logJson !== lastLog) send("log", (lastLog = logJson));
    } catch (err) {
      if (closed) return;
      const error = toRelxError(err);
      if (phase !== "down" || error.code !== "RELX_NO_DAEMON") send(error.code === "RELX_NO_DAEMON" ? "down" : "failure", JSON.stringify(error.toWire()));
      if (error.code === "RELX_NO_DAEMON") phase = "down";
    }
    if (!closed) timer = setTimeout(() => void poll(), POLL_MS);
  };

  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
  response.write("retry: 1000\n\n");
  response.on("close", () => {
    closed = true;
    clearTimeout(timer);
  });
  void poll();
}
