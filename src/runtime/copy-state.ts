/**
 * copyState: a copy of a state's plain data, made so that a codeChange that edits its state in
 * place cannot touch the state a rollback puts back (and so that a dry run changes nothing).
 * Arrays, objects whose prototype is Object.prototype or null, Maps, Sets and Dates are copied,
 * deeply, with shared references and cycles kept as they were; anything else (a socket, a client,
 * a class instance, a function) is a handle and is passed as the same object.
 */

/** One map reused by every copy: a copy per process must not cost a Map per process. */
const seen = new Map<object, unknown>();

export function copyState<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  try {
    return copy(value) as T;
  } finally {
    seen.clear();
  }
}

function copy(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    seen.set(v, out);
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return copyPlain(v as Record<PropertyKey, unknown>, proto);
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
}

function copyPlain(v: Record<PropertyKey, unknown>, proto: object | null): unknown {
  const out: Record<PropertyKey, unknown> = proto === null ? Object.create(null) : {};
  seen.set(v, out);
  for (const key of Object.keys(v)) out[key] = copy(v[key]);
  const symbols = Object.getOwnPropertySymbols(v);
  for (let i = 0; i < symbols.length; i++) out[symbols[i]!] = copy(v[symbols[i]!]);
  return out;
}
