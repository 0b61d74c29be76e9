/** Commands on the releases on disk: build, releases, unpack. They run here, with no daemon. */
import { resolve } from "node:path";
import type { CommandOutput, CommonOptions } from "../output.js";
import { shownPath } from "../shown-path.js";
import { renderTable } from "../render-table.js";

export interface BuildOptions extends CommonOptions {
  vsn?: string;
  tar?: boolean;
  typecheck?: boolean;
}

export async function build(options: BuildOptions): Promise<CommandOutput> {
  // The build checks --vsn itself (RELX_BAD_VSN), as it does for package.json's version.
  const { build: buildRelease } = await import("../../release/build/build.js");
  const root = resolve(options.root);
  const result = await buildRelease({
    root,
    ...(options.vsn === undefined ? {} : { vsn: options.vsn }),
    tar: options.tar === true,
    typecheck: options.typecheck === true,
    // Progress goes to stderr, on a terminal only: CI logs and pipes stay quiet.
    onProgress: options.json || !process.stderr.isTTY || process.env.CI ? undefined : (step: unknown) => process.stderr.write(`relx: ${String(step)}\n`),
  });
  const text = (): string => {
    const lines = [`relx: built ${result.name} ${result.vsn} in ${shownPath(result.dir)} (${result.durationMs} ms)`];
    if (result.tarball) lines.push(`relx: wrote ${shownPath(result.tarball)}`);
    for (const warning of result.warnings ?? []) lines.push(`warning: ${String(warning)}`);
    return lines.join("\n");
  };
  return { value: { ok: true, ...result }, text };
}

export async function releases(options: CommonOptions): Promise<CommandOutput> {
  const { listReleases } = await import("../../release/store/releases-store.js");
  const list = await listReleases(resolve(options.root));
  const text = (): string => {
    if (list.length === 0) return "no releases yet; build one with `relx build`";
    return [renderTable(["VSN", "STATE"], list.map((r) => [r.vsn, r.state])), ...stateNotes(list)].join("\n");
  };
  return { value: { releases: list }, text };
}

/** What the states mean where people get surprised: a current release is not the one a restart boots. */
function stateNotes(list: { vsn: string; state: string }[]): string[] {
  const notes: string[] = [];
  const permanent = list.find((r) => r.state === "permanent")?.vsn;
  const current = list.find((r) => r.state === "current")?.vsn;
  if (current !== undefined) {
    const boots = permanent === undefined ? "the newest release" : `the permanent release, ${permanent}`;
    notes.push(
      `note: ${current} is current, not permanent: the node runs it, but a restarted node boots ${boots},`,
      `      and ${current} goes back to unpacked (as in OTP). Keep it with \`relx permanent ${current}\`.`,
    );
  }
  if (list.some((r) => r.state === "unpacked")) {
    notes.push("unpacked: on disk, not running (also a current release the node restarted without making permanent)");
  }
  return notes;
}

export async function unpack(options: CommonOptions, file: string): Promise<CommandOutput> {
  const { unpack: unpackRelease } = await import("../../release/tarball/unpack.js");
  const result = await unpackRelease({ root: resolve(options.root), file: resolve(file) });
  const where = shownPath(result.dir);
  return { value: { ok: true, ...result }, text: () => `relx: unpacked ${result.name} ${result.vsn} into ${where}` };
}
