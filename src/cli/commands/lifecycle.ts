/**
 * `relx permanent <vsn>` and `relx remove <vsn>`: the release lifecycle beyond build and upgrade,
 * as OTP's make_permanent and remove_release. permanent asks the running daemon (only the release
 * it runs can become permanent); remove works on the files and needs no daemon, but asks one that
 * runs which release it runs, and refuses that one.
 */
import { resolve } from "node:path";
import { request } from "../../client/request.js";
import { parseVsn } from "../../release/vsn.js";
import { nothingListens } from "../no-daemon.js";
import type { CommandOutput, CommonOptions } from "../output.js";
import { shownPath } from "../shown-path.js";
import { resolveSocketPath } from "../socket-path.js";

export async function permanent(options: CommonOptions, vsn: string): Promise<CommandOutput> {
  parseVsn(vsn, { what: "the version", retry: (v) => `relx permanent ${v}` });
  const result = await request(await resolveSocketPath(options), { op: "permanent", vsn });
  const text = (): string => {
    if (result.previous === vsn) return `relx: ${vsn} is already permanent`;
    const was = result.previous === null ? "" : ` (${result.previous}, permanent before, is now old)`;
    return `relx: ${vsn} is permanent: a restarted node boots it${was}`;
  };
  return { value: result, text };
}

export async function remove(options: CommonOptions, vsn: string): Promise<CommandOutput> {
  parseVsn(vsn, { what: "the version", retry: (v) => `relx remove ${v}` });
  const root = resolve(options.root);
  const [{ loadConfig }, { removeRelease }] = await Promise.all([
    import("../../release/config.js"),
    import("../../release/store/remove-release.js"),
  ]);
  const config = await loadConfig(root);
  const socket = await resolveSocketPath({ ...options, root });
  const result = await removeRelease({
    config,
    vsn,
    async runningNode() {
      try {
        const pong = await request(socket, { op: "ping" });
        return { pid: pong.pid, vsn: pong.vsn };
      } catch (err) {
        if (nothingListens(err)) return undefined;
        throw err;
      }
    },
  });
  return { value: result, text: () => `relx: removed ${vsn} (${result.removed.map(shownPath).join(", ")})` };
}
