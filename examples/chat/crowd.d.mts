// Types for crowd.mjs.
export interface Frame {
  version: 1 | 2;
  kind: "welcome" | "message" | "error";
  room: string;
  from?: string;
  text?: string;
  history?: Record<string, unknown>[];
  raw: Record<string, unknown>;
}

export function versionOf(frame: Record<string, unknown>): 1 | 2;
export function readFrame(data: unknown): Frame;

export class Client {
  constructor(options: { url: string; room: string; nick: string });
  readonly room: string;
  readonly nick: string;
  readonly phase: "connecting" | "open" | "closed";
  readonly dropped: string | null;
  readonly welcome: Frame | null;
  readonly sent: number;
  readonly echoed: number;
  readonly received: number;
  readonly versions: (1 | 2)[];
  readonly pending: Map<string, number>;
  readonly maxEchoMs: number;
  open(): Promise<Frame>;
  say(text: string): void;
  sayAndWait(text: string): Promise<Frame>;
  talk(intervalMs: number): void;
  hush(): void;
  close(): void;
}

export interface CrowdStats {
  clients: number;
  open: number;
  dropped: string[];
  sent: number;
  echoed: number;
  lost: number;
  received: number;
  maxEchoMs: number;
}

export class Crowd {
  constructor(options: { url: string; count: number; rooms: string[]; prefix?: string; concurrency?: number });
  readonly clients: Client[];
  connect(): Promise<void>;
  talk(intervalMs: number): void;
  trickle(perSecond: number): void;
  hush(): void;
  mark(tag: string): Promise<Frame[]>;
  settle(limitMs?: number): Promise<boolean>;
  stats(): CrowdStats;
  close(): void;
}
