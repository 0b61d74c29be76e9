// `relx logs` on log files written here, with no daemon: -n counts entries (a multi-line one is
// one) across daemon.log and its rotated copies, --json is one object per entry, a long file is
// read from its end, and bad values are refused.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { relx } from "../support/relx.js";

let roots: string[] = [];
afterEach(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
  roots = [];
});

function rootWithLogs(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "rx-logs-"));
  roots.push(root);
  mkdirSync(join(root, ".relx", "log"), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, ".relx", "log", name), text);
  return root;
}

const at = (s: number): string => `2025-06-01T09:00:${String(s).padStart(2, "0")}.000Z`;

async function logs(root: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return relx(root, ["logs", ...args]);
}

function ndjson(stdout: string): unknown[] {
  return stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

describe("relx logs", () => {
  it("counts entries across daemon.log and its rotated copies, oldest first", async () => {
    const root = rootWithLogs({
      // Lines before any entry (written behind relx's back) form an entry with no time.
      "daemon.log.2": `FATAL ERROR: something native\n${at(1)} one\n`,
      "daemon.log.1": `${at(2)} [web <0.1.0>] two\n${at(3)} crash: Web "web" in handleCall: boom\n    Error: boom\n        at x (lib/web.cjs:1:1)\n`,
      "daemon.log": `${at(4)} [<0.7.0>] four\n${at(5)} five\n`,
    });
    const all = await logs(root, "--json");
    expect(all.code, all.stderr).toBe(0);
    expect(ndjson(all.stdout)).toEqual([
      { at: null, message: "FATAL ERROR: something native" },
      { at: at(1), message: "one" },
      { at: at(2), process: "web <0.1.0>", message: "two" },
      { at: at(3), message: 'crash: Web "web" in handleCall: boom\nError: boom\n    at x (lib/web.cjs:1:1)' },
      { at: at(4), process: "<0.7.0>", message: "four" },
      { at: at(5), message: "five" },
    ]);
    // -n 3: the multi-line crash is one entry; they come from two files.
    expect(ndjson((await logs(root, "-n", "3", "--json")).stdout).map((e: any) => e.at)).toEqual([at(3), at(4), at(5)]);
    // Without --json, the entries as they are in the file.
    const text = await logs(root, "-n", "3");
    expect(text.stdout).toBe(`${at(3)} crash: Web "web" in handleCall: boom\n    Error: boom\n        at x (lib/web.cjs:1:1)\n${at(4)} [<0.7.0>] four\n${at(5)} five\n`);
    expect((await logs(root, "-n", "0", "--json")).stdout).toBe("");
  });

  it("reads a long file from its end, an entry longer than the read chunk included", async () => {
    const many = Array.from({ length: 5000 }, (_, i) => `${at(i % 60)} entry ${i}\n`).join("");
    const long = `${at(59)} a long one\n` + Array.from({ length: 3000 }, (_, i) => `    line ${i} ${"x".repeat(40)}\n`).join("");
    const root = rootWithLogs({ "daemon.log": many + long + `${at(59)} last\n` });
    const out = ndjson((await logs(root, "-n", "3", "--json")).stdout) as { message: string }[];
    expect(out.map((e) => e.message.split("\n")[0])).toEqual(["entry 4999", "a long one", "last"]);
    expect(out[1]!.message.split("\n")).toHaveLength(3001);
    // The default is 50.
    expect(ndjson((await logs(root, "--json")).stdout)).toHaveLength(50);
  });

  it("prints nothing for -n 0 when there is a log (it does not say there is none)", async () => {
    const root = rootWithLogs({ "daemon.log": `${at(1)} one\n` });
    expect(await logs(root, "-n", "0")).toMatchObject({ code: 0, stdout: "" });
    expect(await logs(root, "-n", "1")).toMatchObject({ code: 0, stdout: `${at(1)} one\n` });
  });

  it("says there is no log yet, and refuses a bad -n", async () => {
    const root = mkdtempSync(join(tmpdir(), "rx-logs-"));
    roots.push(root);
    const none = await logs(root);
    expect(none).toMatchObject({ code: 0, stdout: expect.stringMatching(/no log yet at .*daemon\.log; `relx start` writes it/) });
    expect((await logs(root, "--json")).stdout).toBe("");
    const bad = await logs(root, "-n", "ten", "--json");
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, error: { code: "RELX_BAD_ARGUMENT", message: expect.stringContaining('"ten"') } });
  });
});
