/**
 * copyState: a copy of a state's plain data, made so that a codeChange that edits its state in
 * place cannot touch the state a rollback puts back (and so that a dry run changes nothing).
 * Arrays, objects whose prototype is Object.prototype or null, Maps, Sets and Dates are copied,
 * deeply, with shared references and cycles kept as they were (an instance of a subclass of one of
 * them stays one of its class, keepClass); anything else (a socket, a client,
 * a class instance, a function) is a handle and is passed as the same object. Symbol-keyed
 * properties are kept, and what they hold is shared like a handle.
 *
 * It runs once per changed process inside an upgrade's pause, so the common state (a flat object
 * or array of primitives and handles: a connection's `{ ws, room, nick }`) takes one spread and
 * one walk: no map of seen objects, no recursion.
 */

import { types } from "node:util";
import { isPlainObject } from "./render.js";

export function copyState<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  const proto = Object.getPrototypeOf(value);
  // The common case first, and with the least work: a flat object literal.
  if (proto === Object.prototype) {
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const key in out) if (isCopied(out[key])) return deepCopy(value) as T;
    return out as T;
  }
  if (proto === Array.prototype) {
    const out = (value as unknown[]).slice();
    for (let i = 0; i < out.length; i++) if (isCopied(out[i])) return deepCopy(value) as T;
    return out as T;
  }
  if (proto !== null) return deepCopy(value) as T;
  const out: Record<string, unknown> = Object.assign(Object.create(null), value);
  for (const key in out) if (isCopied(out[key])) return deepCopy(value) as T;
  return out as T;
}

/** Data copyState copies (rather than shares as a handle): arrays, plain objects, Maps, Sets, Dates. */
function isCopied(v: unknown): boolean {
  return v !== null && typeof v === "object" && kindOf(v) !== 0;
}

const ARRAY = 1;
const PLAIN = 2;
const MAP = 3;
const SET = 4;
const DATE = 5;

/**
 * What copyState does with `v`, an object: 0 shares it (a handle), else copies it as one of the
 * kinds above. The prototypes of this realm are compared first. Any other prototype (a class's:
 * a socket's, a pid's; another realm's data) is looked at for its first object, and a handle's or
 * plain object's kind kept for the rest, so 10,000 sockets of one class are looked at once, not
 * 10,000 times. (So a real Map of a prototype whose first object was no Map, one made with
 * Object.create(SubMap.prototype), is shared as that one was.)
 */
function kindOf(v: object): number {
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype) return PLAIN;
  if (proto === Array.prototype) return ARRAY;
  if (proto === Map.prototype) return MAP;
  if (proto === Set.prototype) return SET;
  if (proto === Date.prototype) return DATE;
  if (Array.isArray(v)) return ARRAY;
  if (proto === null) return PLAIN;
  // A handle's or a plain object's kind is the prototype's; a Map's, Set's or Date's is looked at
  // on each object (a subclass's prototype can make objects that are no Map: Object.create).
  const known = kindByProto.get(proto);
  if (known === 0 || known === PLAIN) return known;
  const kind = kindOfOther(v);
  if (known === undefined) kindByProto.set(proto, kind);
  return kind;
}

/**
 * The kind of each prototype kindOf has looked past the fast comparisons. Weak, so that the
 * classes of a release that is no longer loaded are not kept alive by it.
 */
const kindByProto = new WeakMap<object, number>();

/** kindOf's look at an object of another prototype: a plain object of another realm, else by its internal type (not instanceof: another realm's Map, one `relx eval` made, is a Map too). */
function kindOfOther(v: object): number {
  if (isPlainObject(v)) return PLAIN;
  if (types.isMap(v)) return MAP;
  if (types.isSet(v)) return SET;
  if (types.isDate(v)) return DATE;
  return 0;
}

/**
 * The general case: nested objects, with a map of the copied ones seen so far, so sharing and
 * cycles survive. A handle is passed on before the map is looked at: most objects in a big state
 * (a socket, a pid) are handles. Recursive, the fast way; a state nested deeper than the stack
 * allows (a linked list of a few thousand cells) is copied again by deepCopyFlat, which keeps its
 * work on the heap.
 */
function deepCopy(root: object): unknown {
  try {
    return deepCopyRecursive(root);
  } catch (err) {
    if (!isStackOverflow(err)) throw err;
    return deepCopyFlat(root);
  }
}

function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && err.message.includes("call stack");
}

/**
 * deepCopy with an explicit stack instead of recursion: each object's copy is made (empty, or a
 * spread of a plain object) when it is first met, and filled when it is taken off the stack, so
 * no nesting is too deep. Same result as the recursive copy: sharing, cycles, Map and Set order.
 */
