/**
 * Checks a request line from the socket before anything acts on it. Every failure is an answer,
 * never a throw: RELX_BAD_REQUEST (malformed JSON, a missing field, a field of the wrong type or
 * one the op does not take) or RELX_UNKNOWN_OP, with the request's id when it could be read.
 */
import { RelxError, describeValue } from "../errors.js";
import { FIELDS, OPS, isOp, type FieldSpec, type Request, type RequestId } from "./ops.js";

export type ParseResult =
  | { ok: true; request: Request }
  | { ok: false; id: RequestId | null; error: RelxError };

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
  if (!isOp(op)) {
    const error = new RelxError("RELX_UNKNOWN_OP", `unknown op ${JSON.stringify(op)}`, {
      hint: `ops: ${OPS.join(", ")}`,
    });
    return { ok: false, id, error };
  }
  const specs: Record<string, FieldSpec> = FIELDS[op];
  for (const key of Object.keys(fields)) {
    if (key !== "id" && key !== "op" && !Object.hasOwn(specs, key)) {
      return fail(id, `field "${key}" does not apply to op "${op}"`);
    }
  }
  for (const [key, spec] of Object.entries(specs)) {
    if (!Object.hasOwn(fields, key)) {
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
