#!/usr/bin/env node
// `npm run demo`: the seed article's walk-through, retold with relx on the bundled bank example.
// Builds v1 and v2 in a temp root and drives the real CLI and daemon step by step.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(repo, "bin", "relx");
const example = join(repo, "examples", "bank");
const root = mkdtempSync(join(tmpdir(), "relx-demo-"));

function step(title) {
  console.log(`\n== ${title}`);
}

function relx(...args) {
  console.log(`$ relx ${args.map((a) => (/[\s"{}]/.test(a) ? `'${a}'` : a)).join(" ")}`);
  const out = execFileSync(process.execPath, [bin, ...args, "--root", root], { encoding: "utf8" });
  process.stdout.write(out.endsWith("\n") || out === "" ? out : out + "\n");
  return out;
}

try {
  console.log(`relx demo in ${root}`);
  cpSync(example, root, { recursive: true, filter: (src) => !src.startsWith(join(example, "v2")) });

  step("Step 1: DemoServer v1 holds { name, money } and answers with a sentence");
  relx("build");
  relx("start");
  relx("call", "blackode", '{"add":30000}');
  relx("state", "blackode");

  step("Step 2: version 2 renames money to salary, replies with the map, and migrates in codeChange");
  cpSync(join(example, "v2", "src"), join(root, "src"), { recursive: true });
  relx("build", "--vsn", "2.0.0");
  relx("releases");

  step("Step 3: hot code swap: suspend, codeChange, resume, with nothing stopped");
  relx("upgrade", "2.0.0");
  relx("state", "blackode");
  relx("call", "blackode", '{"add":100000}');
  relx("status");

  step("And back: downgrade runs v2's codeChange({ down: \"1\" }) and puts v1 back");
  relx("downgrade", "1.0.0");
  relx("state", "blackode");
  relx("call", "blackode", '{"add":1}');
} finally {
  try {
    relx("stop");
  } catch {
    // the daemon was not running
  }
  rmSync(root, { recursive: true, force: true });
}
