// The npm package a resolution is of: the bare specifier's name ("esbuild", "@scope/x" of
// "@scope/x/sub"), else the last node_modules package in the resolved path or URL; null for
// Node's builtins and files outside any node_modules.
import { isBuiltin } from "node:module";

export function packageOf(specifier, resolved) {
  if (isBuiltin(specifier)) return null;
  if (!/^(\.|\/|[a-z]+:)/i.test(specifier)) {
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  }
  const match = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(String(resolved));
  return match ? match[1] : null;
}
