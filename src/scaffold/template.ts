/**
 * What `relx init` writes: a TypeScript app that builds and starts as it is, with no npm install
 * (relx resolves the app's `import "relx"` itself, for the build, the type check and the daemon).
 * Pure: a name in, the files out.
 */

export interface ScaffoldFiles {
  /** Path relative to the app's root → contents. */
  [path: string]: string;
}

/** The files of a new app named `name`, whose package.json depends on relx `relxVersion`. */
export function scaffoldFiles(name: string, relxVersion: string): ScaffoldFiles {
  return {
    "package.json": json({
      name,
      version: "1.0.0",
      private: true,
      type: "module",
      scripts: { build: "relx build", start: "relx start", stop: "relx stop", typecheck: "tsc" },
      // relx runs the node on a production host; TypeScript and Node's types are for your editor.
      dependencies: { relx: `^${relxVersion}` },
      devDependencies: { typescript: "^5.9.0", "@types/node": "^20.10.0" },
    }),
    "tsconfig.json": json({
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
      include: ["src"],
    }),
    ".gitignore": "# the daemon's runtime files: socket, pid file, log\n.relx/\nnode_modules/\n",
    "src/app.ts": APP,
    "src/greeter.ts": GREETER,
    "README.md": readme(name),
  };
}

const APP = `// The boot spec: the processes the node starts, in order (and stops in reverse).
import { defineApp } from "relx";

export default defineApp({
  processes: [
    { name: "greeter", server: "Greeter", args: { greeting: "Hello" }, restart: "permanent" },
  ],
});
`;

const GREETER = `// A server: its state lives in the process and survives hot upgrades (\`relx upgrade\`).
import { defineServer } from "relx";

interface State {
  greeting: string;
  greeted: number;
}

export default defineServer({
  name: "Greeter",
  // Bump it whenever this file changes, and handle the old one in codeChange.
  vsn: "1",
  init(args: { greeting: string }): State {
    console.log(\`greeter starting with "\${args.greeting}"\`);
    return { greeting: args.greeting, greeted: 0 };
  },
  handleCall(msg: { greet: string }, _from, state: State) {
    const greeted = state.greeted + 1;
    return { reply: \`\${state.greeting}, \${msg.greet}! (#\${greeted})\`, state: { ...state, greeted } };
  },
  // Runs when an upgrade brings this server to a new vsn (oldVsn: the vsn it ran), on the new code,
  // and with { down: vsn } on the running code when a downgrade goes back to that vsn. It returns
  // the state in the shape the code that runs next expects. Version 1 has nothing to migrate.
  codeChange(_oldVsn, state: State) {
    return state;
  },
});
`;

function readme(name: string): string {
  return `# ${name}

A relx app: GenServer-like processes, releases and hot code upgrades.

\`\`\`sh
relx build                             # releases/1.0.0/
relx start                             # the node, in the background
relx call greeter '{"greet":"world"}'  # "Hello, world! (#1)"
relx logs                              # what the node and its processes printed
relx stop
\`\`\`

To upgrade without a restart: change \`src/greeter.ts\`, bump its \`vsn\` and migrate the old state
in \`codeChange\`, set \`"version"\` in package.json to the next version, then
\`relx build && relx upgrade <version>\`. \`npm install\` adds relx and TypeScript for your editor;
building and starting do not need it.
`;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}
