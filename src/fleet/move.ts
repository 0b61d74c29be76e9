/**
 * `relx fleet upgrade|downgrade`: open every host, refuse to move anything if one cannot be
 * reached or is on another app, then the rolling or sync run (or a dry run on every host), and
 * only when every host ended on the target, `permanent` on every host (permanent.ts).
 */
import type { DryRunResult } from "../protocol/results.js";
import type { Fleet } from "./fleet-file.js";
import { hostError, openFleet, type OpenHost } from "./hosts.js";
import { makeFleetPermanent } from "./permanent.js";
import { rollingMove, notAttempted, type MoveOptions, type MoveOutcome } from "./rolling.js";
import { syncMove } from "./sync.js";
import type { FleetMoveResult, HostMove } from "./types.js";

export interface FleetMoveOptions extends MoveOptions {
  sync: boolean;
  dryRun: boolean;
  deadlineMs: number;
}

/** Returns the §13 result; `ok` only when every host ended on the target. Never throws for a host's failure. */
export async function fleetMove(fleet: Fleet, options: FleetMoveOptions): Promise<FleetMoveResult> {
  const opened = await openFleet(fleet, { status: true, extraSessions: options.health !== undefined && !options.dryRun && !options.sync });
  const open = opened.hosts;
  try {
    const outcome = await moveOpen(opened.fleet, open, options);
    const hosts = [...outcome.hosts];
    const permanent = !options.dryRun && hosts.every((h) => h.ok)
      ? await makeFleetPermanent(open, hosts, options.vsn, options.direction)
      : [];
    return {
      ok: hosts.every((h) => h.ok),
      vsn: options.vsn,
      mode: options.sync ? "sync" : "rolling",
      hosts,
      movedBack: outcome.movedBack,
      permanent,
    };
  } finally {
    await opened.close();
  }
}

async function moveOpen(fleet: Fleet, open: OpenHost[], options: FleetMoveOptions): Promise<MoveOutcome> {
  const broken = open.find((h) => h.error);
  if (broken) {
    const hosts = open.map((h): HostMove => h.error
      ? { name: h.host.name, ok: false, error: h.error }
      : { name: h.host.name, ok: false, from: h.status!.vsn, error: notAttempted(h.host.name, broken.host.name) });
    return { hosts, movedBack: [] };
  }
  if (options.dryRun) return { hosts: await Promise.all(open.map((h) => dryRun(h, options))), movedBack: [] };
  return options.sync ? syncMove(open, options) : rollingMove(fleet, open, options);
}

async function dryRun(h: OpenHost, options: FleetMoveOptions): Promise<HostMove> {
  const from = h.status!.vsn;
  if (from === options.vsn) return { name: h.host.name, ok: true, from, to: from, skipped: true };
  try {
    const r = await h.link!.session.send<DryRunResult>({ op: options.direction, vsn: options.vsn, dryRun: true, ...(options.extra === undefined ? {} : { extra: options.extra }) });
    const error = (r as { error?: HostMove["error"] }).error;
    return { name: h.host.name, ok: r.ok !== false, from, to: options.vsn, ...(error ? { error } : {}) };
  } catch (err) {
    return { name: h.host.name, ok: false, from, to: options.vsn, error: hostError(h.host, err) };
  }
}
