// The ESM half of register.mjs: a resolve hook that records each resolution, then lets it be.
import { appendFileSync } from "node:fs";
import { packageOf } from "./package-of.mjs";

let out;

export function initialize(data) {
  out = data.out;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(out, `${process.pid} ${packageOf(specifier, resolved.url) ?? "-"} ${specifier}\n`);
  return resolved;
}
