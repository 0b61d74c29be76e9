/**
 * A two-process fixture app ("twins"): processes alpha and beta run servers Alpha and Beta.
 * Version 1 answers { v: 1, n }; each server's version 2 can be written to migrate fine, to
 * throw in codeChange, or to take its time in codeChange.
 */
import { writeFiles } from "./harness.js";

export type V2Mode = "ok" | "throws" | "slow" | "mutates" | "bigint";

export interface TwinsOptions {
  version: string;
  alpha?: V2Mode;
  beta?: V2Mode;
  /** A third boot process, "gamma", whose async init never settles. */
  hangingBoot?: boolean;
  config?: Record<string, unknown>;
}

function server(name: string, mode: V2Mode | undefined): string {
  const vsn = mode ? "2" : "1";
  const codeChange =
    mode === "throws"
      ? `codeChange() { throw new Error("${name} migration failed"); },`
      : mode === "slow"
        ? `async codeChange(_old, state) { await new Promise((r) => setTimeout(r, 1500)); return { n: state.n * 10 }; },`
        : mode === "bigint"
          ? `codeChange(_old, state) { return { n: BigInt(state.n * 10) }; },`
        : mode === "mutates"
          ? `codeChange(_old, state) { state.n = state.n * 10; state.migrated = true; return state; },`
        : mode === "ok"
          ? `codeChange(oldVsn, state) { return typeof oldVsn === "string" ? { n: state.n * 10 } : { n: state.n / 10 }; },`
          : "";
  return `import { writeFileSync } from "node:fs";
import { defineServer } from "relx";
export default defineServer({
  name: "${name}",
  vsn: "${vsn}",
  init: (args) => ({ n: args.n }),
  async handleCall(msg, _from, state) {
    if (msg === "inc") return { reply: { v: ${vsn}, n: state.n + 1 }, state: { n: state.n + 1 } };
    if (msg && msg.block) {
      writeFileSync(msg.block, "in hand");
      await new Promise((r) => setTimeout(r, msg.ms));
    }
    return { reply: { v: ${vsn}, n: state.n }, state };
  },
  ${codeChange}
});
`;
}

export function writeTwins(root: string, options: TwinsOptions): void {
  const files: Record<string, string> = {
    "package.json": JSON.stringify({ name: "twins", version: options.version, type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [
  { name: "alpha", server: "Alpha", args: { n: 1 } },
  { name: "beta", server: "Beta", args: { n: 2 } },${options.hangingBoot ? `
  { name: "gamma", server: "Gamma", args: null },` : ""}
] });
`,
    "src/alpha.ts": server("Alpha", options.alpha),
    "src/beta.ts": server("Beta", options.beta),
  };
  if (options.hangingBoot) {
    files["src/gamma.ts"] = `import { defineServer } from "relx";
export default defineServer({ name: "Gamma", init: () => new Promise(() => {}) });
`;
  }
  if (options.config) files["relx.config.json"] = JSON.stringify(options.config);
  writeFiles(root, files);
}