function deepCopyFlat(root: object): unknown {
  const seen = new Map<object, unknown>();
  const todo: { from: object; out: unknown; kind: number }[] = [];
  const copyOf = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    const kind = kindOf(v);
    if (kind === 0) return v;
    const done = seen.get(v);
    if (done !== undefined) return done;
    let out: unknown;
    switch (kind) {
      case ARRAY:
        out = new Array((v as unknown[]).length);
        break;
      case PLAIN:
        out = Object.getPrototypeOf(v) === null ? Object.assign(Object.create(null), v) : { ...(v as Record<string, unknown>) };
        break;
      case MAP:
        out = new Map();
        break;
      case SET:
        out = new Set();
        break;
      default:
        out = new Date((v as Date).getTime());
    }
    seen.set(v, out);
    todo.push({ from: v, out, kind });
    return out;
  };
  const top = copyOf(root);
  for (let item = todo.pop(); item !== undefined; item = todo.pop()) {
    const { from, out, kind } = item;
    if (kind === ARRAY) {
      const src = from as unknown[];
      const dst = out as unknown[];
      for (let i = 0; i < src.length; i++) dst[i] = copyOf(src[i]);
    } else if (kind === PLAIN) {
      const dst = out as Record<string, unknown>;
      for (const key in dst) dst[key] = copyOf(dst[key]);
    } else if (kind === MAP) {
      const dst = out as Map<unknown, unknown>;
      for (const [key, x] of from as Map<unknown, unknown>) dst.set(copyOf(key), copyOf(x));
    } else if (kind === SET) {
      const dst = out as Set<unknown>;
      for (const x of from as Set<unknown>) dst.add(copyOf(x));
    }
    if (kind !== PLAIN) keepClass(from, out as object, kind, copyOf);
  }
  return top;
}

/** The prototype each kind's copy is made with. */
const MADE_WITH: Record<number, object> = { [ARRAY]: Array.prototype, [MAP]: Map.prototype, [SET]: Set.prototype, [DATE]: Date.prototype };

/**
 * A copy of an instance of a subclass of Array, Map, Set or Date (`class Registry extends Map`)
 * is one of that class too, with its own fields copied: its methods still work on the copy, and a
 * codeChange that returns the state it was given does not turn it into a plain Map. (Another
 * realm's own Array, Map, Set or Date, its prototype's prototype that realm's Object.prototype,
 * becomes this realm's, as ever.) Fields in private `#names` cannot be copied.
 */
function keepClass(from: object, out: object, kind: number, copy: (v: unknown) => unknown): void {
  const proto = Object.getPrototypeOf(from);
  if (proto === MADE_WITH[kind] || proto === null) return;
  const above: object | null = Object.getPrototypeOf(proto);
  if (above !== null && isRootOfRealm(above)) return;
  Object.setPrototypeOf(out, proto);
  for (const key of Object.keys(from)) {
    if (kind === ARRAY && isIndex(key)) continue;
    (out as Record<string, unknown>)[key] = copy((from as Record<string, unknown>)[key]);
  }
}

/** An Object.prototype, of this realm or another: no prototype above it, and a constructor named Object. */
function isRootOfRealm(o: object): boolean {
  return Object.getPrototypeOf(o) === null && typeof (o as { constructor?: unknown }).constructor === "function" && (o as { constructor: { name: string } }).constructor.name === "Object";
}

function isIndex(key: string): boolean {
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && String(n) === key;
}

function deepCopyRecursive(root: object): unknown {
  const seen = new Map<object, unknown>();
  const copy = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    const kind = kindOf(v);
    if (kind === 0) return v;
    const done = seen.get(v);
    if (done !== undefined) return done;
    switch (kind) {
      case ARRAY: {
        const from = v as unknown[];
        const out: unknown[] = new Array(from.length);
        seen.set(v, out);
        for (let i = 0; i < from.length; i++) out[i] = copy(from[i]);
        keepClass(v, out, ARRAY, copy);
        return out;
      }
      case PLAIN: {
        const out: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.assign(Object.create(null), v) : { ...(v as Record<string, unknown>) };
        seen.set(v, out);
        for (const key in out) {
          const x = out[key];
          if (x !== null && typeof x === "object") out[key] = copy(x);
        }
        return out;
      }
      case MAP: {
        const out = new Map<unknown, unknown>();
        seen.set(v, out);
        for (const [key, x] of v as Map<unknown, unknown>) out.set(typeof key === "object" && key !== null ? copy(key) : key, typeof x === "object" && x !== null ? copy(x) : x);
        keepClass(v, out, MAP, copy);
        return out;
      }
      case SET: {
        const out = new Set<unknown>();
        seen.set(v, out);
        for (const x of v as Set<unknown>) out.add(typeof x === "object" && x !== null ? copy(x) : x);
        keepClass(v, out, SET, copy);
        return out;
      }
      default: {
        const out = new Date((v as Date).getTime());
        seen.set(v, out);
        keepClass(v, out, DATE, copy);
        return out;
      }
    }
  };
  return copy(root);
}
