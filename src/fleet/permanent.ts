/**
 * The last step of a fleet move that succeeded everywhere: the `permanent` op on every host, so
 * a restarted node boots the target. Hosts move with `permanent: false`; until this step each
 * still boots the release that was permanent before the run, which is what a move back, an abort
 * or a killed coordinator leave behind. Skipped hosts (already on the target) are made permanent
 * too, so a rerun finishes what an interrupted run left undone.
 *
 * A host that refuses (or whose session died) stays on the target, running; only its boot choice
 * is old. It is reported as RELX_NOT_PERMANENT and the run fails (exit 1); nothing is moved back,
 * since every host already runs the target.
 */
import { RelxError } from "../errors.js";
import type { PermanentResult } from "../protocol/results.js";
import { hostError, type OpenHost } from "./hosts.js";
import type { Direction, HostMove } from "./types.js";

/** Sends `permanent <vsn>` to every host; returns the hosts made permanent, in fleet-file order, and updates `hosts` for the others. */
export async function makeFleetPermanent(open: OpenHost[], hosts: HostMove[], vsn: string, direction: Direction): Promise<string[]> {
  const made = new Set<string>();
  await Promise.all(open.map(async (h, i) => {
    try {
      await h.link!.session.send<PermanentResult>({ op: "permanent", vsn });
      made.add(h.host.name);
    } catch (err) {
      const cause = hostError(h.host, err);
      hosts[i] = {
        ...hosts[i]!,
        ok: false,
        error: new RelxError("RELX_NOT_PERMANENT", `host ${h.host.name} runs ${vsn} but could not be made permanent (${cause.code}: ${cause.message.replace(`host ${h.host.name}: `, "")}); a restart would boot the release that was permanent before`, {
          hint: `run \`relx fleet ${direction} ${vsn}\` again (hosts on ${vsn} are skipped and made permanent), or on that host \`relx permanent ${vsn} --root ${h.host.root}\``,
        }).toWire(),
      };
    }
  }));
  return open.filter((h) => made.has(h.host.name)).map((h) => h.host.name);
}
