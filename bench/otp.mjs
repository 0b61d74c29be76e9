// OTP beside relx: runs bench/otp/demo.exs (the seed's DemoServer) with Elixir. Where Elixir is
// missing and this is a Debian machine run as root, it is installed from Debian first (about 15
// packages, some 12 s here); RELX_BENCH_NO_INSTALL=1 skips that, and the OTP figures are then
// left out (the relx figures stand alone).
import { execFileSync, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

function ensureElixir() {
  if (has("elixir")) return true;
  const canInstall = process.env.RELX_BENCH_NO_INSTALL !== "1" && process.getuid?.() === 0 && has("apt-get");
  if (!canInstall) {
    console.error("otp.mjs: elixir is not installed; the OTP figures are left out (apt-get install elixir to add them)");
    return false;
  }
  console.error("otp.mjs: installing elixir from Debian for the OTP comparison …");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => spawnSync("apt-get", ["install", "-y", "-qq", "elixir"], { stdio: ["ignore", "ignore", "inherit"], env }).status === 0;
  if (!install()) {
    spawnSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "ignore", "inherit"], env });
    if (!install()) {
      console.error("otp.mjs: could not install elixir; the OTP figures are left out");
      return false;
    }
  }
  return has("elixir");
}

if (ensureElixir()) {
  process.stdout.write(execFileSync("elixir", [join(here, "otp", "demo.exs")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
}
