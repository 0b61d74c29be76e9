/** The `status` op's result: the §6 status JSON shape, its processes paged on request. */
import type { StatusFields } from "../protocol/ops.js";
import type { ProcessStatus, StatusResult } from "../protocol/results.js";
import { readReleases } from "../release/store/releases-store.js";
import * as host from "../runtime/host.js";
import type { NodeState } from "./node-state.js";
import { pageProcesses } from "./status-page.js";

export async function statusOf(node: NodeState, fields: StatusFields = {}): Promise<StatusResult> {
  const releases = await readReleases(node.config.releasesDir);
  const processes: ProcessStatus[] = host.infoAll().map(toStatus);
  // A boot process that gave up is gone from the runtime but not from the node: it shows as down.
  for (const [name, ref] of node.boot) {
    if (host.isAlive(ref)) continue;
    const error = node.down.get(name);
    processes.push(error === undefined ? toStatus(host.info(ref)) : { ...toStatus(host.info(ref)), error });
  }
  const manifest = node.release!.manifest;
  return {
    name: manifest.name,
    vsn: manifest.vsn,
    permanent: releases.find((r) => r.state === "permanent")?.vsn ?? null,
    daemon: { pid: process.pid, uptimeMs: Date.now() - node.startedAt },
    releases,
    ...pageProcesses(processes, fields),
    lastUpgrade: node.lastUpgrade,
    upgrades: node.upgrades,
  };
}

function toStatus(p: host.ProcessInfo): ProcessStatus {
  return {
    name: host.processName(p),
    pid: String(p.pid),
    server: p.server,
    vsn: p.vsn,
    status: p.status,
    queue: p.queue,
    restarts: p.restarts,
    handled: p.handled,
  };
}
