/**
 * The op table: for every op of the socket (SPEC §8), the fields its request takes and the type
 * of its result. It drives the request validator (validate.ts), the typed client
 * (client/request.ts) and the daemon's handler map (daemon/handlers.ts): adding an op is one
 * entry here, one row in FIELDS and one handler.
 */
import type {
  CastResult,
  ConfigResult,
  EvalResult,
  DryRunResult,
  AbortResult,
  PermanentResult,
  LogTailResult,
  PingResult,
  PrepareResult,
  RestartResult,
  StatesResult,
  StatusResult,
  StopResult,
  UpgradeResult,
} from "./results.js";

export type RequestId = number | string;

/** `upgrade` and `downgrade` (SPEC §7). `permanent` defaults to true. */
export interface UpgradeFields {
  vsn: string;
  extra?: unknown;
  dryRun?: boolean;
  permanent?: boolean;
}

/** `prepare` (two-phase upgrades, for fleets): hold the upgrade at its commit, until commit, abort, the deadline or the connection's end. */
export interface PrepareFields {
  vsn: string;
  direction: "up" | "down";
  extra?: unknown;
  permanent?: boolean;
  /** From the prepare's arrival, preparation included; default 30000. */
  deadlineMs?: number;
}

/** Sort keys of `status` (SPEC §6's process fields). */
export const STATUS_SORTS = ["name", "pid", "server", "vsn", "status", "queue", "restarts", "handled"] as const;
export type StatusSort = (typeof STATUS_SORTS)[number];

/**
 * `status` paging: with none of these, every process in spawn order. `filter` keeps the processes
 * whose name contains it (case-insensitive); `count` in the result is how many matched.
 */
export interface StatusFields {
  offset?: number;
  limit?: number;
  filter?: string;
  sort?: StatusSort;
  desc?: boolean;
}

export interface OpTable {
  ping: { fields: {}; result: PingResult };
  status: { fields: StatusFields; result: StatusResult };
  call: { fields: { process: string; msg: unknown; timeoutMs?: number }; result: unknown };
  cast: { fields: { process: string; msg: unknown }; result: CastResult };
  state: { fields: { process: string }; result: unknown };
  states: { fields: {}; result: StatesResult };
  upgrade: { fields: UpgradeFields; result: UpgradeResult | DryRunResult };
  downgrade: { fields: UpgradeFields; result: UpgradeResult | DryRunResult };
  restart: { fields: { process: string }; result: RestartResult };
  prepare: { fields: PrepareFields; result: PrepareResult };
  commit: { fields: {}; result: UpgradeResult };
  abort: { fields: {}; result: AbortResult };
  config: { fields: {}; result: ConfigResult };
  eval: { fields: { code: string }; result: EvalResult };
  logTail: { fields: { lines?: number }; result: LogTailResult };
  stop: { fields: {}; result: StopResult };
  permanent: { fields: { vsn: string }; result: PermanentResult };
}

export type Op = keyof OpTable;
export type FieldsOf<K extends Op> = OpTable[K]["fields"];
export type ResultOf<K extends Op> = OpTable[K]["result"];

/** A request as a client builds it: the client assigns the id. */
export type BodyOf<K extends Op> = { op: K } & FieldsOf<K>;
/** A request as it travels. */
export type RequestOf<K extends Op> = { id: RequestId } & BodyOf<K>;
export type Request = { [K in Op]: RequestOf<K> }[Op];
export type RequestBody = { [K in Op]: BodyOf<K> }[Op];

/** How one request field is checked. */
export interface FieldSpec {
  required: boolean;
  expected: string;
  test(value: unknown): boolean;
}

/** A spec for every field of T (the compiler checks none is missing, or extra). */
type FieldSpecs<T> = { [F in keyof T]-?: FieldSpec };

/** Node's timers fire after 1 ms for delays above this. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const nonEmptyString = (v: unknown): boolean => typeof v === "string" && v.length > 0;
const PROCESS: FieldSpec = { required: true, expected: "a non-empty string", test: nonEmptyString };
const MSG: FieldSpec = { required: true, expected: "any JSON value", test: () => true };
const TIMEOUT: FieldSpec = {
  required: false,
  expected: `a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
  test: (v) => typeof v === "number" && Number.isFinite(v) && v > 0 && v <= MAX_TIMEOUT_MS,
};
const UPGRADE: FieldSpecs<UpgradeFields> = {
  vsn: { required: true, expected: "a non-empty string", test: nonEmptyString },
  extra: { required: false, expected: "any JSON value", test: () => true },
  dryRun: { required: false, expected: "a boolean", test: (v) => typeof v === "boolean" },
  permanent: { required: false, expected: "a boolean", test: (v) => typeof v === "boolean" },
};

const count = (min: number, max: number): FieldSpec => ({
  required: false,
  expected: `an integer from ${min} to ${max}`,
  test: (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max,
});
const STATUS: FieldSpecs<StatusFields> = {
  offset: count(0, Number.MAX_SAFE_INTEGER),
  limit: count(0, Number.MAX_SAFE_INTEGER),
  filter: { required: false, expected: "a string", test: (v) => typeof v === "string" },
  sort: {
    required: false,
    expected: `one of ${STATUS_SORTS.join(", ")}`,
    test: (v) => typeof v === "string" && (STATUS_SORTS as readonly string[]).includes(v),
  },
  desc: { required: false, expected: "a boolean", test: (v) => typeof v === "boolean" },
};

/** The fields each op takes besides `id` and `op`. Anything else is refused, not ignored. */
export const FIELDS: { [K in Op]: FieldSpecs<FieldsOf<K>> } = {
  ping: {},
  status: STATUS,
  call: { process: PROCESS, msg: MSG, timeoutMs: TIMEOUT },
  cast: { process: PROCESS, msg: MSG },
  state: { process: PROCESS },
  states: {},
  upgrade: UPGRADE,
  downgrade: UPGRADE,
  restart: { process: PROCESS },
  prepare: {
    vsn: UPGRADE.vsn,
    direction: { required: true, expected: '"up" or "down"', test: (v) => v === "up" || v === "down" },
    extra: UPGRADE.extra,
    permanent: UPGRADE.permanent,
    deadlineMs: { ...TIMEOUT, expected: TIMEOUT.expected },
  },
  commit: {},
  abort: {},
  config: {},
  eval: { code: { required: true, expected: "a string of JavaScript", test: (v) => typeof v === "string" } },
  logTail: { lines: count(1, 10_000) },
  stop: {},
  permanent: { vsn: { required: true, expected: "a non-empty string", test: nonEmptyString } },
};

export const OPS = Object.keys(FIELDS) as Op[];

export function isOp(value: string): value is Op {
  return Object.hasOwn(FIELDS, value);
}

/** One client connection, as a handler sees it: what an op started on it can end with it. */
export interface Session {
  readonly closed: boolean;
  /** Called once when the connection closes (at once if it already has). */
  onClose(fn: () => void): void;
}

/** The serving side of the table: one handler per op, typed by it. */
export type Handlers = { [K in Op]: (request: RequestOf<K>, session: Session) => ResultOf<K> | Promise<ResultOf<K>> };
