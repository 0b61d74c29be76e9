/**
 * check-upgrade (`relx check-upgrade`, and `checkUpgrade` of "relx/testing"): proves an upgrade on
 * recorded states before it ships, with no daemon. For each recorded process whose server changed
 * between <from> and <to> (as planUpgrade says, so as the upgrade runner will see it), the new
 * code's codeChange runs up, then down, and the round trip is compared; runner.ts runs them in a
 * worker, bounded. Without recorded states, each boot process's init under <from> gives its state.
 */
import { existsSync } from "node:fs";
import semver from "semver";
import { RelxError } from "../errors.js";
import { loadConfig, type RelxConfig } from "../release/config.js";
import type { Manifest } from "../release/manifest.js";
import { planUpgrade, stepsOf, type UpgradePlan } from "../release/plan.js";
import { releaseDir, verifyRelease } from "../release/store/verify.js";
import { parseVsn } from "../release/vsn.js";
import { startRunner } from "./runner.js";
import { readStates } from "./states-file.js";
import type { ProcessState } from "../protocol/results.js";
import type { BootEntry, CheckProcessResult, CheckResult, CheckTask, CheckUpgradeOptions, TaskResult, TaskSource } from "./types.js";

/** The check's result, the `--json` shape, and what the text output adds to it. */
export interface CheckReport {
  result: CheckResult;
  /** Servers only <to> has, and only <from> has: listed, not checked. */
  added: string[];
  removed: string[];
  /** For each result, the vsns its codeChange goes between. */
  vsns: { fromVsn: string; toVsn: string }[];
  /** Recorded processes whose server did not change (not checked). */
  unchanged: number;
}

/** A process to check, recorded or from the boot spec. */
interface Recorded {
  name: string | null;
  pid: string | null;
  server: string;
  vsn: string | null;
  source: TaskSource;
}

/**
 * The `--json` shape of the check. Throws RELX_BAD_CONFIG, RELX_BAD_VSN, RELX_NO_SUCH_RELEASE,
 * RELX_WRONG_DIRECTION, RELX_BAD_ARGUMENT (the states), what verifying and loading the releases
 * throws (RELX_CHECKSUM_MISMATCH, RELX_WRONG_APP, RELX_BAD_RELEASE) and, without states, what
 * evaluating the old boot spec throws (RELX_BAD_APP_CONFIG, RELX_BAD_BOOT_SPEC). A failed
 * codeChange is a result, not a throw.
 */
export async function checkUpgrade(options: CheckUpgradeOptions): Promise<CheckResult> {
  return (await runCheckUpgrade(options)).result;
}

export async function runCheckUpgrade(options: CheckUpgradeOptions): Promise<CheckReport> {
  const config = await loadConfig(options.root ?? process.cwd());
  const { from, to } = checkVsns(config, options.from, options.to);
  const fromInit = options.states === undefined;
  const runner = startRunner({ config, from, to, loadFrom: fromInit, timeoutMs: config.codeChangeTimeoutMs });
  try {
    const [fromManifest, toManifest] = await Promise.all([from, to].map((vsn) => verifyRelease(releaseDir(config, vsn), config.name)));
    const recorded = fromInit ? bootProcesses(fromManifest!, await runner.bootProcesses()) : recordedProcesses(await readStates(options.states!));
    const plan = planFor(fromManifest!, toManifest!, recorded);
    const changes = stepsOf(plan, "change-code").flatMap((s) => s.refs.map((ref) => ({ ref, fromVsn: s.fromVsn, toVsn: s.toVsn })));
    const tasks: CheckTask[] = changes.map(({ ref, fromVsn }) => ({ name: ref.name ?? ref.pid!, pid: ref.pid, server: ref.server, fromVsn, source: ref.source }));
    const outcomes = tasks.length === 0 ? [] : await runner.run(tasks, options.extra ?? null);
    const results = outcomes.map((r, i) => resultOf(tasks[i]!, r));
    return {
      result: { ok: results.every((r) => r.up.ok && r.down?.ok === true), from, to, results },
      added: plan.added,
      removed: plan.removed,
      vsns: changes.map(({ fromVsn, toVsn }) => ({ fromVsn, toVsn })),
      unchanged: recorded.length - changes.length,
    };
  } finally {
    await runner.close();
  }
}

/** The upgrade runner's plan for these processes; its change-code steps are what the check runs. */
function planFor(from: Manifest, to: Manifest, recorded: Recorded[]): UpgradePlan<Recorded> {
  const bootServer = new Map(from.boot.processes.map((s) => [s.name, s.server]));
  const processes = recorded.map((p) => ({
    ref: p,
    name: p.name ?? p.pid!,
    server: p.server,
    vsn: p.vsn,
    boot: p.name !== null && bootServer.get(p.name) === p.server,
  }));
  return planUpgrade({ direction: "up", from, to, processes, boot: [...bootServer.keys()] });
}

/** Both vsns semver, both releases there, <to> above <from>. */
function checkVsns(config: RelxConfig, fromValue: string, toValue: string): { from: string; to: string } {
  const retry = (what: "from" | "to") => (v: string) => `relx check-upgrade ${what === "from" ? v : fromValue} ${what === "to" ? v : toValue}`;
  const from = parseVsn(fromValue, { what: "<from>", retry: retry("from") });
  const to = parseVsn(toValue, { what: "<to>", retry: retry("to") });
  for (const vsn of [from, to]) {
    if (existsSync(releaseDir(config, vsn))) continue;
    throw new RelxError("RELX_NO_SUCH_RELEASE", `release ${vsn} of ${config.name} does not exist in ${config.releasesDir}`, {
      hint: "see the releases with `relx releases`, or build it with `relx build`",
    });
  }
  if (!semver.gt(to, from)) {
    throw new RelxError("RELX_WRONG_DIRECTION", `check-upgrade checks an upgrade: <to> ${to} is not higher than <from> ${from}`, {
      hint: `run \`relx check-upgrade ${semver.lt(to, from) ? `${to} ${from}` : `${from} <higher vsn>`}\`: the way down is checked too`,
    });
  }
  return { from, to };
}

/**
 * The old release's boot processes, each to start from its init(args): the list and the args as
 * its boot spec evaluates in the worker, with the app's config resolved from this environment.
 */
function bootProcesses(manifest: Manifest, boot: BootEntry[]): Recorded[] {
  const vsnOf = new Map(manifest.servers.map((s) => [s.name, s.vsn]));
  return boot.map((p) => ({ name: p.name, pid: null, server: p.server, vsn: vsnOf.get(p.server) ?? null, source: { kind: "init" } }));
}

function recordedProcesses(states: ProcessState[]): Recorded[] {
  return states.map((p) => ({ name: p.name, pid: p.pid, server: p.server, vsn: p.vsn, source: { kind: "state", state: p.state } }));
}

/** A task's outcome in the `--json` shape: keys in the documented order, absent ones left out. */
function resultOf(task: CheckTask, r: TaskResult): CheckProcessResult {
  const result: CheckProcessResult = { name: task.name, server: task.server, up: r.up };
  if (r.down !== undefined) result.down = r.down;
  if (r.roundTrip !== undefined) result.roundTrip = r.roundTrip;
  return result;
}
