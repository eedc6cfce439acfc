// The offline view of a stack: `npm run render -- --stack dev [--out <dir>] [--root <dir>] [--stack-file <file>]`.
// Runs the stack program under the mock engine with the stack's config (secure values replaced by
// placeholders), prints the resource tree and counts, writes manifests and Helm values, and exits
// 1 when an object would be refused, 2 on a usage or configuration error.
import * as path from "path";
import { parseArgs } from "util";
import { countsText, renderStack, StackConfigError } from "../components/testing";

const USAGE =
    "usage: npm run render -- --stack <env> [--out <dir>] [--root <project dir>] [--stack-file <Pulumi.<env>.yaml to use instead>]";

async function main(): Promise<number> {
    let values: { stack?: string; out?: string; root?: string; "stack-file"?: string };
    try {
        ({ values } = parseArgs({
            options: {
                stack: { type: "string" },
                out: { type: "string" },
                root: { type: "string" },
                "stack-file": { type: "string" },
            },
            allowPositionals: false,
        }));
    } catch (err) {
        console.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    if (!values.stack) {
        console.error(`--stack is required\n${USAGE}`);
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
            progress: (line) => console.error(`render: ${line}`),
        });
        console.log(result.tree);
        console.log(countsText(result.counts));
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (result.problems.length > 0) {
            console.error(`render: ${result.problems.length} problem(s) in stack ${values.stack}:`);
            for (const p of result.problems) {
                console.error(`  ${p.object} (${p.resource}) ${p.path}: ${p.message}`);
            }
            return 1;
        }
        console.error(
            `render: stack ${values.stack} is valid; ${Object.keys(result.files).length} files in ${path.relative(process.cwd(), out) || "."} (${seconds.toFixed(1)}s)`,
        );
        return 0;
    } catch (err) {
        if (err instanceof StackConfigError) {
            console.error(`render: invalid config for stack ${values.stack}: ${err.message}`);
            return 2;
        }
        console.error(
            `render: stack ${values.stack} failed: ${(err as Error | null | undefined)?.message ?? err}`,
        );
        return 2;
    }
}

main().then((code) => process.exit(code));
