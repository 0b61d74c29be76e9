/**
 * `relx fleet upgrade|downgrade` in rolling mode: batches of `batch` hosts, each only after the
 * previous one succeeded (and passed `--health`). Every move is `permanent: false`: the fleet is
 * made permanent by move.ts only once every host moved. On a failure every host this run moved is
 * moved back (the opposite op, to the vsn it ran before; its permanent release never changed) and
 * the rest are left alone.
 *
 *   host        → next
 *   pending     upgraded (ok) | failed (rolled back by its daemon) | not attempted (an earlier batch failed)
 *   upgraded    stays on target (the fleet succeeded) | moved back | failed (the move back failed)
 */
import { RelxError, type WireError } from "../errors.js";
import type { UpgradeResult } from "../protocol/results.js";
import { callHealth, runHealth, type HealthCall } from "./health.js";
import { hostError, type OpenHost } from "./hosts.js";
import type { Fleet } from "./fleet-file.js";
import type { Direction, HostMove } from "./types.js";

export interface MoveOptions {
  direction: Direction;
  vsn: string;
  batch: number;
  health?: string;
  healthCall?: HealthCall;
  extra?: unknown;
}

export interface MoveOutcome {
  hosts: HostMove[];
  movedBack: string[];
}

export async function rollingMove(fleet: Fleet, open: OpenHost[], options: MoveOptions): Promise<MoveOutcome> {
  const outcome = new Map<string, HostMove>();
  const moved: OpenHost[] = [];
  const todo = open.filter((h) => !outcome.has(h.host.name) && h.status!.vsn !== options.vsn);
  for (const h of open) if (h.status!.vsn === options.vsn) outcome.set(h.host.name, { name: h.host.name, ok: true, from: h.status!.vsn, to: h.status!.vsn, skipped: true });
  let failure: string | undefined;
  for (let at = 0; at < todo.length && failure === undefined; at += options.batch) {
    const batch = todo.slice(at, at + options.batch);
    await Promise.all(batch.map(async (h) => {
      const from = h.status!.vsn;
      try {
        const r = await h.link!.session.send<UpgradeResult>({ op: options.direction, vsn: options.vsn, permanent: false, ...(options.extra === undefined ? {} : { extra: options.extra }) });
        moved.push(h);
        outcome.set(h.host.name, { name: h.host.name, ok: true, from, to: r.to, pauseMs: r.pauseMs });
        if (options.healthCall) await callHealth(h.link!.session, h.host, options.healthCall);
        if (options.health) await runHealth(fleet, h.host, options.health);
      } catch (err) {
        failure ??= h.host.name;
        const entry = outcome.get(h.host.name);
        outcome.set(h.host.name, { ...(entry ?? { name: h.host.name, from, to: options.vsn }), ok: false, error: hostError(h.host, err) });
      }
    }));
  }
  const movedBack = failure === undefined ? [] : await moveBack(moved, outcome, options, failure);
  for (const h of open) {
    if (!outcome.has(h.host.name)) outcome.set(h.host.name, { name: h.host.name, ok: false, from: h.status!.vsn, error: notAttempted(h.host.name, failure!) });
  }
  return { hosts: open.map((h) => outcome.get(h.host.name)!), movedBack: open.filter((h) => movedBack.includes(h.host.name)).map((h) => h.host.name) };
}

/** Moves each moved host back to the vsn it ran before; returns those it moved back. */
async function moveBack(moved: OpenHost[], outcome: Map<string, HostMove>, options: MoveOptions, failed: string): Promise<string[]> {
  const back: Direction = options.direction === "upgrade" ? "downgrade" : "upgrade";
  const done: string[] = [];
  await Promise.all(moved.map(async (h) => {
    const entry = outcome.get(h.host.name)!;
    try {
      await h.link!.session.send<UpgradeResult>({ op: back, vsn: h.status!.vsn, permanent: false });
      done.push(h.host.name);
      const error: WireError = entry.error ?? new RelxError("RELX_MOVED_BACK", `host ${h.host.name} was moved back to ${h.status!.vsn} because host ${failed} failed`, {
        hint: `fix host ${failed}, then run relx fleet ${options.direction} ${options.vsn} again`,
      }).toWire();
      outcome.set(h.host.name, { ...entry, ok: false, error });
    } catch (err) {
      outcome.set(h.host.name, { ...entry, ok: false, error: hostError(h.host, err) });
    }
  }));
  return done;
}

export function notAttempted(name: string, because: string): WireError {
  return new RelxError("RELX_NOT_ATTEMPTED", `host ${name} was not touched because host ${because} failed`, {
    hint: "fix that host, then run the same fleet command again (hosts already on the target are skipped)",
  }).toWire();
}
