/**
 * typecheck (relx build --typecheck): the TypeScript compiler in noEmit mode over the app's
 * sources, with the app's tsconfig.json when it has one. Loaded lazily: most builds never need it.
 */
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type ts from "typescript";
import { RelxError } from "../../errors.js";
import { pathExists } from "../fs-util.js";

/** relx's own public entry (src/index.ts in a checkout, dist/index.d.ts once built), for `import "relx"`. */
const RELX_ENTRY = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "index");

/** Throws RELX_BUILD_FAILED listing the type errors in the app's own files. */
export async function typecheck(root: string, sources: string[]): Promise<void> {
  const typescript = await loadTypeScript(root);
  const options = await compilerOptions(typescript, root);
  const program = typescript.createProgram({ rootNames: sources, options });
  const diagnostics = typescript
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === typescript.DiagnosticCategory.Error && isAppFile(root, d.file));
  if (diagnostics.length === 0) return;
  const first = diagnostics.slice(0, 3).map((d) => formatDiagnostic(typescript, root, d));
  const more = diagnostics.length > 3 ? ` (and ${diagnostics.length - 3} more)` : "";
  throw new RelxError("RELX_BUILD_FAILED", `type errors: ${first.join("; ")}${more}`, {
    hint: "fix the type errors, or run relx build without --typecheck",
  });
}

/** The app's own TypeScript, else the one next to relx. Throws RELX_BUILD_FAILED when there is none. */
async function loadTypeScript(root: string): Promise<typeof ts> {
  for (const from of [join(root, "package.json"), fileURLToPath(import.meta.url)]) {
    try {
      const path = createRequire(from).resolve("typescript");
      return ((await import(pathToFileURL(path).href)) as { default: typeof ts }).default;
    } catch {
      // not there: try the next place
    }
  }
  throw new RelxError("RELX_BUILD_FAILED", `relx build --typecheck needs TypeScript, and none is installed in ${root}`, {
    hint: "add it with `npm install --save-dev typescript`, or run relx build without --typecheck",
  });
}

async function compilerOptions(typescript: typeof ts, root: string): Promise<ts.CompilerOptions> {
  const configFile = join(root, "tsconfig.json");
  let options: ts.CompilerOptions = {
    strict: true,
    target: typescript.ScriptTarget.ES2022,
    module: typescript.ModuleKind.ESNext,
    // The app is bundled by esbuild, which resolves imports as a bundler does.
    moduleResolution: typescript.ModuleResolutionKind.Bundler,
    allowJs: true,
    skipLibCheck: true,
    esModuleInterop: true,
  };
  if (await pathExists(configFile)) {
    const read = typescript.readConfigFile(configFile, typescript.sys.readFile);
    if (read.error) throw configError(typescript, configFile, read.error);
    const parsed = typescript.parseJsonConfigFileContent(read.config, typescript.sys, root);
    if (parsed.errors.length) throw configError(typescript, configFile, parsed.errors[0]!);
    options = parsed.options;
  }
  const paths = { ...options.paths };
  // An app need not install relx to build: its `import "relx"` gets relx's own types.
  paths.relx ??= [RELX_ENTRY];
  return { ...options, paths, noEmit: true };
}

function isAppFile(root: string, file: ts.SourceFile | undefined): boolean {
  return !file || (file.fileName.startsWith(root) && !file.fileName.includes("/node_modules/"));
}

function formatDiagnostic(typescript: typeof ts, root: string, d: ts.Diagnostic): string {
  const text = typescript.flattenDiagnosticMessageText(d.messageText, " ");
  if (!d.file || d.start === undefined) return text;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${d.file.fileName.slice(root.length + 1)}:${line + 1}:${character + 1}: ${text}`;
}

function configError(typescript: typeof ts, file: string, d: ts.Diagnostic): RelxError {
  const text = typescript.flattenDiagnosticMessageText(d.messageText, " ");
  return new RelxError("RELX_BAD_CONFIG", `${file}: ${text}`, { hint: `fix ${file}` });
}
