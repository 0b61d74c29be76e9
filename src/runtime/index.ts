/** The runtime's public surface, re-exported by the package entry. */
export { defineServer, defineApp, isServerDef } from "./define.js";
export { start, call, cast, send, whereis, stop, setDefaultCallTimeout } from "./api.js";
export { sys } from "./sys.js";
export { Pid } from "./pid.js";
export { setRuntimeObserver, type RuntimeEvent } from "./events.js";
export { restartLimits } from "./crash.js";
export type * from "./types.js";
