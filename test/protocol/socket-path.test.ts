// The too-long socket path's hint (issue 9, finding 3) points to a private directory, never to a
// socket directly in /tmp, where another user could take the name first.
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkSocketPath } from "../../src/protocol/socket-path.js";

afterEach(() => vi.unstubAllEnvs());

function hintFor(path: string): string {
  try {
    checkSocketPath(path, "/");
  } catch (err) {
    return (err as { hint: string }).hint;
  }
  throw new Error(`${path} was accepted`);
}

describe("the too-long socket path's hint", () => {
  const long = `/srv/${"d".repeat(120)}/relx.sock`;

  it("suggests a socket under $XDG_RUNTIME_DIR when there is one", () => {
    vi.stubEnv("XDG_RUNTIME_DIR", "/run/user/1000");
    expect(hintFor(long)).toBe('set "socket" in relx.config.json, or pass --socket, to a shorter path in a private directory, such as /run/user/1000/relx/<app>.sock');
  });

  it("otherwise suggests a directory of this user's own under /tmp, not a socket directly in it", () => {
    vi.stubEnv("XDG_RUNTIME_DIR", undefined);
    const hint = hintFor(long);
    expect(hint).toContain(`/tmp/relx-${process.geteuid!()}/<app>.sock`);
    expect(hint).not.toMatch(/\/tmp\/[^/\s]+\.sock/);
  });
});
