// `npm run bench -- [--sizes 10,100,500,1000] [--runs 1] [--out <dir>] [--profile] [--subject <module>]`
// `npm run bench -- --render [--runs 3]`: each stack's render, in a fresh process as `npm run render`
// runs it, against a fresh process that only loads the four cloud SDKs (see renderBench below).
// How evaluation cost grows with platform size, against the SDK's own floor. Per size, a synthetic
// platform is evaluated under the mock engine in a fresh process, then a baseline program registers
// the same leaf resources directly (no components) in another fresh process, and a tree baseline
// registers the same component tree with empty components (the SDK's cost of the tree itself, none of
// the package's computation) in a third. Prints a table, writes
// `<out>/bench.json` and, with --profile, CPU profiles of the largest size; the last line is a summary.
// A size is `<extensions>` or `<extensions>:<projects>`. With --runs N, each size is measured N times,
// platform and baseline alternating, and the lowest figures are kept (the least disturbed runs).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { summarizeProfile, type ProfileSummary } from "./bench-profile";
import type { WorkerResult } from "./bench-worker";

const ROOT = path.resolve(__dirname, "..");
const USAGE =
    "usage: npm run bench -- [--sizes 10,100,500,1000] [--runs <n>] [--out <dir>] [--profile] [--subject <module>] | --render [--runs <n>]";
const DEFAULT_SIZES = "10,100,500,1000";

/** The targets, each held at every size measured. */
export const TARGETS = {
    /** Evaluation time over the tree baseline's (the SDK's cost of the same component tree). */
    treeRatio: 1.25,
    /** Peak RSS over the tree baseline's. */
    treeRssRatio: 1.25,
    /** Time per leaf resource at the largest size over the time at the reference size (100 extensions). */
    usPerLeafGrowth: 1.2,
};

/** A baseline's figures. */
export interface Floor {
    wallMs: number;
    peakRssMb: number;
    usPerLeaf: number;
    startRssMb: number;
}

export interface SizeResult {
    extensions: number;
    projects: number;
    leafResources: number;
    componentResources: number;
    wallMs: number;
    peakRssMb: number;
    usPerLeaf: number;
    startRssMb: number;
    baseline: Floor;
    /** wallMs / baseline.wallMs. */
    ratio: number;
    /** The same component tree with empty components and the same leaves: what the SDK costs for this tree. */
    tree: Floor;
    /** wallMs / tree.wallMs: the package's own computation over the SDK's cost of its tree. */
    treeRatio: number;
    /** (peakRssMb - baseline.peakRssMb) / peakRssMb. */
    packageRssShare: number;
    /** peakRssMb / tree.peakRssMb. */
    treeRssRatio: number;
}

/** The worst size for one ratio. */
export interface Worst {
    extensions: number;
    ratio: number;
}

export interface BenchSummary {
    /** The size with the highest time over the tree baseline. */
    treeRatio: Worst;
    /** The size with the highest peak RSS over the tree baseline's. */
    treeRssRatio: Worst;
    /** The largest size, whose time per leaf is compared with the reference size's. */
    extensions: number;
    /** The size time per leaf is compared with: 100 extensions when measured, else the smallest. */
    referenceExtensions: number;
    usPerLeafGrowth: number;
    targets: typeof TARGETS;
    targetsMet: boolean;
    line: string;
}

export interface BenchReport {
    subject: string;
    node: string;
    /** Measurements per size; the lowest figures are reported. */
    runs: number;
    sizes: SizeResult[];
    summary: BenchSummary;
    /** With --profile: where the time of the largest size went, measured and baseline. */
    profile?: { subject: ProfileSummary; baseline: ProfileSummary };
}

