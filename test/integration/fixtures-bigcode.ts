/**
 * The "big" fixture app, for old code that must be freed: process `big`, server Big, whose module
 * holds a table of `lines` closures (~100 bytes of source each: 30,000 make a ~3 MB bundle and
 * ~8 MB of heap once loaded). Every release's table is different (its strings carry the release
 * number), so each upgrade loads new code. Release r declares vsn r + 1. "inc" counts and calls
 * one table entry; codeChange keeps n and appends the old vsn to `seen`.
 */
import { createHash } from "node:crypto";
import { writeFiles } from "./harness.js";

export function writeBigApp(root: string, release: number, lines = 30_000): void {
  const table: string[] = [];
  for (let i = 0; i < lines; i++) {
    const h = createHash("sha256").update(`${release}:${i}`).digest("hex");
    table.push(`  (n: number) => n + "${release}-${i}-${h}".length,`);
  }
  writeFiles(root, {
    "package.json": JSON.stringify({ name: "big", version: "1.0.0", type: "module" }),
    "src/app.ts": `import { defineApp } from "relx";
export default defineApp({ processes: [{ name: "big", server: "Big", args: null }] });
`,
    "src/big.ts": `import { defineServer } from "relx";
const TABLE = [
${table.join("\n")}
];
export default defineServer({
  name: "Big",
  vsn: "${release + 1}",
  init: () => ({ n: 0, seen: [] as string[] }),
  handleCall(msg: unknown, _from, state: any) {
    if (msg !== "inc") return { reply: state, state };
    const n = state.n + 1;
    return { reply: { n, vsn: ${release + 1}, probe: TABLE[n % TABLE.length](0) }, state: { ...state, n } };
  },
  codeChange(oldVsn: string | { down: string }, state: any) {
    return { n: state.n, seen: [...state.seen, typeof oldVsn === "string" ? oldVsn : "down " + oldVsn.down] };
  },
});
`,
  });
}

/** What the probe of release `release` answers for count n: n + the length of its table string. */
export function probeOf(release: number, n: number, lines = 30_000): number {
  const i = n % lines;
  return `${release}-${i}-`.length + 64;
}
