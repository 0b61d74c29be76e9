/**
 * renderValue: a state as `relx state`, `status` and dry runs show it, never failing and never
 * dumping a handle's insides. Plain data (arrays, objects whose prototype is Object.prototype or
 * null, strings, finite numbers, booleans, null) is shown as it is; a Map or Set as an array of
 * its entries, a Date as its ISO string, a BigInt as its decimal string, a cycle as "[Circular]",
 * a pid as "<0.N.0>", an Error as its message, undefined and NaN as null, and any other object or
 * a function as "[Name]" (its class or function name), never its fields.
 */
import { Pid } from "./pid.js";

export type Rendered = null | boolean | number | string | Rendered[] | { [key: string]: Rendered };

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
  if (obj instanceof Pid) return obj.toString();
  if (obj instanceof Date || tagOf(obj) === "Date") return Number.isNaN((obj as Date).getTime()) ? null : (obj as Date).toISOString();
  if (obj instanceof Error) return obj.message;
  path.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((x) => render(x, path));
    if (obj instanceof Map || tagOf(obj) === "Map") return [...(obj as Map<unknown, unknown>)].map(([k, x]) => [render(k, path), render(x, path)]);
    if (obj instanceof Set || tagOf(obj) === "Set") return [...(obj as Set<unknown>)].map((x) => render(x, path));
    if (!isPlainObject(obj)) return `[${Object.getPrototypeOf(obj)?.constructor?.name || "Object"}]`;
    const out: { [key: string]: Rendered } = {};
    for (const key of Object.keys(obj)) out[key] = render((obj as Record<string, unknown>)[key], path);
    return out;
  } finally {
    path.delete(obj);
  }
}

/** Object.prototype (of any realm: an eval's objects are made in another) or null. */
export function isPlainObject(obj: object): boolean {
  const proto = Object.getPrototypeOf(obj);
  if (proto === null || proto === Object.prototype) return true;
  return Object.getPrototypeOf(proto) === null && typeof proto.constructor === "function" && proto.constructor.name === "Object";
}

function tagOf(obj: object): string {
  return Object.prototype.toString.call(obj).slice(8, -1);
}
