/**
 * The daemon's op handlers for a booted release: status, call, cast, state, upgrade, downgrade.
 * ping and stop are answered by the socket server itself. Each returns the §6 JSON shape or
 * throws a RelxError.
 */
import { RelxError } from "../errors.js";
import type { Request } from "../protocol/types.js";
import { callProcess } from "../runtime/api.js";
import { CAST } from "../runtime/process.js";
import { resolve } from "../runtime/registry.js";
import type { NodeState } from "./release-node.js";
import { statusOf } from "./status.js";
import { runUpgrade } from "./upgrade.js";

export type OpRequest = Request;

export async function handleOp(node: NodeState, req: OpRequest): Promise<unknown> {
  if (node.stopped || node.release === null) {
    throw new RelxError("RELX_NO_DAEMON", "the release is not running", { hint: "start it with `relx start`" });
  }
  switch (req.op) {
    case "status":
      return statusOf(node);
    case "call": {
      const p = resolve(req.process);
      return callProcess(p, req.msg, req.timeoutMs ?? node.config.callTimeoutMs, null);
    }
    case "cast": {
      const p = resolve(req.process);
      if (p.def.handleCast === undefined) {
        throw new RelxError("RELX_NO_HANDLER", `${p.label} has no handleCast; the message was not sent`, {
          hint: `use \`relx call ${req.process} <json>\` or add handleCast to ${p.def.name}`,
          process: req.process,
        });
      }
      p.deliver({ kind: CAST, msg: req.msg, from: null });
      return { ok: true };
    }
    case "state": {
      const p = resolve(req.process);
      return p.system(() => p.state);
    }
    case "upgrade":
    case "downgrade":
      return runUpgrade(node, {
        direction: req.op === "upgrade" ? "up" : "down",
        vsn: req.vsn,
        extra: req.extra ?? null,
        dryRun: req.dryRun === true,
        permanent: req.permanent !== false,
      });
    default:
      throw new RelxError("RELX_UNKNOWN_OP", `the release node does not serve op ${JSON.stringify((req as { op: unknown }).op)}`);
  }
}
