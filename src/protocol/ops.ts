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

export interface OpTable {
  ping: { fields: {}; result: PingResult };
  status: { fields: {}; result: StatusResult };
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

/** The fields each op takes besides `id` and `op`. Anything else is refused, not ignored. */
export const FIELDS: { [K in Op]: FieldSpecs<FieldsOf<K>> } = {
  ping: {},
  status: {},
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
