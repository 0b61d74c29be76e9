/**
 * Opening the fleet: every host connected in parallel and asked its status, before anything is
 * touched. A host that cannot be reached, has no daemon, or runs another app than the others is
 * reported with its own error. Hosts that share an ssh connection (share.ts) wait for their
 * group's first host to connect, then go in parallel; `close` ends every session, then the
 * shared connections.
 */
import { RelxError, toRelxError, type WireError } from "../errors.js";
import type { StatusResult } from "../protocol/results.js";
import { connectHost, type HostLink } from "./connect.js";
import type { Fleet, FleetHost } from "./fleet-file.js";
import { shareConnections } from "./share.js";

export interface OpenHost {
  host: FleetHost;
  link?: HostLink;
  status?: StatusResult;
  error?: WireError;
}

export interface OpenFleet {
  /** The fleet as this run reaches it (with connection sharing's ssh options): for `--health` too. */
  fleet: Fleet;
  hosts: OpenHost[];
  /** Ends every session, then the shared ssh connections. Never throws. */
  close(): Promise<void>;
}

/**
 * Connects to every host; with `status`, asks each its status and checks they run one app.
 * `extraSessions`: the run opens more ssh sessions per host later (a `--health` command).
 * The caller must `close` it, on failure too.
 */
export async function openFleet(fleet: Fleet, options: { status: boolean; extraSessions?: boolean }): Promise<OpenFleet> {
  const sharing = await shareConnections(fleet, { extraSessions: options.extraSessions === true });
  const open = await Promise.all(sharing.fleet.hosts.map(async (host): Promise<OpenHost> => {
    let link: HostLink | undefined;
    try {
      await sharing.turn(host);
      try {
        link = await connectHost(sharing.fleet, host);
      } finally {
        sharing.settled(host);
      }
      if (!options.status) return { host, link };
      return { host, link, status: await link.session.send<StatusResult>({ op: "status" }) };
    } catch (err) {
      return { host, ...(link ? { link } : {}), error: hostError(host, err) };
    }
  }));
  checkOneApp(open);
  return {
    fleet: sharing.fleet,
    hosts: open,
    async close() {
      await Promise.all(open.map((h) => h.link?.close().catch(() => undefined)));
      await sharing.close();
    },
  };
}

/** The error as the host's, its message naming the host. */
export function hostError(host: FleetHost, err: unknown): WireError {
  const e = toRelxError(err).toWire();
  return e.message.startsWith(`host ${host.name}`) ? e : { ...e, message: `host ${host.name}: ${e.message}` };
}

/** The first reachable host's app is the fleet's; a host on another is an error of its own. */
function checkOneApp(open: OpenHost[]): void {
  const app = open.find((h) => h.status)?.status?.name;
  for (const h of open) {
    if (!h.status || h.status.name === app) continue;
    h.error = new RelxError("RELX_WRONG_APP", `host ${h.host.name} runs app "${h.status.name}", the fleet runs "${app}"`, {
      hint: "fix the host's root in the fleet file",
    }).toWire();
  }
}
