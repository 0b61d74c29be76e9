/**
 * RelxError: the one error class of relx. Every error a user can meet has a stable `code`
 * (listed in docs/errors.md), a message with the concrete values, an optional `hint` naming
 * the next command to run, and the original error as `cause`. Errors cross the socket as
 * plain JSON (`toWire`) and are rebuilt as the same class on the other side (`fromWire`).
 */

export type RelxErrorCode =
  | "RELX_NOT_ATTEMPTED"
  | "RELX_MOVED_BACK"
  | "RELX_HOST_UNREACHABLE"
  | "RELX_HEALTH_FAILED"
  | "RELX_BAD_FLEET"
  | "RELX_ABORTED"
  | "RELX_NOT_PERMANENT"
  | "RELX_BAD_APP_CONFIG"
  | "RELX_BAD_ARGUMENT"
  | "RELX_BAD_BOOT_SPEC"
  | "RELX_BAD_CONFIG"
  | "RELX_BAD_RELEASE"
  | "RELX_BAD_REQUEST"
  | "RELX_BAD_RESULT"
  | "RELX_BAD_VSN"
  | "RELX_BUILD_FAILED"
  | "RELX_BUSY"
  | "RELX_BUG"
  | "RELX_CALL_TIMEOUT"
  | "RELX_CALLBACK_FAILED"
  | "RELX_CHECK_NO_NODE"
  | "RELX_CHECKSUM_MISMATCH"
  | "RELX_CODE_CHANGE_FAILED"
  | "RELX_DAEMON_RUNNING"
  | "RELX_DIR_NOT_EMPTY"
  | "RELX_DRY_RUN"
  | "RELX_DUPLICATE_SERVER"
  | "RELX_EVAL_FAILED"
  | "RELX_EXIT_REFUSED"
  | "RELX_HOOK_FAILED"
  | "RELX_INIT_FAILED"
  | "RELX_LINE_TOO_LONG"
  | "RELX_NAME_TAKEN"
  | "RELX_NO_DAEMON"
  | "RELX_NO_HANDLER"
  | "RELX_NO_RELEASES"
  | "RELX_NO_SUCH_PROCESS"
  | "RELX_NO_SUCH_RELEASE"
  | "RELX_NOT_PREPARED"
  | "RELX_NOT_RUNNING_RELEASE"
  | "RELX_NOT_SUSPENDED"
  | "RELX_PROCESS_EXITED"
  | "RELX_RELEASE_EXISTS"
  | "RELX_RELEASE_IN_USE"
  | "RELX_SOCKET_PATH_TOO_LONG"
  | "RELX_STOP_TIMEOUT"
  | "RELX_SUSPEND_TIMEOUT"
  | "RELX_TRIED_AHEAD"
  | "RELX_UNKNOWN_OP"
  | "RELX_UNSAFE_PATH"
  | "RELX_VSN_NOT_BUMPED"
  | "RELX_WRITE_FAILED"
  | "RELX_WRONG_APP"
  | "RELX_WRONG_DIRECTION"
  | "RELX_WRONG_RELX";

export interface RelxErrorOptions {
  hint?: string;
  cause?: unknown;
  /** The process the error is about, where there is one (upgrade failures name it). */
  process?: string;
  /**
   * Fields that go next to `error` in a response and in `--json` output, e.g. `{ rolledBack }` on a
   * failed upgrade, or the log tail of a failed boot.
   */
  details?: Record<string, unknown>;
}

/** The JSON shape of an error on the socket and in `--json` output. */
export interface WireError {
  code: string;
  message: string;
  hint?: string;
  process?: string;
}

export class RelxError extends Error {
  readonly code: RelxErrorCode;
  readonly hint: string | undefined;
  readonly process: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: RelxErrorCode, message: string, options: RelxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RelxError";
    this.code = code;
    this.hint = options.hint;
    this.process = options.process;
    this.details = options.details;
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message };
    if (this.hint !== undefined) wire.hint = this.hint;
    if (this.process !== undefined) wire.process = this.process;
    return wire;
  }

  /** The error a response carried; `details` are the response's other top-level fields. */
  static fromWire(wire: WireError, details?: Record<string, unknown>): RelxError {
    return new RelxError(wire.code as RelxErrorCode, wire.message, {
      hint: wire.hint,
      process: wire.process,
      details,
    });
  }
}

/** Any thrown value as a RelxError: a RelxError stays itself, anything else is wrapped. */
export function toRelxError(err: unknown, code: RelxErrorCode = "RELX_BUG"): RelxError {
  if (err instanceof RelxError) return err;
  const message = textOf(err);
  const hint = code === "RELX_BUG" ? "this is a bug in relx; please report it with the daemon log" : undefined;
  return new RelxError(code, message, { cause: err, hint });
}

/** A new error like `err` (its code, message, hint and process) with `details` added and `err` as its cause. */
export function withDetails(err: unknown, details: Record<string, unknown>): RelxError {
  const e = toRelxError(err);
  return new RelxError(e.code, e.message, { hint: e.hint, process: e.process, cause: e, details: { ...e.details, ...details } });
}

/**
 * What a thrown value (or a stop reason) says, for messages and the log: an Error's message (or,
 * `withStack`, its stack), else its string form. Never throws: user code can throw anything (null,
 * an object with no prototype, one whose message getter or toString throws, a revoked proxy), and
 * relx's report of it must not fail in turn.
 */
export function textOf(value: unknown, withStack = false): string {
  try {
    if (value instanceof Error) {
      const text: unknown = withStack ? value.stack ?? value.message : value.message;
      return typeof text === "string" ? text : String(text);
    }
    return String(value);
  } catch {
    try {
      return describeValue(value);
    } catch {
      return "a value with no string form";
    }
  }
}

/** "expected X, got Y" text for a value of the wrong kind. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
