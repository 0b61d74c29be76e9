// The fleet file's validation: a good file parses with its defaults; each mistake is refused with
// RELX_BAD_FLEET naming the host (or its index) and the field.
import { describe, expect, it } from "vitest";
import { RelxError } from "../../src/errors.js";
import { parseFleet } from "../../src/fleet/fleet-file.js";
import { bridgeArgv, shellQuote } from "../../src/fleet/connect.js";

const refusal = (raw: unknown): RelxError => {
  try {
    parseFleet("/f/relx.fleet.json", raw);
  } catch (err) {
    return err as RelxError;
  }
  throw new Error("expected a refusal");
};

describe("fleet file", () => {
  it("parses the SPEC's example, host sshArgs before the fleet's, root shell-quoted", () => {
    const fleet = parseFleet("/f/relx.fleet.json", {
      hosts: [{ name: "a", ssh: "deploy@10.0.0.11", root: "/srv/my bank", sshArgs: ["-p", "2222"] }, { name: "local2", root: "/srv/bank2" }],
      sshArgs: ["-o", "BatchMode=yes"], relx: "npx relx",
    });
    expect(bridgeArgv(fleet, fleet.hosts[0]!)).toEqual(["ssh", "-p", "2222", "-o", "BatchMode=yes", "--", "deploy@10.0.0.11", "npx relx bridge --root '/srv/my bank'"]);
    expect(fleet.hosts[1]).toEqual({ name: "local2", root: "/srv/bank2", sshArgs: [] });
    expect(parseFleet("/f", { hosts: [{ name: "x", root: "r" }] }).relx).toBe("relx");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it.each([
    [{ hosts: [] }, /"hosts": expected a non-empty array/],
    [{ hosts: [{ name: "a", root: "/r" }], extra: 1 }, /unknown key "extra"/],
    [{ hosts: [{ name: "a" }] }, /host "a": "root": expected a directory path/],
    [{ hosts: [{ root: "/r" }] }, /hosts\[0\]: "name"/],
    [{ hosts: [{ name: "b", ssh: "h", root: "rel" }] }, /host "b": "root": a remote root must be absolute/],
    [{ hosts: [{ name: "c", ssh: "h", root: "/r", sshArgs: "-p 22" }] }, /host "c": "sshArgs": expected an array of strings/],
    [{ hosts: [{ name: "d", root: "/r" }, { name: "d", root: "/s" }] }, /host "d" appears twice/],
    [{ hosts: [{ name: "e", root: "/r" }], relx: "" }, /"relx": expected a command string/],
  ])("refuses %j", (raw, message) => {
    const err = refusal(raw);
    expect(err.code).toBe("RELX_BAD_FLEET");
    expect(err.message).toMatch(message);
  });
});
