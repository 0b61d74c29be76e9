// Config keys are looked up as own keys only, and timeouts Node cannot honour are refused
// (issue 9, findings 7 and 10): a timer past 2^31 - 1 ms fires after 1 ms.
import { afterEach, describe, expect, it } from "vitest";
import { MAX_TIMEOUT_MS, loadConfig } from "../../src/release/config.js";
import { cleanupRoots, tempRoot } from "../support/temp-root.js";
import { writeFiles } from "../support/write-files.mjs";

afterEach(cleanupRoots);

async function appWith(files: Record<string, string>): Promise<string> {
  const root = tempRoot();
  writeFiles(root, { "package.json": JSON.stringify({ name: "bank", version: "1.2.3" }), ...files });
  return root;
}

describe("loadConfig", () => {
  it.each(["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"])("refuses the prototype-named key %s as unknown", async (key) => {
    const text = `{ ${JSON.stringify(key)}: {} }`;
    const fromFile = await appWith({ "relx.config.json": text });
    await expect(loadConfig(fromFile)).rejects.toMatchObject({
      code: "RELX_BAD_CONFIG",
      message: expect.stringContaining(`relx.config.json: unknown key "${key}"`),
      hint: expect.stringContaining("known keys: name, srcDir"),
    });
    const fromPkg = await appWith({ "package.json": `{ "name": "bank", "relx": ${text} }` });
    await expect(loadConfig(fromPkg)).rejects.toMatchObject({ code: "RELX_BAD_CONFIG", message: expect.stringContaining(`unknown key "relx.${key}"`) });
  });

  it.each(["suspendTimeoutMs", "codeChangeTimeoutMs", "callTimeoutMs", "hookTimeoutMs"])("refuses %s above 2^31 - 1 ms, and takes 2^31 - 1", async (key) => {
    const over = await appWith({ "relx.config.json": JSON.stringify({ [key]: 3e9 }) });
    await expect(loadConfig(over)).rejects.toMatchObject({
      code: "RELX_BAD_CONFIG",
      message: expect.stringMatching(new RegExp(`"${key}" is 3000000000 ms, more than the 2147483647 ms \\(about 24.8 days\\) a Node timer can wait`)),
      hint: expect.stringContaining(`at most ${MAX_TIMEOUT_MS}`),
    });
    const edge = await appWith({ "relx.config.json": JSON.stringify({ [key]: MAX_TIMEOUT_MS }) });
    expect((await loadConfig(edge))[key as "callTimeoutMs"]).toBe(2147483647);
  });
});