function main(): number {
    let values: {
        sizes?: string;
        runs?: string;
        out?: string;
        profile?: boolean;
        subject?: string;
        render?: boolean;
    };
    try {
        ({ values } = parseArgs({
            options: {
                sizes: { type: "string" },
                runs: { type: "string" },
                out: { type: "string" },
                profile: { type: "boolean" },
                subject: { type: "string" },
                render: { type: "boolean" },
            },
            allowPositionals: false,
        }));
    } catch (err) {
        console.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    let sizes: Array<{ extensions: number; projects: number }>;
    try {
        sizes = parseSizes(values.sizes ?? DEFAULT_SIZES);
    } catch (err) {
        console.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    const runs = Number(values.runs ?? "1");
    if (!Number.isInteger(runs) || runs < 1) {
        console.error(
            `--runs: got ${JSON.stringify(values.runs)}; expected a whole number of at least 1, e.g. 3\n${USAGE}`,
        );
        return 2;
    }
    if (values.render) {
        return renderBench(values.runs === undefined ? 3 : runs);
    }
    const out = path.resolve(values.out ?? path.join(ROOT, "out", "bench"));
    const subject = path.resolve(values.subject ?? path.join(ROOT, "bin", "bench-platform.ts"));
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-platform-bench-"));
    try {
        fs.mkdirSync(out, { recursive: true });
        const results: SizeResult[] = [];
        console.log(tableRow(HEADER));
        for (const size of sizes) {
            const leaves = path.join(scratch, `leaves-${size.extensions}.json`);
            const measured: WorkerResult[] = [];
            const baseline: WorkerResult[] = [];
            const tree: WorkerResult[] = [];
            for (let run = 1; run <= runs; run++) {
                const of = runs > 1 ? ` (run ${run} of ${runs})` : "";
                progress(
                    `${size.extensions} extensions over ${size.projects} projects: evaluating the platform${of}`,
                );
                measured.push(
                    runWorker([
                        "subject",
                        subject,
                        String(size.extensions),
                        String(size.projects),
                        leaves,
                    ]),
                );
                progress(
                    `${size.extensions} extensions: evaluating the baseline, ${measured[0].leafResources} leaf resources and no components${of}`,
                );
                baseline.push(runWorker(["baseline", leaves]));
                progress(
                    `${size.extensions} extensions: evaluating the tree baseline, ${measured[0].componentResources} empty components${of}`,
                );
                tree.push(runWorker(["tree", leaves]));
            }
            const result = sizeResult(size, lowest(measured), lowest(baseline), lowest(tree));
            results.push(result);
            console.log(tableRow(rowOf(result)));
        }
        const report: BenchReport = {
            subject: path.relative(ROOT, subject),
            node: process.version,
            runs,
            sizes: results,
            summary: summarize(results),
        };
        if (values.profile) {
            report.profile = profileLargest(sizes[sizes.length - 1], subject, scratch, out);
            printProfile(report.profile);
        }
        fs.writeFileSync(path.join(out, "bench.json"), `${JSON.stringify(report, null, 2)}\n`);
        progress(
            `wrote ${path.relative(process.cwd(), path.join(out, "bench.json")) || "bench.json"}`,
        );
        console.log(report.summary.line);
        return 0;
    } catch (err) {
        console.error(`bench: ${(err as Error).message}`);
        return 1;
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/** The render target: each stack's render within this many times the SDKs' load. */
export const RENDER_TARGET = 2;

/** The SDKs every stack loads: what a fresh process loading them takes is render's floor. */
const SDKS = ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/aws", "@pulumi/gcp"];

/**
 * The Node arguments of `npm run render` (package.json's `render` script, which runs `node`), so the
 * bench times the command the script runs and nothing else.
 */
export function renderScriptArgs(script: string): string[] {
    const [command, ...args] = script.trim().split(/\s+/);
    if (command !== "node" || args.some((a) => /["'$`\\;&|<>]/.test(a))) {
        throw new Error(
            `the render script must run node with plain arguments, e.g. "node --require ./bin/render/register-ts.js bin/render/cli.ts render"; got ${JSON.stringify(script)}`,
        );
    }
    return args;
}

/**
 * Renders each stack in a fresh process, as `npm run render -- --stack <env>` runs it (the Node
 * command of package.json's `render` script, run from the repository's root), and times a fresh
 * process that only loads the four SDKs, alternating, `runs` times each; the lowest wall time of
 * each is kept. Prints one row per stack and, last, the worst ratio against the target.
 */
function renderBench(runs: number): number {
    const stacks = fs
        .readdirSync(path.join(ROOT, "stacks"))
        .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
        .sort();
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-platform-render-bench-"));
    const timed = (args: string[]): number => {
        const start = process.hrtime.bigint();
        const child = spawnSync(process.execPath, args, {
            cwd: ROOT,
            encoding: "utf8",
            stdio: ["ignore", "ignore", "pipe"],
        });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (child.status !== 0) {
            throw new Error(
                `node ${args.join(" ")} failed (exit ${child.status}): ${child.stderr}`,
            );
        }
        return ms;
    };
    const load = () => timed(["-e", `for (const m of ${JSON.stringify(SDKS)}) require(m);`]);
    const script = (
        JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
            scripts: { render: string };
        }
    ).scripts.render;
    const render = (stack: string) =>
        timed([...renderScriptArgs(script), "--stack", stack, "--out", path.join(scratch, stack)]);
    try {
        const header = ["stack", "render ms", "SDK load ms", "ratio"];
        const row = (cells: string[]) => cells.map((c) => c.padStart(12)).join("  ");
        console.log(row(header));
        let worst = { stack: "", ratio: 0 };
        for (const stack of stacks) {
            const renders: number[] = [];
            const loads: number[] = [];
            for (let run = 1; run <= runs; run++) {
                progress(`render of stack ${stack}, run ${run} of ${runs}`);
                loads.push(load());
                renders.push(render(stack));
            }
            const renderMs = Math.min(...renders);
            const loadMs = Math.min(...loads);
            const ratio = renderMs / loadMs;
            if (ratio > worst.ratio) {
                worst = { stack, ratio };
            }
            console.log(row([stack, renderMs.toFixed(0), loadMs.toFixed(0), ratio.toFixed(2)]));
        }
        const met = worst.ratio <= RENDER_TARGET;
        console.log(
            `bench: render: worst stack ${worst.stack} takes ${worst.ratio.toFixed(2)}x a fresh process loading ${SDKS.join(", ")} (target <= ${RENDER_TARGET}, ${met ? "met" : "MISSED"})`,
        );
        return 0;
    } catch (err) {
        console.error(`bench: ${(err as Error).message}`);
        return 1;
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/** `10,100:20` -> sizes; projects default to one per 20 extensions, at least 5 (fewer for tiny sizes), at most 50. */
export function parseSizes(text: string): Array<{ extensions: number; projects: number }> {
    return text.split(",").map((part) => {
        const m = /^\s*(\d+)(?::(\d+))?\s*$/.exec(part);
        const extensions = Number(m?.[1]);
        const projects =
            m?.[2] === undefined
                ? Math.min(50, Math.max(Math.min(5, extensions), Math.ceil(extensions / 20)))
                : Number(m[2]);
        if (!m || extensions < 1 || projects < 1) {
            throw new Error(
                `--sizes: got ${JSON.stringify(part)}; expected <extensions>[:<projects>], both at least 1, e.g. 100 or 100:10`,
            );
        }
        return { extensions, projects };
    });
}

function runWorker(args: string[], profile?: string): WorkerResult {
    const child = spawnSync(
        process.execPath,
        [
            "--require",
            path.join(ROOT, "bin", "render", "register-ts.js"),
            path.join(ROOT, "bin", "bench-worker.ts"),
            ...args,
            ...(profile ? [profile] : []),
        ],
        {
            cwd: ROOT,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "inherit"],
            maxBuffer: 64 * 2 ** 20,
        },
    );
    const last = child.stdout?.trim().split("\n").pop();
    if (child.status !== 0 || !last) {
        throw new Error(`bench-worker ${args[0]} failed (exit ${child.status ?? child.signal})`);
    }
    return JSON.parse(last);
}

/** The lowest of each figure over repeated runs of one program. */
function lowest(results: WorkerResult[]): WorkerResult {
    const min = (figure: keyof WorkerResult) => Math.min(...results.map((r) => r[figure]));
    return {
        ...results[0],
        wallMs: min("wallMs"),
        peakRssMb: min("peakRssMb"),
        startRssMb: min("startRssMb"),
    };
}

function sizeResult(
    size: { extensions: number; projects: number },
    measured: WorkerResult,
    baseline: WorkerResult,
    tree: WorkerResult,
): SizeResult {
    if (baseline.leafResources !== measured.leafResources || baseline.componentResources !== 0) {
        throw new Error(
            `the baseline registered ${baseline.leafResources} leaf and ${baseline.componentResources} component resources; expected ${measured.leafResources} and 0`,
        );
    }
    if (
        tree.leafResources !== measured.leafResources ||
        tree.componentResources !== measured.componentResources
    ) {
        throw new Error(
            `the tree baseline registered ${tree.leafResources} leaf and ${tree.componentResources} component resources; expected ${measured.leafResources} and ${measured.componentResources}`,
        );
    }
    const usPerLeaf = (wallMs: number) => round((wallMs * 1000) / measured.leafResources, 1);
    const floor = (r: WorkerResult): Floor => ({
        wallMs: round(r.wallMs, 1),
        peakRssMb: round(r.peakRssMb, 1),
        usPerLeaf: usPerLeaf(r.wallMs),
        startRssMb: round(r.startRssMb, 1),
    });
    return {
        ...size,
        leafResources: measured.leafResources,
        componentResources: measured.componentResources,
        wallMs: round(measured.wallMs, 1),
        peakRssMb: round(measured.peakRssMb, 1),
        usPerLeaf: usPerLeaf(measured.wallMs),
        startRssMb: round(measured.startRssMb, 1),
        baseline: floor(baseline),
        ratio: round(measured.wallMs / baseline.wallMs, 3),
        tree: floor(tree),
        treeRatio: round(measured.wallMs / tree.wallMs, 3),
        packageRssShare: round((measured.peakRssMb - baseline.peakRssMb) / measured.peakRssMb, 3),
        treeRssRatio: round(measured.peakRssMb / tree.peakRssMb, 3),
    };
}

export function summarize(sizes: SizeResult[]): BenchSummary {
    const largest = sizes.reduce((a, b) => (b.extensions > a.extensions ? b : a));
    const reference =
        sizes.find((s) => s.extensions === 100) ??
        sizes.reduce((a, b) => (b.extensions < a.extensions ? b : a));
    const worst = (ratio: (s: SizeResult) => number): Worst => {
        const size = sizes.reduce((a, b) => (ratio(b) > ratio(a) ? b : a));
        return { extensions: size.extensions, ratio: ratio(size) };
    };
    const treeRatio = worst((s) => s.treeRatio);
    const treeRssRatio = worst((s) => s.treeRssRatio);
    const usPerLeafGrowth = round(largest.usPerLeaf / reference.usPerLeaf, 3);
    const met = {
        treeRatio: treeRatio.ratio <= TARGETS.treeRatio,
        treeRssRatio: treeRssRatio.ratio <= TARGETS.treeRssRatio,
        usPerLeafGrowth: usPerLeafGrowth <= TARGETS.usPerLeafGrowth,
    };
    const mark = (ok: boolean) => (ok ? "met" : "MISSED");
    const line =
        `bench: worst over the tree baseline: time ${treeRatio.ratio.toFixed(2)}x at ${treeRatio.extensions} extensions ` +
        `(target <= ${TARGETS.treeRatio}, ${mark(met.treeRatio)}), peak RSS ${treeRssRatio.ratio.toFixed(2)}x at ${treeRssRatio.extensions} ` +
        `(target <= ${TARGETS.treeRssRatio}, ${mark(met.treeRssRatio)}); ${largest.usPerLeaf} us/leaf at ${largest.extensions}, ` +
        `${usPerLeafGrowth.toFixed(2)}x that at ${reference.extensions} (target <= ${TARGETS.usPerLeafGrowth}, ${mark(met.usPerLeafGrowth)})`;
    return {
        treeRatio,
        treeRssRatio,
        extensions: largest.extensions,
        referenceExtensions: reference.extensions,
        usPerLeafGrowth,
        targets: TARGETS,
        targetsMet: met.treeRatio && met.treeRssRatio && met.usPerLeafGrowth,
        line,
    };
}

/** Profiles the evaluation of the largest size, measured and baseline, each in another fresh process. */
function profileLargest(
    size: { extensions: number; projects: number },
    subject: string,
    scratch: string,
    out: string,
): { subject: ProfileSummary; baseline: ProfileSummary } {
    const leaves = path.join(scratch, "profile-leaves.json");
    const files = {
        subject: path.join(out, `subject-${size.extensions}.cpuprofile`),
        baseline: path.join(out, `baseline-${size.extensions}.cpuprofile`),
    };
    progress(`${size.extensions} extensions: CPU profile of the platform evaluation`);
    runWorker(
        ["subject", subject, String(size.extensions), String(size.projects), leaves],
        files.subject,
    );
    progress(`${size.extensions} extensions: CPU profile of the baseline`);
    runWorker(["baseline", leaves], files.baseline);
    progress(
        `wrote ${path.relative(process.cwd(), files.subject)} and ${path.basename(files.baseline)} (open in Chrome DevTools or speedscope)`,
    );
    const read = (file: string) =>
        summarizeProfile(JSON.parse(fs.readFileSync(file, "utf8")), ROOT);
    return { subject: read(files.subject), baseline: read(files.baseline) };
}

function printProfile(profile: { subject: ProfileSummary; baseline: ProfileSummary }): void {
    for (const [label, summary] of Object.entries(profile)) {
        console.log(`\n${label}: ${summary.totalMs.toFixed(0)} ms profiled; self time by module`);
        for (const m of summary.byModule.slice(0, 10)) {
            console.log(
                `  ${(m.share * 100).toFixed(1).padStart(5)}%  ${m.ms.toFixed(0).padStart(7)} ms  ${m.name}`,
            );
        }
        console.log(
            `${label}: self time by calling module (Node internals and native code count for their caller)`,
        );
        for (const m of summary.byCallingModule.slice(0, 10)) {
            console.log(
                `  ${(m.share * 100).toFixed(1).padStart(5)}%  ${m.ms.toFixed(0).padStart(7)} ms  ${m.name}`,
            );
        }
        console.log(`${label}: top functions by self time`);
        for (const f of summary.topFunctions) {
            console.log(
                `  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}`,
            );
        }
    }
    console.log("");
}

const HEADER = [
    "extensions",
    "projects",
    "leaf",
    "components",
    "wall ms",
    "peak RSS MB",
    "us/leaf",
    "baseline ms",
    "baseline RSS MB",
    "ratio",
    "RSS share",
    "tree ms",
    "over tree",
    "tree RSS MB",
    "RSS/tree",
];

function rowOf(r: SizeResult): string[] {
    return [
        String(r.extensions),
        String(r.projects),
        String(r.leafResources),
        String(r.componentResources),
        r.wallMs.toFixed(0),
        r.peakRssMb.toFixed(0),
        r.usPerLeaf.toFixed(1),
        r.baseline.wallMs.toFixed(0),
        r.baseline.peakRssMb.toFixed(0),
        r.ratio.toFixed(2),
        `${(r.packageRssShare * 100).toFixed(0)}%`,
        r.tree.wallMs.toFixed(0),
        r.treeRatio.toFixed(2),
        r.tree.peakRssMb.toFixed(0),
        r.treeRssRatio.toFixed(2),
    ];
}

function tableRow(cells: string[]): string {
    return cells.map((c, i) => c.padStart(Math.max(HEADER[i].length, 6))).join("  ");
}

function progress(line: string): void {
    console.error(`bench: ${line}`);
}

function round(n: number, digits: number): number {
    return Number(n.toFixed(digits));
}

if (require.main === module) {
    process.exit(main());
}
