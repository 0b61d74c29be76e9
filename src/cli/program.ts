/**
 * The command line (SPEC §6) as commander commands. Each action loads its command module only
 * when it runs, so `relx status` loads commander, the client and little else.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import type { CommandOutput, CommonOptions } from "./output.js";

type Handler = (options: any, ...args: string[]) => Promise<CommandOutput>;
type Loader = () => Promise<Handler>;

/** The program; `onOutput` receives each command's outcome and whether --json was given. */
export function buildProgram(onOutput: (output: CommandOutput, json: boolean) => void): Command {
  const program = new Command("relx")
    .description("Erlang/OTP-style releases and hot code upgrades for Node.js")
    .version(packageVersion())
    .option("--root <dir>", "the app's root directory (default: the current directory)")
    .option("--socket <path>", "the daemon's socket (default: $RELX_SOCKET, else the config's)")
    .option("--json", "print JSON for scripts")
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ outputError: (text, write) => write(usageError(text)) });

  const define = (spec: string, description: string, load: Loader, parent: Command = program): Command =>
    parent.command(spec).description(description).action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const options = command.optsWithGlobals() as CommonOptions & Record<string, unknown>;
      options.root ??= process.cwd();
      const positional = args.slice(0, -2) as string[];
      const handler = await load();
      onOutput(await handler(options, ...positional), options.json === true);
    });

  const release = () => import("./commands/release.js");
  const daemon = () => import("./commands/daemon-ops.js");
  const upgrades = () => import("./commands/upgrade.js");

  define("build", "build a release into releases/<vsn>", async () => (await release()).build)
    .option("--vsn <vsn>", "the release's version (default: package.json's)")
    .option("--tar", "also write releases/<name>-<vsn>.tar.gz")
    .option("--typecheck", "type-check the sources first");
  define("releases", "list releases and their states", async () => (await release()).releases);
  define("unpack <file>", "verify and install a release tarball", async () => (await release()).unpack);
  define("start", "start the daemon on the permanent (else newest) release", async () => (await import("./commands/start.js")).start)
    .option("--foreground", "run in this terminal: logs to stdout, SIGTERM stops it")
    .option("--env-file <path>", "a dotenv file the app's config is read from (again at every upgrade)");
  define("config", "the app's runtime config as the daemon resolved it (sensitive values masked)", async () => (await daemon()).config);
  define("stop", "stop every process (terminate), then the daemon", async () => (await daemon()).stop);
  define("ping", "is the daemon up", async () => (await daemon()).ping);
  define("status", "release, releases, processes, last upgrade", async () => (await daemon()).status)
    .option("--all", "list every process (above 1,000 the table shows the first 100)")
    .option("--offset <n>", "skip the first n processes (with --json, a page instead of all)")
    .option("--limit <n>", "at most n processes")
    .option("--filter <text>", "only processes whose name contains text");
  define("call <process> <json>", "call a process; prints the reply as JSON", async () => (await daemon()).call);
  define("cast <process> <json>", "cast to a process", async () => (await daemon()).cast);
  define("state [process]", "print a process's state as JSON (--all: every live process's)", async () => (await daemon()).state)
    .option("--all", "every live process: { processes: [ { name, pid, server, vsn, state } ] }")
    .hook("preAction", (command) => {
      const named = command.args.length > 0;
      if (named === (command.opts().all === true)) command.error("error: name one process, or pass --all (not both)");
    });
  define("eval <code>", "run JavaScript inside the daemon and print its value (call, cast, send, whereis, sys, status() in scope)", async () => (await import("./commands/eval.js")).evalCode);
  define("remote", "an interactive JavaScript console inside the daemon (leaving it leaves the daemon running)", async () => (await import("./commands/eval.js")).remote);
  define("restart <process>", "start a boot process again from its boot spec (also one that gave up)", async () => (await daemon()).restart);
  define("dashboard", "a live web page of the node, on 127.0.0.1; runs until interrupted", async () => (await import("./commands/dashboard.js")).dashboard)
    .option("--port <n>", "the port to listen on (default: a free one)")
    .option("--allow-actions", "add dry-run, upgrade and downgrade buttons to the page");
  define("upgrade <vsn>", "hot upgrade to a newer release", async () => (await upgrades()).upgrade)
    .option("--extra <json>", "passed to every codeChange as `extra`")
    .option("--dry-run", "run codeChange on copies of the states; change nothing")
    .option("--no-permanent", "do not make the new release permanent");
  define("downgrade <vsn>", "hot downgrade to an older release", async () => (await upgrades()).downgrade)
    .option("--extra <json>", "passed to every codeChange as `extra`")
    .option("--dry-run", "run codeChange on copies of the states; change nothing");
  define("check-upgrade <from> <to>", "run every changed server's codeChange, up and back down, on recorded states; no daemon", async () => (await import("./commands/check-upgrade.js")).checkUpgrade)
    .option("--states <file>", "states recorded with `relx state --all --json` (default: each boot process's init under <from>)")
    .option("--extra <json>", "passed to every codeChange as `extra`");
  const lifecycle = () => import("./commands/lifecycle.js");
  define("permanent <vsn>", "make the release the daemon runs permanent (a restart boots it)", async () => (await lifecycle()).permanent);
  define("remove <vsn>", "delete an old or unpacked release: its directory, tarball and RELEASES entry", async () => (await lifecycle()).remove);
  define("init [dir]", "scaffold a new TypeScript app in dir (default: the current directory), which must be empty", async () => (await import("./commands/init.js")).init);
  define("service", "print a systemd unit that runs this root's node (no daemon needed)", async () => (await import("./commands/service.js")).service)
    .option("--env-file <path>", "the env file the node reads (default: the config's envFile)");
  define("logs", "the daemon log's last entries (no daemon needed); -f follows it", async () => (await import("./commands/logs.js")).logs)
    .option("-n, --lines <entries>", "how many entries (a multi-line entry counts once)", "50")
    .option("-f, --follow", "keep printing new entries, across rotations, until interrupted");
  define("bridge", "connect standard input and output to the daemon's socket (the fleet's transport)", async () => (await import("./commands/bridge.js")).bridge);
  defineFleet(program, define);
  return program;
}

