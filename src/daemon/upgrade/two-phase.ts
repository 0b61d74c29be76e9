/**
 * Two-phase upgrades, for a fleet coordinator: `prepare` runs an upgrade up to its commit and
 * holds it (processes suspended, code changed, new boot processes started, RELEASES prepared);
 * `commit` on the same connection finishes it; `abort` puts it back. A prepared upgrade rolls back
 * by itself when its deadline passes (counted from the prepare's arrival, preparation included) or
 * its connection closes, so a lost coordinator never leaves the node suspended.
 *
 * | state    | commit (same connection) | abort / deadline / connection closed / node stop |
 * |----------|--------------------------|--------------------------------------------------|
 * | none     | RELX_NOT_PREPARED        | abort: RELX_NOT_PREPARED; others: —              |
 * | held     | finished → none          | undone (RELX_ABORTED in the history) → none      |
 */
import { performance } from "node:perf_hooks";
import { RelxError } from "../../errors.js";
import type { PrepareFields, Session } from "../../protocol/ops.js";
import type { AbortResult, PrepareResult, UpgradeResult } from "../../protocol/results.js";
import type { NodeState } from "../node-state.js";
import { planSummary } from "./live-plan.js";
import { failed } from "./result.js";
import { begin, failure, finishUpgrade, prepareUpgrade, remember, takeSlot, undo, type Held } from "./upgrade.js";

export const DEFAULT_DEADLINE_MS = 30_000;

interface Holding {
  held: Held;
  session: Session;
  timer: ReturnType<typeof setTimeout>;
  release(): void;
}

const holdings = new WeakMap<NodeState, Holding>();

export async function prepare(node: NodeState, req: PrepareFields, session: Session): Promise<PrepareResult> {
  const arrived = performance.now();
  const deadlineMs = req.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const slot = takeSlot(node);
  const options = { direction: req.direction, vsn: req.vsn, extra: req.extra ?? null, dryRun: false, permanent: req.permanent !== false };
  let held: Held;
  try {
    held = await prepareUpgrade(await begin(node, options));
  } catch (err) {
    remember(node, failure(node, req.vsn, err));
    slot.release();
    throw err;
  }
  const left = deadlineMs - (performance.now() - arrived);
  if (left <= 0 || session.closed) {
    const why = session.closed ? "its connection closed while it was being prepared" : `it was not prepared within its deadline of ${deadlineMs} ms`;
    await end(node, { held, release: slot.release }, why);
    throw failed(aborted(why), true);
  }
  const holding: Holding = {
    held,
    session,
    release: slot.release,
    timer: setTimeout(() => void end(node, holding, `its deadline of ${deadlineMs} ms passed`), left),
  };
  holdings.set(node, holding);
  session.onClose(() => {
    if (holdings.get(node) === holding) void end(node, holding, "its connection closed");
  });
  node.log(`prepared ${held.run.options.direction === "up" ? "upgrade" : "downgrade"} ${held.run.from} -> ${held.run.target.manifest.vsn}; holding for ${Math.round(left)} ms`);
  const { changed, started, stopped } = planSummary(held.plan);
  return { prepared: true, from: held.plan.from, to: held.plan.to, changed, started, stopped, deadlineMs };
}

export async function commit(node: NodeState, session: Session): Promise<UpgradeResult> {
  const holding = take(node, session);
  try {
    return await finishUpgrade(holding.held);
  } catch (err) {
    remember(node, failure(node, holding.held.run.target.manifest.vsn, err));
    throw err;
  } finally {
    holding.release();
  }
}

export async function abort(node: NodeState, session: Session): Promise<AbortResult> {
  const holding = take(node, session);
  await end(node, holding, "its coordinator aborted it");
  return { ok: true, rolledBack: true };
}

/** Called by a stopping node: a held upgrade is put back at once rather than waited for. */
export async function abortHeld(node: NodeState, why: string): Promise<void> {
  const holding = holdings.get(node);
  if (holding !== undefined) await end(node, holding, why);
}

function take(node: NodeState, session: Session): Holding {
  const holding = holdings.get(node);
  if (holding === undefined || holding.session !== session) {
    throw new RelxError("RELX_NOT_PREPARED", "no upgrade is prepared on this connection (none was, or its deadline passed and it rolled back)", {
      hint: "prepare it again, then commit on the same connection before its deadline",
    });
  }
  holdings.delete(node);
  clearTimeout(holding.timer);
  return holding;
}

async function end(node: NodeState, holding: Pick<Holding, "held" | "release"> & { timer?: ReturnType<typeof setTimeout> }, why: string): Promise<void> {
  if (holdings.get(node) === holding) holdings.delete(node);
  clearTimeout(holding.timer);
  try {
    await undo(holding.held);
    node.log(`prepared upgrade to ${holding.held.run.target.manifest.vsn} rolled back: ${why}`);
    remember(node, failure(node, holding.held.run.target.manifest.vsn, aborted(why)));
  } finally {
    holding.release();
  }
}

function aborted(why: string): RelxError {
  return new RelxError("RELX_ABORTED", `the prepared upgrade was rolled back: ${why}`, {
    hint: "every process runs its old code with its old state; see `relx status`",
  });
}
