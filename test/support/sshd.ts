/**
 * A real OpenSSH server for fleet tests: its own host key, a user key generated here, bound to
 * 127.0.0.1 on a free port, run in the foreground (-D -e) and killed in cleanup. Several fleet
 * hosts (roots) sit behind one sshd, as several nodes on one machine would. It logs (VERBOSE) to a
 * file, written before a client hears that it is authenticated, so `accepted()` counts every
 * authentication of a command that has returned: how many ssh connections it really opened.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Sshd {
  port: number;
  /** The fleet file's sshArgs that reach it with the generated key. */
  sshArgs: string[];
  /** How many authentications ("Accepted publickey") sshd has logged so far. */
  accepted(): number;
  stop(): Promise<void>;
}

export async function startSshd(): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), "rx-ssh-"));
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host_key")]);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "user_key")]);
  execFileSync("cp", [join(dir, "user_key.pub"), join(dir, "authorized_keys")]);
  const port = await freePort();
  writeFileSync(join(dir, "sshd_config"), [
    `ListenAddress 127.0.0.1`,
    `HostKey ${join(dir, "host_key")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    "PidFile none", "UsePAM no", "StrictModes no", "PermitRootLogin prohibit-password",
    "PasswordAuthentication no", "KbdInteractiveAuthentication no", "LogLevel VERBOSE",
    // Each session runs the login shell (bash) with -c, and bash run by sshd sources ~/.bashrc
    // unless it is a nested shell: SHLVL=1 makes it one. What a test machine's root keeps there is
    // none of relx's business (here pyenv's init: ~0.15 s of CPU a session, four times the
    // session's own), and the fleet file names node and relx by absolute path.
    "SetEnv SHLVL=1",
  ].join("\n") + "\n");
  const logFile = join(dir, "sshd.log");
  const child: ChildProcess = spawn("/usr/sbin/sshd", ["-f", join(dir, "sshd_config"), "-D", "-E", logFile, "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let early = "";
  child.stderr!.on("data", (c: Buffer) => void (early += c.toString()));
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  const sshArgs = ["-o", "StrictHostKeyChecking=no", "-o", `UserKnownHostsFile=${join(dir, "known_hosts")}`, "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-i", join(dir, "user_key"), "-p", String(port)];
  for (let i = 0; ; i++) {
    if (spawnSync("ssh", [...sshArgs, "root@127.0.0.1", "true"]).status === 0) break;
    if (i > 200 || child.exitCode !== null) throw new Error(`sshd did not come up on port ${port}:\n${early}${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    sshArgs,
    accepted: () => log().split("\n").filter((l) => l.includes("Accepted publickey")).length,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on right now (for sshd, and for an unreachable host). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
