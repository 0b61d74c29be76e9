// docs/json.md documents the --json output of every command the real CLI lists in its help, so a
// new command cannot ship without its shape written down.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../support/paths.js";
import { relx } from "../support/relx.js";

/** The command names of a commander help text's "Commands:" section, `help` left out. */
function commandsIn(help: string): string[] {
  const section = help.slice(help.indexOf("Commands:"));
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== "help");
}

describe("docs/json.md", () => {
  it("has a row for every command and fleet subcommand", async () => {
    const doc = readFileSync(join(REPO, "docs", "json.md"), "utf8");
    const rows = [...doc.matchAll(/^\| (.+?) \|/gm)].map((m) => m[1]!);
    const documented = new Set(rows.flatMap((cell) => [...cell.matchAll(/`([a-z][a-z- ]*?)(?: [<[-][^`]*)?`/g)].map((m) => m[1]!)));
    const top = commandsIn((await relx(null, ["--help"])).stdout);
    const fleet = commandsIn((await relx(null, ["fleet", "--help"])).stdout);
    expect(top.length).toBeGreaterThan(20);
    expect(fleet.length).toBeGreaterThan(3);
    expect(top.filter((c) => c !== "fleet" && !documented.has(c))).toEqual([]);
    const fleetRow = rows.find((cell) => cell.startsWith("`fleet "))!;
    expect(fleet.filter((c) => !fleetRow.includes(`\`${c}\``) && !fleetRow.includes(`\`fleet ${c}\``))).toEqual([]);
  });
});
