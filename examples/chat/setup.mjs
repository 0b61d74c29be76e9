// Puts the chat example into a root of its own, for the demo, the test and the benchmark.
import { cpSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const CHAT = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(CHAT, "..", "..");

/**
 * Copies v1 (package.json and src/) into `root`. The app imports ws, which `npm install` at the
 * repository root installed: the root borrows those node_modules (an app of your own has its
 * own), and relx build bundles ws into the release from there.
 */
export function copyChat(root) {
  cpSync(join(CHAT, "package.json"), join(root, "package.json"));
  cpSync(join(CHAT, "src"), join(root, "src"), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(root, "node_modules"));
}

/** Puts v2's sources over v1's in `root`. */
export function applyChatV2(root) {
  cpSync(join(CHAT, "v2", "src"), join(root, "src"), { recursive: true });
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((done, fail) => {
    const s = createServer().once("error", fail).listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
}
