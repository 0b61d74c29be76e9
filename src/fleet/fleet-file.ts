/**
 * The fleet file (SPEC §13): `relx.fleet.json` at the root, or `--fleet <file>`. Validated whole
 * before anything connects; every error names the host (by name, else by its index) and the field.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { RelxError, describeValue } from "../errors.js";

export interface FleetHost {
  name: string;
  /** An OpenSSH destination (`user@host`); absent for a root on this machine. */
  ssh?: string;
  root: string;
  sshArgs: string[];
}

export interface Fleet {
  file: string;
  hosts: FleetHost[];
  sshArgs: string[];
  /** The relx command on the hosts, as a shell command string ("relx", "npx relx"). */
  relx: string;
}

const HOST_KEYS = new Set(["name", "ssh", "root", "sshArgs"]);
const FLEET_KEYS = new Set(["hosts", "sshArgs", "relx"]);

/** Reads and validates the fleet file. Throws RELX_BAD_FLEET naming the file, the host and the field. */
export async function loadFleet(root: string, fleetFile?: string): Promise<Fleet> {
  const file = fleetFile ? resolve(fleetFile) : join(resolve(root), "relx.fleet.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw bad(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`, err);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw bad(file, `is not JSON: ${(err as Error).message}`, err);
  }
  return parseFleet(file, raw);
}

export function parseFleet(file: string, raw: unknown): Fleet {
  if (!isObject(raw)) throw bad(file, `expected an object, got ${describeValue(raw)}`);
  const unknown = Object.keys(raw).find((k) => !FLEET_KEYS.has(k));
  if (unknown) throw bad(file, `has an unknown key "${unknown}" (expected hosts, sshArgs, relx)`);
  if (!Array.isArray(raw.hosts) || raw.hosts.length === 0) {
    throw bad(file, `"hosts": expected a non-empty array, got ${describeValue(raw.hosts)}`);
  }
  const sshArgs = stringArray(raw.sshArgs, () => bad(file, `"sshArgs": expected an array of strings, got ${describeValue(raw.sshArgs)}`));
  if (raw.relx !== undefined && (typeof raw.relx !== "string" || raw.relx.trim() === "")) {
    throw bad(file, `"relx": expected a command string such as "relx" or "npx relx", got ${describeValue(raw.relx)}`);
  }
  const hosts = raw.hosts.map((h, i) => parseHost(file, h, i));
  const seen = new Set<string>();
  for (const h of hosts) {
    if (seen.has(h.name)) throw bad(file, `host "${h.name}" appears twice; host names must be unique`);
    seen.add(h.name);
  }
  return { file, hosts, sshArgs, relx: (raw.relx as string | undefined) ?? "relx" };
}

function parseHost(file: string, h: unknown, i: number): FleetHost {
  const where = isObject(h) && typeof h.name === "string" && h.name !== "" ? `host "${h.name}"` : `hosts[${i}]`;
  const fail = (what: string): RelxError => bad(file, `${where}: ${what}`);
  if (!isObject(h)) throw fail(`expected an object, got ${describeValue(h)}`);
  const unknown = Object.keys(h).find((k) => !HOST_KEYS.has(k));
  if (unknown) throw fail(`unknown key "${unknown}" (expected name, ssh, root, sshArgs)`);
  if (typeof h.name !== "string" || h.name === "") throw fail(`"name": expected a non-empty string, got ${describeValue(h.name)}`);
  if (h.ssh !== undefined && (typeof h.ssh !== "string" || h.ssh === "" || h.ssh.startsWith("-"))) {
    throw fail(`"ssh": expected an OpenSSH destination such as "deploy@10.0.0.11", got ${describeValue(h.ssh)}`);
  }
  if (typeof h.root !== "string" || h.root === "") throw fail(`"root": expected a directory path, got ${describeValue(h.root)}`);
  if (h.ssh !== undefined && !isAbsolute(h.root)) throw fail(`"root": a remote root must be absolute, got ${describeValue(h.root)}`);
  const sshArgs = stringArray(h.sshArgs, () => fail(`"sshArgs": expected an array of strings, got ${describeValue(h.sshArgs)}`));
  if (h.ssh === undefined && h.sshArgs !== undefined) throw fail(`"sshArgs" without "ssh": a local root takes no ssh options`);
  return { name: h.name, ...(h.ssh === undefined ? {} : { ssh: h.ssh }), root: h.root, sshArgs };
}

function stringArray(value: unknown, fail: () => RelxError): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw fail();
  return value as string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function bad(file: string, what: string, cause?: unknown): RelxError {
  return new RelxError("RELX_BAD_FLEET", `fleet file ${file} ${what.startsWith("host") || what.startsWith('"') ? `: ${what}` : what}`.replace(" : ", ": "), {
    hint: "fix it (see the fleet file in docs/fleet.md), then run the command again",
    cause,
  });
}
