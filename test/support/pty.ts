/**
 * A command run on a real pseudo-terminal, through util-linux's `script -qfec <command> /dev/null`
 * (Debian's bsdutils, an essential package): the command's standard input and output are a
 * terminal, as an operator's are. The test types bytes (`\r` for Enter, `\x03` Ctrl-C, `\x04`
 * Ctrl-D) and waits for what the terminal shows, each wait matching only output after the last.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { waitFor } from "./wait.js";

export class PtySession {
  /** Everything the terminal showed, as it showed it (echo included, `\r\n` line ends). */
  output = "";
  private seen = 0;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(argv: string[], env: NodeJS.ProcessEnv = {}) {
    const command = argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
    this.child = spawn("script", ["-qfec", command, "/dev/null"], {
      env: { ...process.env, RELX_SOCKET: undefined, TERM: "dumb", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (c: Buffer) => (this.output += c.toString()));
    this.child.stderr!.on("data", (c: Buffer) => (this.output += c.toString()));
    this.exited = new Promise((resolve) => this.child.on("close", (code) => resolve(code)));
  }

  type(keys: string): void {
    this.child.stdin!.write(keys);
  }

  /** Waits until the output since the last match matches `pattern`; returns that output. */
  async expect(pattern: RegExp): Promise<string> {
    try {
      return await waitFor(() => {
        const fresh = this.output.slice(this.seen);
        const m = pattern.exec(fresh);
        if (m === null) return undefined;
        this.seen += m.index + m[0].length;
        return fresh.slice(0, m.index + m[0].length);
      }, `${pattern} on the terminal`);
    } catch (err) {
      throw new Error(`${(err as Error).message}; since the last match it showed ${JSON.stringify(this.output.slice(this.seen))}`);
    }
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }
}
