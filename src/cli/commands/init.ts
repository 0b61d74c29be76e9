/** `relx init [dir]`: a new TypeScript app that builds and starts as written (no npm install needed). */
import { relative, resolve } from "node:path";
import { relxVersion } from "../../release/relx-version.js";
import type { CommandOutput, CommonOptions } from "../output.js";

export async function init(options: CommonOptions, dir?: string): Promise<CommandOutput> {
  const { writeScaffold } = await import("../../scaffold/write-scaffold.js");
  const target = resolve(dir ?? options.root);
  const result = await writeScaffold(target, relxVersion());
  const where = relative(process.cwd(), target);
  const text = (): string => [
    `relx: created ${result.name} in ${where === "" ? "." : where}`,
    "next:",
    ...(where === "" ? [] : [`  cd ${where.includes(" ") ? JSON.stringify(where) : where}`]),
    "  relx build                             # releases/1.0.0/",
    "  relx start                             # the node, in the background",
    `  relx call greeter '{"greet":"world"}'  # "Hello, world! (#1)"`,
    "  relx logs                              # what it printed",
    "then edit src/greeter.ts (bump vsn, migrate in codeChange) and package.json's version, and",
    "  relx build && relx upgrade <version>",
    "(npm install adds relx and TypeScript for your editor; build and start do not need it)",
  ].join("\n");
  return { value: result, text };
}
