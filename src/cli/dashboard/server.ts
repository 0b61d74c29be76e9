/**
 * The dashboard's HTTP server (SPEC §12): the page, its assets and a small JSON API, on 127.0.0.1
 * only. Every request needs the token (query `token`, or the `x-relx-token` header the page
 * sends); actions need the header (a form on another site cannot set it) and `--allow-actions`.
 * It reaches the daemon only through its socket.
 */
import { timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "../../client/request.js";
import { toRelxError } from "../../errors.js";
import { startFeed } from "./feed.js";
import { statusFieldsOf } from "./query.js";

export interface DashboardOptions {
  socket: string;
  token: string;
  /** 0: a free port. */
  port: number;
  allowActions: boolean;
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

const STATIC = new URL("../../../static/dashboard/", import.meta.url);
const ASSETS: Record<string, string> = {
  "/app.js": "text/javascript; charset=utf-8",
  "/style.css": "text/css; charset=utf-8",
};
const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};
/** Where the page shows its first screen of processes. */
const DEFAULT_PAGE = 50;

/** Starts the server; resolves once it listens. Throws the listen error (EADDRINUSE, …). */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const server = createServer((req, res) => {
    void route(options, req, res).catch((err) => sendJson(res, 500, { ok: false, error: toRelxError(err).toWire() }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/?token=${options.token}`, close: () => closeServer(server) };
}

async function route(options: DashboardOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const header = req.headers["x-relx-token"];
  const viaHeader = typeof header === "string" && sameToken(header, options.token);
  if (!viaHeader && !sameToken(url.searchParams.get("token") ?? "", options.token)) {
    return sendText(res, 403, "relx dashboard: this address needs the token `relx dashboard` printed\n");
  }
  const path = url.pathname;
  if (req.method === "POST") {
    const action = /^\/api\/(upgrade|downgrade)$/.exec(path)?.[1] as "upgrade" | "downgrade" | undefined;
    if (action === undefined) return sendText(res, 404, "not found\n");
    if (!options.allowActions || !viaHeader) return sendText(res, 403, "relx dashboard: actions need --allow-actions\n");
    return sendJson(res, 200, await runAction(options.socket, action, await readBody(req)));
  }
  if (req.method !== "GET") return sendText(res, 405, "method not allowed\n");
  if (path === "/") return sendPage(res, options);
  if (Object.hasOwn(ASSETS, path)) return sendAsset(res, path);
  if (path === "/api/status") return sendDaemon(res, () => request(options.socket, { op: "status", ...statusFieldsOf(url.searchParams, undefined) }));
  if (path === "/api/log") return sendDaemon(res, () => request(options.socket, { op: "logTail", lines: 200 }));
  if (path === "/api/events") return startFeed({ socket: options.socket, fields: statusFieldsOf(url.searchParams, DEFAULT_PAGE), response: res });
  return sendText(res, 404, "not found\n");
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function sendPage(res: ServerResponse, options: DashboardOptions): Promise<void> {
  const html = await readFile(new URL("index.html", STATIC), "utf8");
  const token = encodeURIComponent(options.token);
  const page = html
    .replaceAll("{{token}}", token)
    .replace("{{allowActions}}", options.allowActions ? "true" : "false");
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS }).end(page);
}

async function sendAsset(res: ServerResponse, path: string): Promise<void> {
  const body = await readFile(new URL(path.slice(1), STATIC));
  res.writeHead(200, { "content-type": ASSETS[path]!, ...SECURITY_HEADERS }).end(body);
}

/** The daemon's answer, or its error as the CLI's --json prints it (503 when no daemon answers). */
async function sendDaemon(res: ServerResponse, ask: () => Promise<unknown>): Promise<void> {
  try {
    sendJson(res, 200, await ask());
  } catch (err) {
    const error = toRelxError(err);
    sendJson(res, error.code === "RELX_NO_DAEMON" ? 503 : 500, { ok: false, error: error.toWire(), ...error.details });
  }
}

/** An upgrade, downgrade or dry run: the CLI's --json result, a failure included. */
async function runAction(socket: string, op: "upgrade" | "downgrade", body: unknown): Promise<unknown> {
  const { vsn, dryRun } = (typeof body === "object" && body !== null ? body : {}) as { vsn?: unknown; dryRun?: unknown };
  try {
    if (typeof vsn !== "string") throw toRelxError(new Error("expected a vsn"), "RELX_BAD_ARGUMENT");
    return await request(socket, { op, vsn, ...(dryRun === true ? { dryRun: true } : {}) });
  } catch (err) {
    const error = toRelxError(err);
    return { ok: false, error: error.toWire(), ...error.details };
  }
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 64 * 1024) return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, code: number, value: unknown): void {
  res.writeHead(code, { "content-type": "application/json", ...SECURITY_HEADERS }).end(JSON.stringify(value));
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS }).end(text);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
