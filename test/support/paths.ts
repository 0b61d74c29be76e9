/** Where things are in this checkout. */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
/** The real CLI. It runs dist/, which global-setup.ts builds before the tests run. */
export const BIN = join(REPO, "bin", "relx");
/** The seed's bank example: v1 in src/, v2 in v2/src/. */
export const EXAMPLE = join(REPO, "examples", "bank");
