/**
 * copyState: a copy of a state's plain data, made so that a codeChange that edits its state in
 * place cannot touch the state a rollback puts back (and so that a dry run changes nothing).
 * Arrays, objects whose prototype is Object.prototype or null, Maps, Sets and Dates are copied,
 * deeply, with shared references and cycles kept as they were; anything else (a socket, a client,
 * a class instance, a function) is a handle and is passed as the same object. Symbol-keyed
 * properties are kept, and what they hold is shared like a handle.
 *
 * It runs once per changed process inside an upgrade's pause, so the common state (a flat object
 * or array of primitives and handles: a connection's `{ ws, room, nick }`) takes one spread and
 * one walk: no map of seen objects, no recursion.
 */

import { isPlainObject } from "./render.js";

export function copyState<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  const proto = Object.getPrototypeOf(value);
  // The common case first, and with the least work: a flat object literal.
  if (proto === Object.prototype) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const key in out) {
      const v = out[key];
      if (v !== null && typeof v === "object" && isCopied(v)) return deepCopy(value) as T;
    }
    return out as T;
  }
  if (Array.isArray(value)) {
    const out = value.slice();
    for (let i = 0; i < out.length; i++) if (isCopied(out[i])) return deepCopy(value) as T;
    return out as T;
  }
  if (proto !== null) return deepCopy(value) as T;
  const out: Record<string, unknown> = Object.assign(Object.create(null), value);
  for (const key in out) if (isCopied(out[key])) return deepCopy(value) as T;
  return out as T;
}

function isObject(v: unknown): v is object {
  return v !== null && typeof v === "object";
}

/** Data copyState copies (rather than shares as a handle): arrays, plain objects, Maps, Sets, Dates. */
function isCopied(v: unknown): boolean {
  if (v === null || typeof v !== "object") return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || v instanceof Map || v instanceof Set || v instanceof Date || isPlainObject(v);
}

/** The general case: nested objects, with a map of those seen so sharing and cycles survive. */
function deepCopy(root: object): unknown {
  const seen = new Map<object, unknown>();
  const copy = (v: unknown): unknown => {
    if (!isObject(v)) return v;
    const done = seen.get(v);
    if (done !== undefined) return done;
    if (Array.isArray(v)) {
      const out: unknown[] = new Array(v.length);
      seen.set(v, out);
      for (let i = 0; i < v.length; i++) out[i] = copy(v[i]);
      return out;
    }
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.assign(Object.create(null), v) : { ...v };
      seen.set(v, out);
      for (const key in out) out[key] = copy(out[key]);
      return out;
    }
    if (v instanceof Map) {
      const out = new Map();
      seen.set(v, out);
      for (const [k, x] of v) out.set(copy(k), copy(x));
      return out;
    }
    if (v instanceof Set) {
      const out = new Set();
      seen.set(v, out);
      for (const x of v) out.add(copy(x));
      return out;
    }
    if (v instanceof Date) return new Date(v.getTime());
    return v;
  };
  return copy(root);
}
