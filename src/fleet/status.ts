/** `relx fleet status` and `relx fleet push`: every host at once, each with its own outcome. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { RelxError } from "../errors.js";
import type { Fleet } from "./fleet-file.js";
import { hostError, openFleet } from "./hosts.js";
import type { PushOutcome } from "./push-receiver.js";
import type { FleetPushResult, FleetStatusResult, HostPush } from "./types.js";

/** Base64 per bridge.push line: well under the 1 MiB a line may hold. */
const CHUNK_BYTES = 384 * 1024;

export async function fleetStatus(fleet: Fleet): Promise<FleetStatusResult> {
  const opened = await openFleet(fleet, { status: true });
  await opened.close();
  const hosts = opened.hosts.map(({ host, status, error }) => error || !status
    ? { name: host.name, ok: false, error: error! }
    : { name: host.name, ok: true, release: status.name, vsn: status.vsn, processes: status.processes });
  return { ok: hosts.every((h) => h.ok), hosts };
}

/** Sends the tarball to every host through its session; the bridge installs it (or finds it present). */
export async function fleetPush(fleet: Fleet, tarball: string): Promise<FleetPushResult> {
  const file = resolve(tarball);
  const data = await readFile(file).catch((err) => {
    throw new RelxError("RELX_BAD_ARGUMENT", `no such file ${file}`, { cause: err, hint: "pass the path of a release .tar.gz (relx build --tar)" });
  });
  const opened = await openFleet(fleet, { status: false });
  const hosts = await Promise.all(opened.hosts.map(async ({ host, link, error }): Promise<HostPush> => {
    if (error || !link) return { name: host.name, ok: false, error: error! };
    try {
      let outcome: PushOutcome | undefined;
      for (let at = 0; at < data.length || at === 0; at += CHUNK_BYTES) {
        const last = at + CHUNK_BYTES >= data.length;
        const sent = link.session.send<PushOutcome>({ op: "bridge.push", data: data.subarray(at, at + CHUNK_BYTES).toString("base64"), last });
        if (last) outcome = await sent;
        else void sent.catch(() => undefined); // a failed chunk fails the last one too
      }
      return { name: host.name, ok: true, vsn: outcome!.vsn, pushed: outcome!.pushed };
    } catch (err) {
      return { name: host.name, ok: false, error: hostError(host, err) };
    }
  })).finally(() => opened.close());
  return { ok: hosts.every((h) => h.ok), vsn: hosts.find((h) => h.vsn)?.vsn, hosts };
}
