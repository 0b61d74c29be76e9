/**
 * loadModule: evaluates one compiled CommonJS release module outside Node's module system.
 *
 * Why not import() or require(): Node keeps every ESM URL it ever imported, and require() keeps a
 * cache entry and a link from the parent module. A daemon that upgrades for months must be able to
 * drop a release's code. A function made by vm.compileFunction is held only by whoever keeps its
 * exports, so once no process runs a release's code, that code is garbage-collected.
 *
 * Release modules are self-contained bundles (see build.ts): the only things they may require are
 * the host's modules (the daemon passes { relx }) and Node builtins.
 */
import { readFileSync } from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import { dirname } from "node:path";
import vm from "node:vm";
import { RelxError } from "../errors.js";

type ModuleFunction = (
  exports: unknown,
  require: (id: string) => unknown,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

const PARAMS = ["exports", "require", "module", "__filename", "__dirname"];

/**
 * Evaluates `file` and returns its module.exports. Throws RELX_BAD_RELEASE when the file cannot be
 * read or parsed, requires a module that is neither a host module nor a builtin, or throws while
 * it is evaluated (the original error is the cause).
 */
export function loadModule(file: string, host: Record<string, unknown>): unknown {
  const fn = compile(file);
  const module = { exports: {} as unknown };
  try {
    fn.call(module.exports, module.exports, makeRequire(file, host), module, file, dirname(file));
  } catch (err) {
    if (err instanceof RelxError) throw err;
    throw new RelxError("RELX_BAD_RELEASE", `${file} threw while loading: ${(err as Error)?.message ?? err}`, {
      cause: err,
    });
  }
  return module.exports;
}

/** The default export of a loaded module: module.exports.default, else module.exports itself. */
export function defaultExport(mod: unknown): unknown {
  if (mod !== null && typeof mod === "object" && "default" in mod) {
    const value = (mod as { default: unknown }).default;
    if (value !== undefined && value !== null) return value;
  }
  return mod;
}

function compile(file: string): ModuleFunction {
  let code: string;
  try {
    code = readFileSync(file, "utf8");
  } catch (err) {
    throw new RelxError("RELX_BAD_RELEASE", `cannot read release module ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    return vm.compileFunction(code, PARAMS, { filename: file }) as ModuleFunction;
  } catch (err) {
    throw new RelxError("RELX_BAD_RELEASE", `${file} does not compile: ${(err as Error).message}`, { cause: err });
  }
}

function makeRequire(file: string, host: Record<string, unknown>): (id: string) => unknown {
  let nodeRequire: NodeRequire | undefined;
  return (id: string) => {
    if (Object.prototype.hasOwnProperty.call(host, id)) return host[id];
    if (isBuiltin(id)) {
      nodeRequire ??= createRequire(file);
      return nodeRequire(id);
    }
    throw new RelxError("RELX_BAD_RELEASE", `${file} requires "${id}", which is not part of the release`, {
      hint: "release modules may require only relx and Node builtins; rebuild with relx build",
    });
  };
}
