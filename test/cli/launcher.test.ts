// bin/relx run as a program holds NODE_EXTRA_CA_CERTS back from the CLI's own Node process (Node
// 20 reads the file as it starts) and hands it on, as given, to every process relx starts.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { builtExample } from "../fixtures/bank.js";
import { BIN } from "../support/paths.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";

afterEach(cleanupRoots);

/** What Node writes to stderr as it starts when NODE_EXTRA_CA_CERTS names a file it cannot load. */
const NODE_READ_IT = /Ignoring extra certs from `([^`]*)`/;

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const full = { ...process.env, RELX_SOCKET: undefined, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, ...env };
  return new Promise((done) => {
    execFile(file, args, { env: full }, (err, stdout, stderr) => done({ code: err === null ? 0 : typeof err.code === "number" ? err.code : null, stdout, stderr }));
  });
}

describe("bin/relx and NODE_EXTRA_CA_CERTS", () => {
  it("the CLI's own Node does not read the file; the daemon it starts gets the variable as it was given", async () => {
    const root = tempRoot();
    await builtExample(root);
    // A file that cannot be loaded: each Node that reads it says so on stderr, and starts anyway.
    const certs = join(root, "no such dir", "extra.pem");
    const env = { NODE_EXTRA_CA_CERTS: certs };

    // Control: Node started on bin/relx directly reads it (the shell line does not run then).
    const byNode = await run(process.execPath, [BIN, "status", "--root", root], env);
    expect(byNode.stderr).toMatch(NODE_READ_IT);

    const start = await run(BIN, ["start", "--root", root], env);
    try {
      expect(start.code, start.stderr).toBe(0);
      expect(start.stderr).not.toMatch(NODE_READ_IT);
      const status = await run(BIN, ["status", "--root", root, "--json"], env);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stderr).not.toMatch(NODE_READ_IT);
      // The daemon's Node read it: the variable reached it, with its value unchanged.
      const log = readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8");
      expect(NODE_READ_IT.exec(log)?.[1]).toBe(certs);
    } finally {
      expect((await run(BIN, ["stop", "--root", root], env)).code).toBe(0);
    }
  });

  it("a stray RELX_HELD_CA_CERTS in the environment is not taken for NODE_EXTRA_CA_CERTS", async () => {
    const root = tempRoot();
    await builtExample(root);
    const start = await run(BIN, ["start", "--root", root], { RELX_HELD_CA_CERTS: join(root, "stray.pem"), NODE_EXTRA_CA_CERTS: undefined });
    try {
      expect(start.code, start.stderr).toBe(0);
      expect(readFileSync(join(root, ".relx", "log", "daemon.log"), "utf8")).not.toMatch(NODE_READ_IT);
    } finally {
      await run(BIN, ["stop", "--root", root], {});
    }
  });
});
