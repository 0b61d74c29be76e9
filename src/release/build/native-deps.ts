/**
 * Native addons cannot be inlined into a release bundle. Two ways to meet one: a direct import of
 * a .node file (caught while resolving), or a package that loads its binary at run time through
 * `bindings` / `node-gyp-build` (caught from the package's binding.gyp or "gypfile": true).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Plugin } from "esbuild";
import { RelxError } from "../../errors.js";
import { pathExists } from "../fs-util.js";
import { relPosix } from "./sources.js";

const PACKAGE = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/g;

/** The innermost package a path (relative to the app root) lies in, as "node_modules/<name>", or null. */
function packageDir(path: string): string | null {
  const matches = [...path.matchAll(PACKAGE)];
  const last = matches.at(-1);
  return last ? path.slice(0, last.index! + last[0].length).replace(/^\//, "") : null;
}

/** An esbuild plugin refusing an import of a .node file, naming the package that imports it. */
export function refuseNativeImports(root: string): Plugin {
  return {
    name: "relx-refuse-native-addons",
    setup(build) {
      build.onResolve({ filter: /\.node$/ }, (args) => {
        const importer = relPosix(root, args.importer);
        const pkg = packageDir(importer)?.replace(/^.*node_modules\//, "") ?? importer;
        return { errors: [{ text: `native addon "${args.path}" of ${pkg} cannot be bundled into a release` }] };
      });
    },
  };
}

/** Throws RELX_BUILD_FAILED when one of `inputs` (relative to root) belongs to a native package. */
export async function refuseNativePackages(root: string, inputs: string[]): Promise<void> {
  const dirs = [...new Set(inputs.map(packageDir).filter((d): d is string => d !== null))];
  const native = await Promise.all(dirs.map((dir) => isNative(join(root, dir))));
  const found = dirs.filter((_, i) => native[i]);
  if (found.length === 0) return;
  const names = found.map((d) => d.replace(/^.*node_modules\//, "")).join(", ");
  throw new RelxError("RELX_BUILD_FAILED", `cannot bundle native addon package ${names}: a release holds JavaScript only`, {
    hint: "use a pure-JavaScript alternative, or keep the native part out of the release's servers",
  });
}

async function isNative(dir: string): Promise<boolean> {
  if (await pathExists(join(dir, "binding.gyp"))) return true;
  try {
    return JSON.parse(await readFile(join(dir, "package.json"), "utf8")).gypfile === true;
  } catch {
    return false;
  }
}
