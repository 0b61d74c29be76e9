/**
 * `--sync`: all or nothing, two-phase. Every host is sent `prepare` (preflight, load, suspend,
 * codeChange, then hold) under one deadline; only when all answered prepared is each sent
 * `commit` on the same session; otherwise every prepared host is sent `abort`. A host that hears
 * nothing before its deadline, or loses its session, rolls back by itself.
 *
 *   host       → next
 *   pending    prepared | failed (its daemon rolled back)
 *   prepared   committed (all prepared) | aborted (another failed)
 *   committed  stays (all committed) | moved back (a commit was refused after a rollback)
 */
import { RelxError } from "../errors.js";
import type { UpgradeResult } from "../protocol/results.js";
import { hostError, type OpenHost } from "./hosts.js";
import type { MoveOptions, MoveOutcome } from "./rolling.js";
import type { Direction, HostMove } from "./types.js";

export interface SyncOptions extends MoveOptions {
  deadlineMs: number;
}

export async function syncMove(open: OpenHost[], options: SyncOptions): Promise<MoveOutcome> {
  const outcome = new Map<string, HostMove>();
  const todo = open.filter((h) => h.status!.vsn !== options.vsn);
  for (const h of open) if (h.status!.vsn === options.vsn) outcome.set(h.host.name, { name: h.host.name, ok: true, from: h.status!.vsn, to: h.status!.vsn, skipped: true });
  const direction = options.direction === "upgrade" ? "up" : "down";
  const prepared: OpenHost[] = [];
  let failed: string | undefined;
  await Promise.all(todo.map(async (h) => {
    try {
      await h.link!.session.send({ op: "prepare", vsn: options.vsn, direction, permanent: false, deadlineMs: options.deadlineMs, ...(options.extra === undefined ? {} : { extra: options.extra }) });
      prepared.push(h);
    } catch (err) {
      failed ??= h.host.name;
      outcome.set(h.host.name, { name: h.host.name, ok: false, from: h.status!.vsn, to: options.vsn, error: hostError(h.host, err) });
    }
  }));
  if (failed !== undefined) {
    await Promise.all(prepared.map(async (h) => {
      await h.link!.session.send({ op: "abort" }).catch(() => undefined); // a lost session rolls back by itself
      outcome.set(h.host.name, { name: h.host.name, ok: false, from: h.status!.vsn, to: options.vsn, error: aborted(h.host.name, failed!) });
    }));
    return { hosts: open.map((h) => outcome.get(h.host.name)!), movedBack: [] };
  }
  const committed: OpenHost[] = [];
  await Promise.all(prepared.map(async (h) => {
    try {
      const r = await h.link!.session.send<UpgradeResult>({ op: "commit" });
      committed.push(h);
      outcome.set(h.host.name, { name: h.host.name, ok: true, from: h.status!.vsn, to: r.to, pauseMs: r.pauseMs });
    } catch (err) {
      failed ??= h.host.name;
      outcome.set(h.host.name, { name: h.host.name, ok: false, from: h.status!.vsn, to: options.vsn, error: hostError(h.host, err) });
    }
  }));
  const movedBack = failed === undefined ? [] : await moveCommittedBack(committed, outcome, options, failed);
  return { hosts: open.map((h) => outcome.get(h.host.name)!), movedBack: open.filter((h) => movedBack.includes(h.host.name)).map((h) => h.host.name) };
}

async function moveCommittedBack(committed: OpenHost[], outcome: Map<string, HostMove>, options: SyncOptions, failed: string): Promise<string[]> {
  const back: Direction = options.direction === "upgrade" ? "downgrade" : "upgrade";
  const done: string[] = [];
  await Promise.all(committed.map(async (h) => {
    const entry = outcome.get(h.host.name)!;
    try {
      await h.link!.session.send({ op: back, vsn: h.status!.vsn, permanent: false });
      done.push(h.host.name);
      outcome.set(h.host.name, { ...entry, ok: false, error: new RelxError("RELX_MOVED_BACK", `host ${h.host.name} committed, then was moved back to ${h.status!.vsn} because host ${failed} refused its commit`, {
        hint: `run relx fleet ${options.direction} ${options.vsn} --sync again`,
      }).toWire() });
    } catch (err) {
      outcome.set(h.host.name, { ...entry, ok: false, error: hostError(h.host, err) });
    }
  }));
  return done;
}

function aborted(name: string, because: string) {
  return new RelxError("RELX_ABORTED", `host ${name} was prepared, then aborted (rolled back in place) because host ${because} failed to prepare`, {
    hint: "fix that host, then run the same fleet command again",
  }).toWire();
}
