// Request validation: every bad request is an answer with a code, never a throw.
import { describe, expect, it } from "vitest";
import { parseRequestLine } from "../../src/protocol/validate.js";

function refusal(line: string): { id: unknown; code: string; message: string } {
  const parsed = parseRequestLine(line);
  if (parsed.ok) throw new Error(`expected a refusal of ${line}`);
  return { id: parsed.id, code: parsed.error.code, message: parsed.error.message };
}

describe("parseRequestLine", () => {
  it("accepts each op with its fields", () => {
    const lines = [
      { id: 1, op: "ping" },
      { id: "a", op: "status" },
      { id: 3, op: "call", process: "blackode", msg: { add: 1 }, timeoutMs: 500 },
      { id: 4, op: "cast", process: "blackode", msg: null },
      { id: 5, op: "state", process: "blackode" },
      { id: 6, op: "upgrade", vsn: "1.1.0", extra: [1], dryRun: true, permanent: false },
      { id: 7, op: "downgrade", vsn: "1.0.0" },
      { id: 8, op: "stop" },
    ];
    for (const request of lines) expect(parseRequestLine(JSON.stringify(request))).toEqual({ ok: true, request });
  });

  it("refuses invalid JSON, keeping the id when it can be read", () => {
    expect(refusal('{"id": 42, "op": "ping"')).toMatchObject({ id: 42, code: "RELX_BAD_REQUEST" });
    expect(refusal("not json at all")).toMatchObject({ id: null, code: "RELX_BAD_REQUEST" });
    expect(refusal('{"id":"x1","op":')).toMatchObject({ id: "x1" });
  });

  it("refuses a value that is not an object", () => {
    for (const line of ["[1,2]", "null", "7", '"ping"']) {
      expect(refusal(line)).toMatchObject({ id: null, code: "RELX_BAD_REQUEST" });
    }
  });

  it("names the field, what was expected and what came, for wrong types", () => {
    expect(refusal('{"id":true,"op":"ping"}')).toMatchObject({ id: null, message: 'field "id": expected a number or a string, got boolean true' });
    expect(refusal('{"id":1,"op":5}').message).toBe('field "op": expected a string, got number 5');
    expect(refusal('{"id":2,"op":"call","process":7,"msg":1}')).toMatchObject({
      id: 2,
      code: "RELX_BAD_REQUEST",
      message: 'field "process": expected a non-empty string, got number 7',
    });
    expect(refusal('{"id":3,"op":"call","process":"p","msg":1,"timeoutMs":"5"}').message).toContain('field "timeoutMs": expected a number of milliseconds from 1 to 2147483647, got "5"');
    expect(refusal('{"id":4,"op":"upgrade","vsn":"1.1.0","dryRun":"yes"}').message).toBe('field "dryRun": expected a boolean, got "yes"');
  });

  it("refuses a missing field and a field the op does not take", () => {
    expect(refusal('{"id":1,"op":"call","process":"p"}').message).toContain('needs field "msg"');
    expect(refusal('{"id":2,"op":"upgrade"}').message).toContain('needs field "vsn"');
    expect(refusal('{"id":3,"op":"upgrade","vsn":"1.1.0","dryrun":true}').message).toBe('field "dryrun" does not apply to op "upgrade"');
  });

  it("refuses an unknown op with RELX_UNKNOWN_OP", () => {
    expect(refusal('{"id":9,"op":"reboot"}')).toMatchObject({ id: 9, code: "RELX_UNKNOWN_OP", message: 'unknown op "reboot"' });
  });
});
