// Preloaded with NODE_OPTIONS="--import <this file's URL>", so the CLI and the daemon it spawns
// (which inherits NODE_OPTIONS) both run it: every module resolution of the process, an ESM
// import (hooks.mjs, on Node's loader thread) or a CommonJS require / require.resolve (below), is
// appended to the file $RELX_TEST_MODULE_RECORD as one line "<pid> <package|-> <specifier>".
// The package is the bare specifier's, else the node_modules package the resolved file is in:
// package names, not paths inside dist/, so the record holds however relx is laid out or bundled.
import { appendFileSync } from "node:fs";
import Module, { register } from "node:module";
import { packageOf } from "./package-of.mjs";

const out = process.env.RELX_TEST_MODULE_RECORD;
if (out) {
  register(new URL("./hooks.mjs", import.meta.url), { data: { out } });
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    const file = resolveFilename.call(this, request, ...rest);
    appendFileSync(out, `${process.pid} ${packageOf(request, file) ?? "-"} ${request}\n`);
    return file;
  };
}
