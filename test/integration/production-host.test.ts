// A production host needs Node and relx only: every command but `relx build` runs without loading
// esbuild or TypeScript. Each CLI process and the daemon it spawns record every module they
// resolve (test/support/module-record, preloaded through NODE_OPTIONS, which the daemon inherits);
// `relx build --typecheck` under the same recorder shows that it sees both packages.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyV2, copyExample } from "../fixtures/bank.js";
import { REPO } from "../support/paths.js";
import { relx, relxJson } from "../support/relx.js";
import { cleanupAllRoots, tempRoot } from "../support/temp-root.js";

const REGISTER = pathToFileURL(join(REPO, "test", "support", "module-record", "register.mjs")).href;
const BUILD_TOOLS = /^(esbuild|@esbuild\/.*|typescript)$/;

let records: string;
let built: string;

beforeAll(() => {
  records = tempRoot({ scope: "file" });
  built = tempRoot({ scope: "file" });
  copyExample(built);
});
afterAll(cleanupAllRoots);

interface Resolution {
  pid: number;
  pkg: string | null;
  specifier: string;
}

/** Runs `relx <args>` with every resolution recorded into `record` (a file under `records`). */
async function recorded(record: string, root: string, args: string[]) {
  const env = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${REGISTER}`.trim(), RELX_TEST_MODULE_RECORD: join(records, record) };
  const r = await relx(root, args, { env });
  expect(r.code, `relx ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r;
}

function resolutions(record: string): Resolution[] {
  return readFileSync(join(records, record), "utf8").trimEnd().split("\n").map((line) => {
    const [pid, pkg, ...specifier] = line.split(" ");
    return { pid: Number(pid), pkg: pkg === "-" ? null : pkg!, specifier: specifier.join(" ") };
  });
}

describe("a production host", () => {
  it("is seen to load esbuild and TypeScript in relx build --typecheck (the recorder works)", async () => {
    writeFileSync(join(records, "build"), "");
    await recorded("build", built, ["build", "--typecheck", "--tar"]);
    const pkgs = new Set(resolutions("build").map((r) => r.pkg));
    expect(pkgs).toContain("esbuild");
    expect(pkgs).toContain("typescript");
    applyV2(built);
    expect((await relx(built, ["build", "--vsn", "2.0.0", "--tar"])).code).toBe(0);
  });

  it("runs unpack, start, call, status, eval, upgrade, downgrade, check-upgrade and stop without either", async () => {
    const root = tempRoot({ scope: "file" });
    copyExample(root);
    writeFileSync(join(records, "run"), "");
    const run = (args: string[]) => recorded("run", root, args);
    await run(["unpack", join(built, "releases", "bank-1.0.0.tar.gz")]);
    await run(["start"]);
    await run(["unpack", join(built, "releases", "bank-2.0.0.tar.gz")]);
    await run(["releases"]);
    await run(["call", "blackode", '{"add":1}']);
    await run(["state", "blackode"]);
    await run(["eval", "(await status()).vsn"]);
    await run(["config"]);
    await run(["upgrade", "2.0.0", "--dry-run"]);
    await run(["upgrade", "2.0.0"]);
    await run(["downgrade", "1.0.0"]);
    await run(["check-upgrade", "1.0.0", "2.0.0"]);
    const status = await relxJson(root, ["status"]);
    expect(status.json.vsn).toBe("1.0.0");
    await run(["logs", "-n", "5"]);
    await run(["service"]);
    await run(["stop"]);

    const seen = resolutions("run");
    // The daemon's own resolutions are in the record, not just the CLI's.
    expect(seen.filter((r) => r.pid === status.json.daemon.pid).map((r) => r.pkg)).toContain("semver");
    expect(seen.filter((r) => r.pkg !== null && BUILD_TOOLS.test(r.pkg))).toEqual([]);
    expect(seen.filter((r) => /esbuild|typescript/.test(r.specifier))).toEqual([]);
  });
});
