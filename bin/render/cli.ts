#!/usr/bin/env node
// The offline view of a Pulumi project's stack:
//   pipeline-platform render --stack <env> [--root <project dir>] [--out <dir>] [--stack-file <file>]
//                            [--diff <earlier render folder> | --diff-ref <git ref>] [--report <file.md>]
// (`npm run render -- --stack <env>` in this repository). Runs the project's program under the mock
// engine with the stack's config (secure values replaced by placeholders), prints the resource tree
// and counts (or, with --diff/--diff-ref, the difference to an earlier render and its danger list),
// writes manifests, Helm values, the cold-start order and the cluster's prerequisites, and exits 1 when
// an object would be refused, comes before what it needs or names what nothing creates or declares,
// 2 on a usage or configuration error or a failing program, 3 when the danger list is not empty.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { packageChartCli, PACKAGE_USAGE } from "./package-chart";
import { diffMarkdown, diffRenders, diffText, readRender } from "./diff";
import { renderAtRef } from "./git-ref";
import { renderStack } from "./render-stack";
import { StackConfigError } from "./stack-config";
import { mapStackTracesWhenAsked } from "./ts-loader";
import { countsText } from "./tree";

const USAGE =
    "usage: pipeline-platform render --stack <env> [--root <project dir>] [--out <dir>] [--stack-file <Pulumi.<env>.yaml to use instead>] [--diff <earlier render folder> | --diff-ref <git ref>] [--report <file.md>]";

const HELP = `${USAGE}

Renders a stack of the Pulumi project in --root (default: the current folder) offline, under the mock
engine: prints the resource tree and writes manifests, Helm values and outputs to --out (default:
<root>/out/<env>), every secret redacted, with the order \`pulumi up\` creates them in on an empty
cluster (order.txt) and what the cluster must already have (prerequisites.yaml).

--diff <folder> compares the render with an earlier one written to that folder; --diff-ref <ref>
renders the stack as it is at a git ref (in a temporary git worktree, removed afterwards) and
compares with that. Either prints the files added, removed and changed (with field paths) and the
danger list: resources that hold data removed, renamed or replaced, claims that shrink, fernet keys
that lose a key, Secrets whose type changes, Jobs whose pod template changes under the same name.
--report <file> also writes the diff as Markdown (a pull-request comment).

${PACKAGE_USAGE}
writes <out>/<chart name>-<version>.tgz: the Kaapana workflow-extension chart with Kaapana's
dag-installer chart inside, both at the installer image's tag, byte-identical for identical input
(for an upload in Kaapana's Extensions view); prints its path.

Exit codes: 0 every object is valid (and the danger list is empty); 1 an object would be refused,
comes before what it needs, or names something nothing creates or declares; 2 a usage, config or
program error; 3 the danger list is not empty.`;

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
    if (command === "package-kaapana-chart") {
        return packageChartCli(options, output);
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
        diff?: string;
        "diff-ref"?: string;
        report?: string;
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
                diff: { type: "string" },
                "diff-ref": { type: "string" },
                report: { type: "string" },
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
    if (values.diff !== undefined && values["diff-ref"] !== undefined) {
        output.error(`--diff and --diff-ref exclude each other\n${USAGE}`);
        return 2;
    }
    const baseline = values.diff ?? values["diff-ref"];
    if (values.report !== undefined && baseline === undefined) {
        output.error(`--report needs --diff or --diff-ref\n${USAGE}`);
        return 2;
    }
    const root = path.resolve(values.root ?? process.cwd());
    const out = path.resolve(values.out ?? path.join(root, "out", values.stack));
    const started = process.hrtime.bigint();
    const progress = (line: string) => output.error(`render: ${line}`);
    try {
        const before =
            values.diff !== undefined
                ? readRender(path.resolve(values.diff))
                : values["diff-ref"] !== undefined
                  ? await renderAtRef({
                        ref: values["diff-ref"],
                        root,
                        stack: values.stack,
                        progress,
                    })
                  : undefined;
        const stackFile =
            values["stack-file"] === undefined ? undefined : path.resolve(values["stack-file"]);
        const result = await renderStack({
            stack: values.stack,
            root,
            out,
            stackFile,
            progress,
        });
        const diff = before === undefined ? undefined : diffRenders(before, result.files);
        if (diff === undefined) {
            output.log(result.tree);
            output.log(countsText(result.counts));
        } else {
            const title = `render diff of stack ${values.stack}: ${baseline} → this checkout`;
            output.log(diffText(diff, title));
            if (values.report !== undefined) {
                fs.writeFileSync(path.resolve(values.report), diffMarkdown(diff, title));
            }
        }
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
        if (diff !== undefined && diff.danger.length > 0) {
            output.error(
                `render: ${diff.danger.length} change(s) in the danger list of stack ${values.stack}`,
            );
            return 3;
        }
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
    // The program's TypeScript loads later: mapped on request (the package's own files never are).
    mapStackTracesWhenAsked();
    cli(process.argv.slice(2)).then((code) => process.exit(code));
}
