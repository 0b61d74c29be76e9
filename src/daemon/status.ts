/** The `status` op's result: the §6 status JSON shape. */
import type { StatusResult } from "../protocol/results.js";
import { readReleases } from "../release/store/releases-store.js";
import { processes } from "../runtime/registry.js";
import type { NodeState } from "./release-node.js";

export async function statusOf(node: NodeState): Promise<StatusResult> {
  const releases = await readReleases(node.releasesDir);
  const list: StatusResult["processes"] = [];
  for (const p of processes()) {
    list.push({
      name: p.name ?? String(p.pid),
      pid: String(p.pid),
      server: p.def.name,
      vsn: p.def.vsn ?? null,
      status: p.suspended ? "suspended" : "running",
      queue: p.mailbox === null ? 0 : p.mailbox.length,
    });
  }
  const manifest = node.release!.manifest;
  return {
    name: manifest.name,
    vsn: manifest.vsn,
    permanent: releases.find((r) => r.state === "permanent")?.vsn ?? null,
    daemon: { pid: process.pid, uptimeMs: Date.now() - node.startedAt },
    releases,
    processes: list,
    lastUpgrade: node.lastUpgrade,
  };
}
