/**
 * The `permanent` op (OTP's make_permanent): the release this node runs becomes the one a
 * restarted node boots. Only the running release can be made permanent, and not while an upgrade
 * is in flight; both are checked with the RELEASES lock held, so an upgrade cannot slip in between.
 */
import { RelxError } from "../errors.js";
import type { PermanentResult } from "../protocol/results.js";
import { commitOrAbort, prepareReleaseState } from "../release/store/releases-store.js";
import type { NodeState } from "./node-state.js";

/** Throws RELX_NOT_RUNNING_RELEASE (another vsn runs), RELX_BUSY (an upgrade is in flight, or the lock is held). */
export async function makePermanent(node: NodeState, vsn: string): Promise<PermanentResult> {
  refuseUnlessRunning(node, vsn);
  const pending = await prepareReleaseState(node.config.releasesDir, vsn, "permanent");
  try {
    refuseUnlessRunning(node, vsn);
  } catch (err) {
    await pending.abort();
    throw err;
  }
  await commitOrAbort(pending);
  await pending.sync();
  const previous = pending.before.find((r) => r.state === "permanent")?.vsn ?? null;
  if (previous !== vsn) node.log(`permanent: ${vsn} (was ${previous ?? "none"})`);
  return { ok: true, vsn, previous, releases: pending.records };
}

function refuseUnlessRunning(node: NodeState, vsn: string): void {
  if (node.phase === "upgrading") {
    throw new RelxError("RELX_BUSY", `an upgrade or downgrade is in flight; ${vsn} cannot be made permanent now`, {
      hint: `wait for it (\`relx status\`), then \`relx permanent ${vsn}\``,
    });
  }
  const running = node.release!.manifest.vsn;
  if (running !== vsn) {
    throw new RelxError("RELX_NOT_RUNNING_RELEASE", `release ${vsn} is not the one this node runs (it runs ${running})`, {
      hint: `only the running release can be made permanent: \`relx upgrade ${vsn}\` (or downgrade) first, or \`relx permanent ${running}\``,
    });
  }
}
