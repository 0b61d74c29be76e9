/** `relx fleet status|push|upgrade|downgrade` (SPEC §13): the fleet file, then src/fleet. */
import { RelxError } from "../../errors.js";
import { loadFleet } from "../../fleet/fleet-file.js";
import { parseHealthCall } from "../../fleet/health.js";
import { fleetMove } from "../../fleet/move.js";
import { fleetPush, fleetStatus } from "../../fleet/status.js";
import type { Direction, FleetMoveResult, FleetPushResult, FleetStatusResult } from "../../fleet/types.js";
import { parseVsn } from "../../release/vsn.js";
import { parseJsonArgument } from "../args.js";
import { EXIT_FAILED, type CommandOutput, type CommonOptions } from "../output.js";

export interface FleetOptions extends CommonOptions {
  fleet?: string;
  batch?: string;
  health?: string;
  healthCall?: string;
  sync?: boolean;
  deadline?: string;
  dryRun?: boolean;
  extra?: string;
}

export async function status(options: FleetOptions): Promise<CommandOutput> {
  const result = await fleetStatus(await loadFleet(options.root, options.fleet));
  return output(result, () => renderStatus(result));
}

export async function push(options: FleetOptions, tarball: string): Promise<CommandOutput> {
  const result = await fleetPush(await loadFleet(options.root, options.fleet), tarball);
  return output(result, () => renderPush(result));
}

export const upgrade = (options: FleetOptions, vsn: string) => move("upgrade", options, vsn);
export const downgrade = (options: FleetOptions, vsn: string) => move("downgrade", options, vsn);

async function move(direction: Direction, options: FleetOptions, vsn: string): Promise<CommandOutput> {
  parseVsn(vsn, { what: "the version", retry: (v) => `relx fleet ${direction} ${v}` });
  const batch = positiveInt(options.batch ?? "1", "--batch");
  const deadlineMs = positiveInt(options.deadline ?? "30000", "--deadline");
  const extra = options.extra === undefined ? undefined : parseJsonArgument(options.extra, "--extra");
  const healthCall = options.healthCall === undefined ? undefined : parseHealthCall(options.healthCall);
  if ((options.health !== undefined || healthCall !== undefined) && options.sync === true) {
    throw new RelxError("RELX_BAD_ARGUMENT", "--health and --health-call are for rolling runs; a --sync run has no batches to check between", {
      hint: `drop --sync for a rolling run with health checks, or drop the health option: relx fleet ${direction} ${vsn} --sync`,
    });
  }
  const fleet = await loadFleet(options.root, options.fleet);
  const result = await fleetMove(fleet, {
    direction, vsn, batch, deadlineMs, extra,
    sync: options.sync === true,
    dryRun: options.dryRun === true,
    ...(options.health === undefined ? {} : { health: options.health }),
    ...(healthCall === undefined ? {} : { healthCall }),
  });
  return output(result, () => renderMove(direction, result, options.dryRun === true));
}

function output(result: { ok: boolean }, text: () => string): CommandOutput {
  return { value: result, text, exitCode: result.ok ? 0 : EXIT_FAILED };
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new RelxError("RELX_BAD_ARGUMENT", `${flag}: expected a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

function renderStatus(r: FleetStatusResult): string {
  return r.hosts.map((h) => h.ok
    ? `${h.name}  ${h.release} ${h.vsn}  ${processCount(h.processes?.length ?? 0)}`
    : `${h.name}  unreachable: ${h.error?.message}`).join("\n");
}

function processCount(n: number): string {
  return `${n} ${n === 1 ? "process" : "processes"}`;
}

function renderPush(r: FleetPushResult): string {
  return r.hosts.map((h) => h.ok ? `${h.name}  ${h.vsn} ${h.pushed}` : `${h.name}  failed: ${h.error?.message}`).join("\n");
}

function renderMove(direction: Direction, r: FleetMoveResult, dryRun: boolean): string {
  const lines = r.hosts.map((h) => {
    if (h.skipped) return `${h.name}  already on ${r.vsn} (skipped)`;
    if (h.ok) return dryRun ? `${h.name}  ${h.from} → ${h.to} would succeed` : `${h.name}  ${h.from} → ${h.to}  pause ${h.pauseMs} ms`;
    return `${h.name}  ${h.error?.code}: ${h.error?.message}`;
  });
  if (r.movedBack.length > 0) lines.push(`moved back: ${r.movedBack.join(", ")}`);
  if (r.permanent.length > 0) lines.push(`made permanent on ${r.vsn}: ${r.permanent.join(", ")}`);
  lines.push(r.ok ? `fleet ${direction} to ${r.vsn} (${r.mode}${dryRun ? ", dry run" : ""}): every host done` : `fleet ${direction} to ${r.vsn} (${r.mode}) failed`);
  return lines.join("\n");
}
