/**
 * Where in a state a TypeError met its null: run a failed codeChange again on a tracked copy of
 * the state (a Proxy that remembers the last property read and its path, e.g. `state.accounts[3]
 * .money`) and name that path. Only when it is honest to: the error is a TypeError whose message
 * mentions null (or undefined), the last read of the state before it gave exactly that value, and
 * the second run fails with the same message. Anything else reports no path.
 */

export interface LastRead {
  path: string;
  value: unknown;
}

export interface Tracked {
  /** The tracked stand-in for the state, to pass to the callback. */
  value: unknown;
  last(): LastRead | undefined;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const INDEX = /^(0|[1-9]\d*)$/;

export function track(root: unknown): Tracked {
  let last: LastRead | undefined;
  const proxies = new WeakMap<object, unknown>();
  const wrap = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== "object") return value;
    const known = proxies.get(value);
    if (known !== undefined) return known;
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        const child: unknown = Reflect.get(target, key, receiver);
        if (typeof key !== "string") return child;
        const childPath = path + segment(target, key);
        last = { path: childPath, value: child };
        return wrap(child, childPath);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  return { value: wrap(root, "state"), last: () => last };
}

function segment(target: object, key: string): string {
  if (Array.isArray(target) && INDEX.test(key)) return `[${key}]`;
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Worth a second run: a TypeError that mentions null or undefined. */
export function isNullError(err: unknown): err is TypeError {
  return err instanceof TypeError && /\b(null|undefined)\b/.test(err.message);
}

/** " (at state.money, which is null)" when the second run's error and last read bear it out, else "". */
export function nullPath(original: TypeError, again: unknown, last: LastRead | undefined): string {
  if (!(again instanceof TypeError) || again.message !== original.message || last === undefined) return "";
  if (last.value !== null && last.value !== undefined) return "";
  const word = last.value === null ? "null" : "undefined";
  if (!new RegExp(`\\b${word}\\b`).test(original.message)) return "";
  return ` (at ${last.path}, which is ${word})`;
}
