/**
 * compile: one esbuild run turns every app source into a self-contained CommonJS bundle,
 * lib/<path under srcDir>.cjs, with the app's own imports and its node_modules dependencies
 * inlined. Each server file's sha256 then covers all the code it runs, and the release runs with
 * the app's node_modules deleted. CommonJS because the daemon evaluates release code with
 * loadModule (vm.compileFunction), which is what lets it free old releases.
 */
import { join } from "node:path";
import type { BuildFailure, Message, Metafile } from "esbuild";
import { RelxError } from "../../errors.js";
import { compareBytes, sha256 } from "../fs-util.js";
import { refuseNativeImports, refuseNativePackages } from "./native-deps.js";
import { outputStem, relPosix } from "./sources.js";

export interface CompiledModule {
  /** The source, relative to the app root ("src/demo_server.ts"). */
  source: string;
  /** The output, relative to the release directory ("lib/demo_server.cjs"). */
  file: string;
  contents: Uint8Array;
  sha256: string;
}

export interface CompileResult {
  /** Byte-sorted by `file`. */
  modules: CompiledModule[];
  /** Every file esbuild read, relative to the app root (sources and dependencies). */
  inputs: string[];
  warnings: string[];
}

/** Compiles `sources` (absolute paths under `srcDir`). Throws RELX_BUILD_FAILED with esbuild's errors. */
export async function compile(root: string, srcDir: string, sources: string[]): Promise<CompileResult> {
  const esbuild = await import("esbuild");
  // Outputs stay in memory (write: false); outdir only names them.
  const outdir = join(root, ".relx-build", "lib");
  let result;
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: sources.map((abs) => ({ in: abs, out: outputStem(srcDir, abs) })),
      outdir,
      outExtension: { ".js": ".cjs" },
      bundle: true,
      format: "cjs",
      platform: "node",
      target: "node20",
      // Compiles import() to require(): loadModule has no ESM loader to give it.
      supported: { "dynamic-import": false },
      external: ["relx", "relx/*"],
      plugins: [refuseNativeImports(root)],
      write: false,
      metafile: true,
      logLevel: "silent",
    });
  } catch (err) {
    throw buildFailed(err);
  }
  const inputs = Object.keys(result.metafile.inputs).filter((input) => !input.includes(":"));
  await refuseNativePackages(root, inputs);
  return {
    modules: collect(root, outdir, result.outputFiles, result.metafile),
    inputs,
    warnings: result.warnings.map(formatMessage),
  };
}

function collect(root: string, outdir: string, outputs: { path: string; contents: Uint8Array }[], meta: Metafile): CompiledModule[] {
  const modules = outputs.map((out) => {
    const entry = meta.outputs[relPosix(root, out.path)]?.entryPoint ?? "";
    return {
      source: entry,
      file: `lib/${relPosix(outdir, out.path)}`,
      contents: out.contents,
      sha256: sha256(out.contents),
    };
  });
  return modules.sort((a, b) => compareBytes(a.file, b.file));
}

function buildFailed(err: unknown): RelxError {
  const messages = (err as Partial<BuildFailure>).errors;
  // One line, as the CLI prints it: the first errors, then how many more.
  let text = messages?.length ? messages.slice(0, 3).map(formatMessage).join("; ") : String(err);
  if (messages && messages.length > 3) text += ` (and ${messages.length - 3} more)`;
  // A package the app imports that is not installed: say how to get it.
  const missing = messages?.map((m) => /^Could not resolve "([^"./][^"]*)"/.exec(m.text)?.[1]).find((name) => name !== undefined);
  return new RelxError("RELX_BUILD_FAILED", `compiling the app failed: ${text}`, {
    cause: err,
    hint: missing !== undefined
      ? `install the package the app imports (\`npm install ${packageName(missing)}\` in the app's root), then run relx build again`
      : "fix the error, then run relx build again",
  });
}

/** "ws" of "ws", "ws/lib/x"; "@scope/pkg" of "@scope/pkg/sub". */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function formatMessage(message: Message): string {
  const at = message.location;
  return at ? `${at.file}:${at.line}:${at.column}: ${message.text}` : message.text;
}
