#!/usr/bin/env node
// The offline view of a Pulumi project's stack:
//   pipeline-platform render --stack <env> [--root <project dir>] [--out <dir>] [--stack-file <file>]
// (`npm run render -- --stack <env>` in this repository). Runs the project's program under the mock
// engine with the stack's config (secure values replaced by placeholders), prints the resource tree
// and counts, writes manifests, Helm values, the cold-start order and the cluster's prerequisites, and
// exits 1 when an object would be refused, comes before what it needs or names what nothing creates
// or declares, 2 on a usage or configuration error or a failing program.
import * as path from "path";
import { parseArgs } from "util";
import { renderStack } from "./render-stack";
import { StackConfigError } from "./stack-config";
import { countsText } from "./tree";

const USAGE =
    "usage: pipeline-platform render --stack <env> [--root <project dir>] [--out <dir>] [--stack-file <Pulumi.<env>.yaml to use instead>]";

const HELP = `${USAGE}

Renders a stack of the Pulumi project in --root (default: the current folder) offline, under the mock
engine: prints the resource tree and writes manifests, Helm values and outputs to --out (default:
<root>/out/<env>), every secret redacted, with the order \`pulumi up\` creates them in on an empty
cluster (order.txt) and what the cluster must already have (prerequisites.yaml).
Exit codes: 0 every object is valid; 1 an object would be refused, comes before what it needs, or names
something nothing creates or declares; 2 a usage, config or program error.`;

/** Where the command writes: standard output for the tree, standard error for everything else. */
export interface CliOutput {
    log(text: string): void;
    error(text: string): void;
}

/** Runs the command with its arguments (without `node` and the script); resolves to the exit code. */
export async function cli(args: string[], output: CliOutput = console): Promise<number> {
    const [command, ...options] = args;
    if (command === "--help" || command === "-h") {
        output.log(HELP);
        return 0;
    }
    if (command !== "render") {
        output.error(
            `${command === undefined ? "no command given" : `unknown command ${JSON.stringify(command)}`}\n${USAGE}`,
        );
        return 2;
    }
    let values: {
        stack?: string;
        out?: string;
        root?: string;
        "stack-file"?: string;
        help?: boolean;
    };
    try {
        ({ values } = parseArgs({
            args: options,
            options: {
                stack: { type: "string" },
                out: { type: "string" },
                root: { type: "string" },
                "stack-file": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            allowPositionals: false,
        }));
    } catch (err) {
        output.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    if (values.help) {
        output.log(HELP);
        return 0;
    }
    if (!values.stack) {
        output.error(`--stack is required\n${USAGE}`);
        return 2;
    }
    const root = path.resolve(values.root ?? process.cwd());
    const out = path.resolve(values.out ?? path.join(root, "out", values.stack));
    const started = process.hrtime.bigint();
    try {
        const stackFile =
            values["stack-file"] === undefined ? undefined : path.resolve(values["stack-file"]);
        const result = await renderStack({
            stack: values.stack,
            root,
            out,
            stackFile,
            progress: (line) => output.error(`render: ${line}`),
        });
        output.log(result.tree);
        output.log(countsText(result.counts));
        output.error(
            `render: cold start: graph depth ${result.coldStart.depth}, ${result.coldStart.waves.length} resources (order.txt, prerequisites.yaml)`,
        );
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (result.problems.length > 0) {
            output.error(`render: ${result.problems.length} problem(s) in stack ${values.stack}:`);
            for (const p of result.problems) {
                output.error(`  ${p.object} (${p.resource}) ${p.path}: ${p.message}`);
            }
            return 1;
        }
        output.error(
            `render: stack ${values.stack} is valid; ${Object.keys(result.files).length} files in ${path.relative(process.cwd(), out) || "."} (${seconds.toFixed(1)}s)`,
        );
        return 0;
    } catch (err) {
        if (err instanceof StackConfigError) {
            output.error(`render: invalid config for stack ${values.stack}: ${err.message}`);
            return 2;
        }
        output.error(
            `render: stack ${values.stack} failed: ${(err as Error | null | undefined)?.message ?? err}`,
        );
        return 2;
    }
}

if (require.main === module) {
    cli(process.argv.slice(2)).then((code) => process.exit(code));
}
