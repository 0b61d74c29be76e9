/**
 * Watching releases/ for releases that appear, change or go: a build or unpack renames a whole
 * releases/<vsn>/ into place, `relx remove` renames one away, so an event on a vsn-named entry
 * is the moment to look again. Events come in bursts (the rename, the RELEASES write, the staging
 * dir's removal): `changed` is called once DEBOUNCE_MS after the first of a burst. A staging dir
 * (.staging-…) appearing means a release is on its way: `staging` is called at once, so that the
 * reader can be ready before it lands. A watcher that fails is logged once and closed: upgrades
 * then read release.json themselves, as they would anyway for a release not read ahead.
 */
import { watch, type FSWatcher } from "node:fs";
import { isVsn } from "../../release/vsn.js";

const DEBOUNCE_MS = 20;
const STAGING = ".staging-";

export interface ReleasesWatch {
  /** A `changed` that is due is called now (a read that cannot wait out the debounce). */
  flush(): void;
  close(): void;
}

export interface WatchHandlers {
  changed(): void;
  staging(): void;
  log(line: string): void;
}

export function watchReleases(dir: string, on: WatchHandlers): ReleasesWatch {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watcher: FSWatcher | null = null;
  const failed = (err: Error): void => {
    on.log(`watching ${dir} failed, releases are read when upgraded to: ${err.message}`);
    close();
  };
  const close = (): void => {
    clearTimeout(timer);
    timer = undefined;
    watcher?.close();
    watcher = null;
  };
  try {
    // Not persistent: the watcher never keeps the daemon alive.
    watcher = watch(dir, { persistent: false }, (_event, name) => {
      if (name !== null && name.startsWith(STAGING)) return on.staging();
      if (name !== null && !isVsn(name)) return; // RELEASES, its temp files, tarballs
      timer ??= setTimeout(() => {
        timer = undefined;
        on.changed();
      }, DEBOUNCE_MS);
    });
    watcher.on("error", failed);
  } catch (err) {
    failed(err as Error);
  }
  const flush = (): void => {
    if (timer === undefined) return;
    clearTimeout(timer);
    timer = undefined;
    on.changed();
  };
  return { flush, close };
}
