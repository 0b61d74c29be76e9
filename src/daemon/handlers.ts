/**
 * The release node's op handlers (status, call, cast, state, states, upgrade, downgrade,
 * permanent, …), typed by the protocol's op table; run-daemon.ts adds ping and stop. Each returns
 * the §6 JSON shape or throws a RelxError.
 */
import { RelxError, textOf } from "../errors.js";
import type { Handlers } from "../protocol/ops.js";
import * as host from "../runtime/host.js";
import type { NodeState } from "./node-state.js";
import { evaluate } from "./eval.js";
import { restartBoot } from "./restart.js";
import { statesOf } from "./states.js";
import { makePermanent } from "./permanent.js";
import { readLogTail } from "./log-tail.js";
import { statusOf } from "./status.js";
import { abort, commit, prepare } from "./upgrade/two-phase.js";
import { runUpgrade } from "./upgrade/upgrade.js";

export type NodeHandlers = Omit<Handlers, "ping" | "stop">;

export function nodeHandlers(node: NodeState): NodeHandlers {
  /** An op the booted node serves: it waits for the boot, and is refused once the node stops. */
  const served = <A, R>(fn: (req: A) => R | Promise<R>) => async (req: A): Promise<R> => {
    await node.booted;
    if (node.phase !== "up" && node.phase !== "upgrading") {
      throw new RelxError("RELX_NO_DAEMON", "the release is not running", { hint: "start it with `relx start`" });
    }
    return fn(req);
  };
  return {
    status: served((req) => statusOf(node, req)),
    call: served((req) => host.call(find(node, req.process), req.msg, req.timeoutMs ?? node.config.callTimeoutMs).catch((err: unknown) => {
      // A call fails with relx's own errors, or with what a reply that was a promise rejected with:
      // the process's doing, not a bug in relx.
      if (err instanceof RelxError) throw err;
      throw new RelxError("RELX_CALLBACK_FAILED", `the reply of ${req.process} was a promise that rejected: ${textOf(err)}`, {
        cause: err,
        hint: "its handleCall (or ctx.reply) answered with a promise that failed; the process itself runs on",
      });
    })),
    cast: served((req) => {
      host.cast(find(node, req.process), req.msg);
      return { ok: true as const };
    }),
    state: served(async (req) => host.renderValue(await host.getState(find(node, req.process)))),
    states: served(() => statesOf()),
    upgrade: served((req) => upgradeOp(node, "up", req)),
    downgrade: served((req) => upgradeOp(node, "down", req)),
    restart: served((req) => restartBoot(node, req.process)),
    config: served(() => ({ config: node.app!.config.entries })),
    eval: (req, session) => served(() => evaluate(session, { code: req.code, timeoutMs: node.config.evalTimeoutMs, status: () => statusOf(node), log: node.log }))(req),
    prepare: (req, session) => served(() => prepare(node, req, session))(req),
    commit: (req, session) => served(() => commit(node, session))(req),
    abort: (req, session) => served(() => abort(node, session))(req),
    permanent: served((req) => makePermanent(node, req.vsn)),
    logTail: (req) => readLogTail(node.config.root, req.lines ?? 100),
  };
}

/**
 * The process `dest` names. A boot process that is down (it gave up after too many crashes) is
 * no running process either, but the error says so, and how to start it again.
 */
function find(node: NodeState, dest: string): host.ProcessRef {
  try {
    return host.find(dest);
  } catch (err) {
    const ref = node.boot.get(dest);
    if (!(err instanceof RelxError) || err.code !== "RELX_NO_SUCH_PROCESS" || ref === undefined || host.isAlive(ref)) throw err;
    const why = node.down.get(dest);
    throw new RelxError("RELX_NO_SUCH_PROCESS", `boot process ${dest} is down${why === undefined ? "" : ` (${why.message})`}`, {
      hint: `\`relx restart ${dest}\` starts it again from the boot spec; \`relx logs\` shows why it stopped`,
    });
  }
}

function upgradeOp(node: NodeState, direction: "up" | "down", req: { vsn: string; extra?: unknown; dryRun?: boolean; permanent?: boolean }) {
  return runUpgrade(node, {
    direction,
    vsn: req.vsn,
    extra: req.extra ?? null,
    dryRun: req.dryRun === true,
    permanent: req.permanent !== false,
  });
}
