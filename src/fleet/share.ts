/**
 * Connection sharing (OpenSSH ControlMaster) for one fleet command. Hosts reached with the same
 * ssh argv (destination and options: several roots on one machine) form a group; when a group
 * would open more than one ssh connection in this run (two or more hosts, or a `--health`
 * command, which is one more ssh per host), its hosts get
 *
 *   -o ControlMaster=auto -o ControlPath=<private dir>/<group> -o ControlPersist=5
 *
 * and the group's first host is connected before the others, so its ssh becomes the master and
 * the other sessions and the health checks become channels of that one authenticated connection.
 * Nothing is added when the user already chose: when their sshArgs name ControlMaster,
 * ControlPath or ControlPersist (`-o ControlMaster=no` turns sharing off), or use -M or -S; when
 * `ssh -G` with the host's options (so their ssh config too) shows a ControlMaster or a
 * ControlPath; or when `ssh -G` fails (the real connection then reports why).
 *
 * Each session stays its own channel with its own standard input, so a coordinator that dies still
 * ends every bridge (the master sees the closed pipes), and a prepared host still rolls back at
 * once. The master outlives the last channel by ControlPersist (5 s) at most; `close` stops it with
 * `ssh -O exit` and removes the private directory, on success and failure alike.
 *
 *   group      → next
 *   planned    leader connecting (others wait) → leader settled (others connect in parallel)
 *   any        close: `ssh -O exit` per shared group, directory removed
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Fleet, FleetHost } from "./fleet-file.js";

/** How long a master outlives its last channel: enough for nothing within a run, short after a crash. */
export const CONTROL_PERSIST_S = 5;

/** ssh binds `<ControlPath>.<16 random chars>` first; a Unix socket path holds 107 bytes. */
const MAX_CONTROL_PATH = 107 - 17;

export interface Sharing {
  /** The fleet with the control options added to the hosts of each shared group. */
  fleet: Fleet;
  /** Resolves when `host` may connect: at once for a group's first host and for unshared hosts. */
  turn(host: FleetHost): Promise<void>;
  /** Marks `host`'s connection attempt as settled (its group's others may go). */
  settled(host: FleetHost): void;
  /** The shared groups, as the host names in each (for reports and tests). */
  groups: string[][];
  /** Stops every master and removes the control directory. Never throws. */
  close(): Promise<void>;
}

export async function shareConnections(fleet: Fleet, options: { extraSessions: boolean }): Promise<Sharing> {
  const byKey = new Map<string, FleetHost[]>();
  for (const host of fleet.hosts) {
    if (host.ssh === undefined) continue;
    const key = JSON.stringify([...host.sshArgs, ...fleet.sshArgs, host.ssh]);
    byKey.set(key, [...(byKey.get(key) ?? []), host]);
  }
  const wanted = [...byKey.values()].filter((g) => g.length > 1 || options.extraSessions);
  const chosen = await Promise.all(wanted.map((g) => userChoseSharing(fleet, g[0]!)));
  const groups = wanted.filter((_, i) => !chosen[i]);
  if (groups.length === 0) return unshared(fleet);
  const dir = controlDir(groups.length - 1);
  if (dir === undefined) return unshared(fleet);
  const onExit = (): void => rmSync(dir, { recursive: true, force: true });
  process.once("exit", onExit);

  const controlOf = new Map<string, { path: string; leader: FleetHost; ready: Promise<void>; go(): void }>();
  for (const [i, group] of groups.entries()) {
    let go!: () => void;
    const ready = new Promise<void>((r) => void (go = r));
    for (const h of group) controlOf.set(h.name, { path: join(dir, String(i)), leader: group[0]!, ready, go });
  }
  const controlArgs = (path: string): string[] => ["-o", "ControlMaster=auto", "-o", `ControlPath=${path}`, "-o", `ControlPersist=${CONTROL_PERSIST_S}`];
  const shared: Fleet = {
    ...fleet,
    hosts: fleet.hosts.map((h) => {
      const c = controlOf.get(h.name);
      return c ? { ...h, sshArgs: [...controlArgs(c.path), ...h.sshArgs] } : h;
    }),
  };
  return {
    fleet: shared,
    groups: groups.map((g) => g.map((h) => h.name)),
    turn(host) {
      const c = controlOf.get(host.name);
      return !c || c.leader.name === host.name ? Promise.resolve() : c.ready;
    },
    settled(host) {
      const c = controlOf.get(host.name);
      if (c && c.leader.name === host.name) c.go();
    },
    async close() {
      await Promise.all(groups.map((g, i) => {
        const host = shared.hosts.find((h) => h.name === g[0]!.name)!;
        return run("ssh", [...host.sshArgs, ...fleet.sshArgs, "-O", "exit", "--", host.ssh!]).catch(() => undefined);
      }));
      process.removeListener("exit", onExit);
      onExit();
    },
  };
}

function unshared(fleet: Fleet): Sharing {
  return { fleet, groups: [], turn: () => Promise.resolve(), settled: () => undefined, close: () => Promise.resolve() };
}

/** A private (0700) directory for the control sockets, short enough for them; undefined if none is. */
function controlDir(lastGroup: number): string | undefined {
  for (const base of [tmpdir(), "/tmp"]) {
    const probe = join(base, "relx-ssh-XXXXXX", String(lastGroup));
    if (probe.length > MAX_CONTROL_PATH) continue;
    try {
      return mkdtempSync(join(base, "relx-ssh-"));
    } catch {
      continue;
    }
  }
  return undefined;
}

/** True when the user's options or ssh config already set up sharing (or ssh -G cannot tell). */
async function userChoseSharing(fleet: Fleet, host: FleetHost): Promise<boolean> {
  const args = [...host.sshArgs, ...fleet.sshArgs];
  if (args.some((a) => /control(master|path|persist)/i.test(a) || a === "-M" || a.startsWith("-S"))) return true;
  try {
    const config = await run("ssh", ["-G", ...host.sshArgs, ...fleet.sshArgs, "--", host.ssh!]);
    const value = (key: string): string | undefined => config.split("\n").find((l) => l.startsWith(`${key} `))?.slice(key.length + 1).trim();
    const master = value("controlmaster");
    const path = value("controlpath");
    return (master !== undefined && master !== "false") || (path !== undefined && path !== "none");
  } catch {
    return true;
  }
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}
