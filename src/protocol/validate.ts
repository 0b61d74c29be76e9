/**
 * Checks a request line from the socket before anything acts on it. Every failure is an answer,
 * never a throw: RELX_BAD_REQUEST (malformed JSON, a missing field, a field of the wrong type or
 * one the op does not take) or RELX_UNKNOWN_OP, with the request's id when it could be read.
 */
import { RelxError, describeValue } from "../errors.js";
import { OPS, type Op, type Request, type RequestId } from "./types.js";

export type ParseResult =
  | { ok: true; request: Request }
  | { ok: false; id: RequestId | null; error: RelxError };

interface FieldSpec {
  required: boolean;
  expected: string;
  test(value: unknown): boolean;
}

const PROCESS: FieldSpec = { required: true, expected: "a non-empty string", test: isNonEmptyString };
const MSG: FieldSpec = { required: true, expected: "any JSON value", test: () => true };
const VSN: FieldSpec = { required: true, expected: "a non-empty string", test: isNonEmptyString };
const EXTRA: FieldSpec = { required: false, expected: "any JSON value", test: () => true };
const BOOL: FieldSpec = { required: false, expected: "a boolean", test: (v) => typeof v === "boolean" };
const TIMEOUT: FieldSpec = {
  required: false,
  expected: "a positive number of milliseconds",
  test: (v) => typeof v === "number" && Number.isFinite(v) && v > 0,
};
const UPGRADE = { vsn: VSN, extra: EXTRA, dryRun: BOOL, permanent: BOOL };

/** The fields each op takes besides `id` and `op`. Anything else is refused, not ignored. */
const FIELDS: Record<Op, Record<string, FieldSpec>> = {
  ping: {},
  status: {},
  stop: {},
  call: { process: PROCESS, msg: MSG, timeoutMs: TIMEOUT },
  cast: { process: PROCESS, msg: MSG },
  state: { process: PROCESS },
  upgrade: UPGRADE,
  downgrade: UPGRADE,
};

/** One line of NDJSON as a request, or the error to answer it with. */
export function parseRequestLine(line: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    const message = `the request is not valid JSON: ${(err as Error).message}`;
    return fail(peekId(line), message);
  }
  return validateRequest(value);
}

export function validateRequest(value: unknown): ParseResult {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(null, `a request must be a JSON object, got ${describeValue(value)}`);
  }
  const fields = value as Record<string, unknown>;
  const id = fields.id;
  if (!isId(id)) return fail(null, badField("id", "a number or a string", id));
  const op = fields.op;
  if (typeof op !== "string") return fail(id, badField("op", "a string", op));
  if (!(OPS as readonly string[]).includes(op)) {
    const error = new RelxError("RELX_UNKNOWN_OP", `unknown op ${JSON.stringify(op)}`, {
      hint: `ops: ${OPS.join(", ")}`,
    });
    return { ok: false, id, error };
  }
  const specs = FIELDS[op as Op];
  for (const key of Object.keys(fields)) {
    if (key !== "id" && key !== "op" && !(key in specs)) {
      return fail(id, `field "${key}" does not apply to op "${op}"`);
    }
  }
  for (const [key, spec] of Object.entries(specs)) {
    if (!(key in fields)) {
      if (spec.required) return fail(id, `op "${op}" needs field "${key}" (${spec.expected})`);
      continue;
    }
    if (!spec.test(fields[key])) return fail(id, badField(key, spec.expected, fields[key]));
  }
  return { ok: true, request: fields as unknown as Request };
}

function fail(id: RequestId | null, message: string): ParseResult {
  const hint = "see docs/protocol.md for the request format";
  return { ok: false, id, error: new RelxError("RELX_BAD_REQUEST", message, { hint }) };
}

function badField(key: string, expected: string, got: unknown): string {
  return `field "${key}": expected ${expected}, got ${got === undefined ? "nothing" : describeValue(got)}`;
}

function isId(value: unknown): value is RequestId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

function isNonEmptyString(value: unknown): boolean {
  return typeof value === "string" && value.length > 0;
}

const ID_PATTERN = /"id"\s*:\s*(-?\d{1,15}(?:\.\d+)?|"(?:[^"\\]|\\.){0,200}")\s*[,}]/;

/** The id of a line that is not valid JSON, when it can still be read, so the client can match the error. */
function peekId(line: string): RequestId | null {
  const match = ID_PATTERN.exec(line.slice(0, 4096));
  if (!match) return null;
  try {
    return JSON.parse(match[1]!) as RequestId;
  } catch {
    return null;
  }
}
