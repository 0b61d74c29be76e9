/**
 * renderValue: a state as `relx state`, `status` and dry runs show it, never failing and never
 * dumping a handle's insides. Plain data (arrays, objects whose prototype is Object.prototype or
 * null, strings, finite numbers, booleans, null) is shown as it is; a Map or Set as an array of
 * its entries, a Date as its ISO string, a BigInt as its decimal string, a cycle as "[Circular]",
 * a pid as "<0.N.0>", an Error as its message, undefined and NaN as null, and any other object or
 * a function as "[Name]" (its class or function name), never its fields.
 */
import { types } from "node:util";
import { Pid } from "./pid.js";

export type Rendered = null | boolean | number | string | Rendered[] | { [key: string]: Rendered };

/**
 * How deep a rendering goes; what is nested deeper is shown as "[Too deep]". A rendering is sent as
 * one JSON line, and JSON.stringify (like this walk) recurses: a linked list of some thousands of
 * cells would fail the whole answer, where this shows its first thousand.
 */
export const RENDER_DEPTH = 1000;

export function renderValue(value: unknown): Rendered {
  return render(value, new Set());
}

function render(v: unknown, path: Set<object>): Rendered {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isFinite(v) ? v : null;
    case "bigint":
      return v.toString();
    case "undefined":
    case "symbol":
      return null;
    case "function":
      return `[${v.name || "Function"}]`;
  }
  if (v === null) return null;
  const obj = v as object;
  if (path.has(obj)) return "[Circular]";
  if (path.size >= RENDER_DEPTH) return "[Too deep]";
  // An object that cannot be read (a getter or a proxy trap that throws, a revoked proxy, a
  // Map-like class that only claims to be a Map) is shown by its name, never failing the rendering.
  try {
    return renderObject(obj, path);
  } catch {
    return `[${nameOf(obj)}]`;
  }
}

function renderObject(obj: object, path: Set<object>): Rendered {
  if (obj instanceof Pid) return obj.toString();
  // By internal type, not instanceof or toStringTag: another realm's Date is a Date, and a class
  // that names itself "Map" is not a Map.
  if (types.isDate(obj)) return Number.isNaN((obj as Date).getTime()) ? null : (obj as Date).toISOString();
  if (obj instanceof Error) return obj.message;
  path.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((x) => render(x, path));
    if (types.isMap(obj)) return [...(obj as Map<unknown, unknown>)].map(([k, x]) => [render(k, path), render(x, path)]);
    if (types.isSet(obj)) return [...(obj as Set<unknown>)].map((x) => render(x, path));
    if (!isPlainObject(obj)) return `[${nameOf(obj)}]`;
    const out: { [key: string]: Rendered } = {};
    for (const key of Object.keys(obj)) out[key] = render((obj as Record<string, unknown>)[key], path);
    return out;
  } finally {
    path.delete(obj);
  }
}

/** The class name "[Name]" shows: the prototype's constructor's, else "Object"; never throws. */
function nameOf(obj: object): string {
  try {
    const name: unknown = Object.getPrototypeOf(obj)?.constructor?.name;
    return typeof name === "string" && name !== "" ? name : "Object";
  } catch {
    return "Object";
  }
}

/** Object.prototype (of any realm: an eval's objects are made in another) or null. */
export function isPlainObject(obj: object): boolean {
  const proto = Object.getPrototypeOf(obj);
  if (proto === null || proto === Object.prototype) return true;
  return Object.getPrototypeOf(proto) === null && typeof proto.constructor === "function" && proto.constructor.name === "Object";
}
