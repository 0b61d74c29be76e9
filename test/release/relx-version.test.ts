// Which relx versions build releases a node can run: caret semantics (npm's ^) on the builder's
// version against the node's own.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RelxError } from "../../src/errors.js";
import { checkBuiltBy, compatLine, relxVersion } from "../../src/release/relx-version.js";
import { REPO } from "../support/paths.js";

function refusal(builtBy: string | undefined, mine: string): RelxError | null {
  try {
    checkBuiltBy({ vsn: "1.2.0", dir: "/r/releases/1.2.0", builtBy, mine });
    return null;
  } catch (err) {
    return err as RelxError;
  }
}

describe("the relx line of a release", () => {
  it("is relx's own package.json version", () => {
    expect(relxVersion()).toBe(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version);
  });

  it("is the major from 1.0.0, the minor in 0.x, the patch in 0.0.x", () => {
    expect(["1.0.0", "1.9.3", "1.0.0-rc.1"].map(compatLine)).toEqual(["1", "1", "1"]);
    expect(["0.1.0", "0.1.7", "0.2.0"].map(compatLine)).toEqual(["0.1", "0.1", "0.2"]);
    expect(["0.0.3", "0.0.4"].map(compatLine)).toEqual(["0.0.3", "0.0.4"]);
    expect(compatLine("unknown")).toBeNull();
  });

  it("accepts a release of the same line, either way within it", () => {
    expect(refusal("0.1.0", "0.1.5")).toBeNull();
    expect(refusal("0.1.5", "0.1.0")).toBeNull();
    expect(refusal("2.0.0", "2.4.1")).toBeNull();
    expect(refusal(undefined, "0.1.3")).toBeNull();
  });

  it("refuses another line with RELX_WRONG_RELX naming both versions and the way out", () => {
    const err = refusal("1.0.0", "0.1.0")!;
    expect(err.code).toBe("RELX_WRONG_RELX");
    expect(err.message).toBe("release 1.2.0 in /r/releases/1.2.0 was built by relx 1.0.0 (1.x), but this is relx 0.1.0 (0.1.x): a node runs only releases of its own relx line, because relx's runtime is not hot-swapped");
    expect(err.hint).toBe("rebuild the release from its sources with this relx (relx build), or install relx 1.x (npm install relx@^1.0.0) and start the node with it");
    expect(refusal("0.2.0", "0.1.9")?.code).toBe("RELX_WRONG_RELX");
    expect(refusal("1.3.0", "2.0.0")?.code).toBe("RELX_WRONG_RELX");
    expect(refusal(undefined, "0.2.0")?.message).toContain("a relx that recorded no version (0.1.x)");
    const unknown = refusal("unknown", "0.1.0")!;
    expect(unknown.message).toContain('built by relx "unknown"');
    expect(unknown.hint).toBe("rebuild the release from its sources with this relx (relx build)");
  });
});
