/**
 * The fast path: `relx status`, `relx ping`, `relx call <process> <json>` and `relx upgrade` /
 * `relx downgrade <vsn>` without commander.
 *
 * The first three are the commands scripts and health checks run in a loop, so their cost is
 * Node's startup plus one request; an upgrade's wall time is what a deploy waits for. This module
 * recognises only the plainest command lines of these commands (the options of SPEC §6, each at
 * most once, `--opt value` or `--opt=value`; for upgrade and downgrade a vsn of the plain form
 * 1.2.3, which is certainly semver, so the semver package stays out of the bundle), builds the
 * options object commander would have built, and runs the very handlers of commands/daemon-ops.ts
 * and commands/change-release.ts with the very output functions of run.ts. Anything else it is not
 * sure of (help, --version, an unknown or repeated option, a value that starts with "-", `--`, a
 * missing or extra argument, any other vsn) returns undefined, and the CLI takes the full
 * commander path, which prints the usage errors and checks the vsn.
 *
 * RELX_NO_FAST_PATH=1 turns it off (the tests use it to compare both paths).
 */
import { changeRelease } from "./commands/change-release.js";
import { ping, status, call } from "./commands/daemon-ops.js";
import { writeFailure, writeOutput, type CommandOutput, type CommonOptions } from "./output.js";
import type { RunOutcome } from "./run.js";

type Handler = (options: any, ...args: string[]) => Promise<CommandOutput>;

interface FastCommand {
  /** How many positional arguments it takes (all required). */
  args: number;
  /** Its own options (besides the global ones): true when it takes a value. */
  options: Record<string, boolean>;
  /** As commander names an option's key: `--dry-run` is dryRun, `--no-permanent` sets permanent to false. */
  keys?: Record<string, { key: string; value: boolean }>;
  /** The options commander sets without being given (a `--no-x` option's x: true). */
  defaults?: Record<string, unknown>;
  /** The positional arguments are ones the fast path may take; else commander's path decides. */
  accepts?: (args: string[]) => boolean;
  handler: Handler;
}

/** A vsn certainly strict semver (semver.valid(v) === v): numbers without leading zeros, each safe. */
const PLAIN_VSN = /^(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})\.(?:0|[1-9]\d{0,14})$/;
const plainVsn = (args: string[]): boolean => PLAIN_VSN.test(args[0]!);

/** The program's options (program.ts), recognised before and after the command name as commander does. */
const GLOBAL: Record<string, boolean> = { root: true, socket: true, json: false };

const COMMANDS: Record<string, FastCommand> = {
  ping: { args: 0, options: {}, handler: ping },
  status: { args: 0, options: { all: false, offset: true, limit: true, filter: true }, handler: status },
  call: { args: 2, options: {}, handler: call },
  upgrade: {
    args: 1,
    options: { extra: true, "dry-run": false, "no-permanent": false },
    keys: { "dry-run": { key: "dryRun", value: true }, "no-permanent": { key: "permanent", value: false } },
    defaults: { permanent: true },
    accepts: plainVsn,
    handler: (options, vsn) => changeRelease("upgrade", options, vsn!),
  },
  downgrade: {
    args: 1,
    options: { extra: true, "dry-run": false },
    keys: { "dry-run": { key: "dryRun", value: true } },
    accepts: plainVsn,
    handler: (options, vsn) => changeRelease("downgrade", options, vsn!),
  },
};

/** The command line as the fast path understands it, or undefined to leave it to commander. */
export function parseFast(argv: readonly string[]): { handler: Handler; options: CommonOptions & Record<string, unknown>; args: string[] } | undefined {
  let command: FastCommand | undefined;
  const options: Record<string, string | true> = {};
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith("-")) {
      const match = /^--([a-z]+(?:-[a-z]+)*)(?:=(.*))?$/s.exec(arg);
      if (match === null) return undefined;
      const name = match[1]!;
      const takesValue = Object.hasOwn(GLOBAL, name) ? GLOBAL[name]
        : command !== undefined && Object.hasOwn(command.options, name) ? command.options[name]
        : undefined;
      if (takesValue === undefined || Object.hasOwn(options, name)) return undefined;
      if (!takesValue) {
        if (match[2] !== undefined) return undefined;
        options[name] = true;
        continue;
      }
      const value = match[2] ?? argv[++i];
      if (value === undefined || (match[2] === undefined && value.startsWith("-"))) return undefined;
      options[name] = value;
    } else if (command === undefined) {
      if (!Object.hasOwn(COMMANDS, arg)) return undefined;
      command = COMMANDS[arg];
    } else {
      args.push(arg);
    }
  }
  if (command === undefined || args.length !== command.args) return undefined;
  if (command.accepts !== undefined && !command.accepts(args)) return undefined;
  // As program.ts's action: the options with the globals, root defaulting to the current directory.
  const merged = { ...command.defaults } as CommonOptions & Record<string, unknown>;
  for (const [name, value] of Object.entries(options)) {
    const renamed = command.keys?.[name];
    if (renamed === undefined) merged[name] = value;
    else merged[renamed.key] = renamed.value;
  }
  merged.root ??= process.cwd();
  return { handler: command.handler, options: merged, args };
}

/** Runs the command if the fast path can; undefined when the full CLI must (nothing was done then). */
export async function runFast(argv: string[]): Promise<RunOutcome | undefined> {
  if (process.env.RELX_NO_FAST_PATH === "1") return undefined;
  const parsed = parseFast(argv);
  if (parsed === undefined) return undefined;
  // What run.ts does around a command: its output, or its failure with --json read off argv.
  try {
    const output = await parsed.handler(parsed.options, ...parsed.args);
    const exitCode = writeOutput(output, parsed.options.json === true);
    output.afterOutput?.();
    return { exitCode, keepRunning: output.keepRunning === true };
  } catch (err) {
    return { exitCode: writeFailure(err, argv.includes("--json")), keepRunning: false };
  }
}