type Define = (spec: string, description: string, load: Loader, parent?: Command) => Command;

/** `relx fleet …`: subcommands of their own `fleet` command, sharing --fleet. */
function defineFleet(program: Command, define: Define): void {
  const fleet = () => import("./commands/fleet.js");
  const group = program.command("fleet").description("the same across the hosts of the fleet file (relx.fleet.json)")
    .option("--fleet <file>", "the fleet file (default: relx.fleet.json in the root)");
  const sub = (spec: string, description: string, load: Loader): Command => define(spec, description, load, group);
  const moveOptions = (c: Command): Command => c
    .option("--batch <n>", "hosts per batch in a rolling run (default 1)")
    .option("--health <command>", "run on each host after its batch; a non-zero exit fails the run")
    .option("--health-call <call>", "'<process> [<json>]': call it on each host after its batch; an error, false or { ok: false } fails the run")
    .option("--sync", "all or nothing: prepare every host, then commit all or abort all")
    .option("--deadline <ms>", "with --sync: how long a prepared host holds before rolling back by itself (default 30000)")
    .option("--extra <json>", "passed to every codeChange as `extra`")
    .option("--dry-run", "run codeChange on copies of the states on every host; change nothing");
  sub("status", "release and processes of every host", async () => (await fleet()).status);
  sub("push <tarball>", "send a release tarball to every host and install it there", async () => (await fleet()).push);
  moveOptions(sub("upgrade <vsn>", "hot upgrade every host (rolling, or --sync)", async () => (await fleet()).upgrade));
  moveOptions(sub("downgrade <vsn>", "hot downgrade every host (rolling, or --sync)", async () => (await fleet()).downgrade));
}

/** commander's "error: …" as relx's "relx: …" plus a hint. */
function usageError(text: string): string {
  return `${text.replace(/^error: /, "relx: ").trimEnd()}\nhint: see \`relx --help\` or \`relx help <command>\`\n`;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}
