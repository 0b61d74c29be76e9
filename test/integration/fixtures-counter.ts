/**
 * The "counter" fixture app: one process, `counter`, whose server counts calls. `"inc"` answers
 * { n, v } with the count after it and the server's vsn; `"get"` answers the same without
 * counting. The state's shape alternates with the vsn ({ n } for odd, { count } for even), so a
 * codeChange that lost or mangled the count would show in the very next reply.
 */
import { writeFiles } from "./harness.js";

/** Writes the counter app at `version` (the package's) with server vsn `vsn` (1, 2, 3, …). */
export function writeCounter(root: string, version: string, vsn: number): void {
  const key = vsn % 2 === 1 ? "n" : "count";
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "counter", version, type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [{ name: "counter", server: "Counter", args: null }] });
`,
    "src/counter.ts": `import { defineServer } from "relx";
const shape = (vsn: number, n: number) => (vsn % 2 === 1 ? { n } : { count: n });
const countOf = (state: any): number => ("n" in state ? state.n : state.count);
export default defineServer({
  name: "Counter",
  vsn: "${vsn}",
  init: () => ({ ${key}: 0 }),
  handleCall(msg: unknown, _from, state: any) {
    const n = state.${key} + (msg === "inc" ? 1 : 0);
    return { reply: { n, v: ${vsn} }, state: { ${key}: n } };
  },
  // Upgrade: from the old vsn's shape to ours. Downgrade ({ down }): from ours to the older one's.
  codeChange(oldVsn: string | { down: string }, state: any) {
    const target = typeof oldVsn === "string" ? ${vsn} : Number(oldVsn.down);
    return shape(target, countOf(state));
  },
});
`,
  });
}
