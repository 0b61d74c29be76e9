/**
 * The daemon's log: .relx/log/daemon.log, rotated at `logMaxBytes` (rotating-file.ts), one entry
 * per event in the format of log-format.ts. With --foreground every entry also goes to stdout
 * (systemd's journal, a container's log), and the file is still written, so that `relx logs`
 * reads the same entries however the node runs. `relx start --foreground --json` has them on
 * stdout as NDJSON instead, each parsed back from its text exactly as `relx logs --json` does.
 */
import { RelxError } from "../../errors.js";
import { ensureLogDir, ensureRuntimeDir, logFile } from "../daemon-files.js";
import { formatEntry, parseEntry } from "./log-format.js";
import { RotatingFile } from "./rotating-file.js";

/** 10 MiB, the `logMaxBytes` default. */
export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;

export interface DaemonLog {
  /** A daemon event. */
  log(message: string): void;
  /** What user code printed; `process` is who printed it ("web <0.1.0>"), when relx knows. */
  print(process: string | undefined, message: string): void;
  /** The config's logMaxBytes, known once the config is loaded (the log is open before). */
  setMaxBytes(bytes: number): void;
  close(): void;
}

/**
 * Opens the log of the app at `root`; with `foreground`, also to stdout, as text or as NDJSON.
 * Throws the fs error when the file cannot be opened (unless foreground).
 */
export function openDaemonLog(root: string, foreground: boolean, stdoutFormat: "text" | "json" = "text"): DaemonLog {
  // .relx is checked in the foreground too: it holds the pid file and the root lock.
  ensureRuntimeDir(root);
  const file = openFile(root, foreground);
  // Bound now, before capture.ts replaces process.stdout.write with what calls print().
  const stdout = foreground ? process.stdout.write.bind(process.stdout) : null;
  const write = (text: string): void => {
    file?.write(text);
    if (stdout !== null) {
      try {
        stdout(stdoutFormat === "json" ? JSON.stringify(parseEntry(text.slice(0, -1).split("\n"))) + "\n" : text);
      } catch {
        // stdout closed (EPIPE): the file still has it.
      }
    }
  };
  return {
    log: (message) => write(formatEntry(undefined, message)),
    print: (process, message) => write(formatEntry(process, message)),
    setMaxBytes(bytes) {
      if (file !== null) file.maxBytes = bytes;
    },
    close: () => file?.close(),
  };
}

function openFile(root: string, foreground: boolean): RotatingFile | null {
  try {
    ensureLogDir(root);
    return new RotatingFile(logFile(root), DEFAULT_LOG_MAX_BYTES);
  } catch (err) {
    // A foreground node (a container with a read-only root, say) still logs to stdout; never past an unsafe path.
    if (foreground && !(err instanceof RelxError && err.code === "RELX_UNSAFE_PATH")) return null;
    throw err;
  }
}
