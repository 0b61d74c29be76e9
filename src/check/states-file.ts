/**
 * Recorded states: the `relx state --all --json` document (`{ processes: [ { name, pid, server,
 * vsn, state } ] }`), from a file or given as a value. Throws RELX_BAD_ARGUMENT naming the file,
 * the entry and the field, "expected X, got Y".
 */
import { resolve } from "node:path";
import { RelxError, describeValue } from "../errors.js";
import type { ProcessState, StatesResult } from "../protocol/results.js";
import { MISSING, isPlainObject, readJson } from "../release/json-file.js";
import { RENDER_DEPTH } from "../runtime/render.js";

const RECORD_HINT = "record one on the live node with `relx state --all --json > states.json`";

/** The recorded processes of `states`: a path (relative to the current directory) or the document itself. */
export async function readStates(states: StatesResult | string): Promise<ProcessState[]> {
  if (typeof states !== "string") return validateStates(states, "the states");
  const file = resolve(states);
  const value = await readJson(file, "RELX_BAD_ARGUMENT");
  if (value === MISSING) throw new RelxError("RELX_BAD_ARGUMENT", `the states file ${file} does not exist`, { hint: RECORD_HINT });
  return validateStates(value, `the states file ${file}`);
}

export function validateStates(value: unknown, what: string): ProcessState[] {
  const fail = (where: string, expected: string, got: unknown) =>
    new RelxError("RELX_BAD_ARGUMENT", `${what}: ${where} expected ${expected}, got ${describeValue(got)}`, { hint: RECORD_HINT });
  if (!isPlainObject(value) || !Array.isArray(value.processes)) {
    throw fail("the document", "{ \"processes\": [...] } (the `relx state --all --json` shape)", value);
  }
  return value.processes.map((entry: unknown, i: number): ProcessState => {
    const at = `processes[${i}]`;
    if (!isPlainObject(entry)) throw fail(at, "an object", entry);
    const { name, pid, server, vsn } = entry;
    if (name !== null && (typeof name !== "string" || name === "")) throw fail(`${at}.name`, "a non-empty string or null", name);
    if (typeof pid !== "string") throw fail(`${at}.pid`, "a string such as \"<0.12.0>\"", pid);
    if (typeof server !== "string" || server === "") throw fail(`${at}.server`, "a non-empty string", server);
    if (vsn !== null && typeof vsn !== "string") throw fail(`${at}.vsn`, "a string or null", vsn);
    if (!("state" in entry)) throw fail(`${at}.state`, "the recorded state", undefined);
    if (depthOver(entry.state, MAX_STATE_DEPTH)) {
      throw new RelxError("RELX_BAD_ARGUMENT", `${what}: ${at}.state is nested more than ${MAX_STATE_DEPTH} levels deep; relx records a state ${RENDER_DEPTH} levels deep at most`, { hint: RECORD_HINT });
    }
    return { name, pid, server, vsn, state: entry.state };
  });
}

/** How deep a recorded state may be: what `relx state` records (RENDER_DEPTH), with room to spare. */
const MAX_STATE_DEPTH = 2 * RENDER_DEPTH;

/**
 * Whether JSON data nests deeper than `max` (walked with a stack of its own, as a state this deep
 * would overflow the worker's JSON.stringify and any recursion).
 */
function depthOver(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, depth] = item;
    if (v === null || typeof v !== "object") continue;
    if (depth > max) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (x !== null && typeof x === "object") stack.push([x, depth + 1]);
  }
  return false;
}
