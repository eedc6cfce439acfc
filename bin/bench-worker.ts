// One measurement of `npm run bench`, in a fresh process so no run warms another:
//   node --require ./bin/render/register-ts.js bin/bench-worker.ts subject <module> <extensions> <projects> <resources.json> [<profile>]
//       evaluates the module's `benchProgram({ extensions, projects })` and writes what it registered;
//   node --require ./bin/render/register-ts.js bin/bench-worker.ts baseline <resources.json> [<profile>]
//       registers the same leaf resources directly, with no components: the SDK's own floor;
//   node --require ./bin/render/register-ts.js bin/bench-worker.ts tree <resources.json> [<profile>]
//       registers the same components (empty) and leaf resources in the same tree: the SDK's floor
//       for that component tree, everything the package computes left out.
// The baselines register each leaf through its provider SDK's class (`k8s.core.v1.Secret`,
// `docker.Image`, …) with the inputs the platform gave it, as the platform does: a class declares
// every output property of its resource, and the SDK makes an Output for each on every
// registration, which is the SDK's cost, not the package's.
// Both measure from just before the evaluation to after the engine has settled (module loading and
// TypeScript compilation are not counted), optionally CPU-profile exactly that window, and print one
// JSON line: a WorkerResult.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import { Session } from "inspector/promises";
import * as path from "path";
import { runProgram, type Registration } from "../components/testing";
import { leafClasses, type NewLeaf } from "./bench-leaves";
import { STACK_INVOKES } from "./render";

/** What one measurement prints. */
export interface WorkerResult {
    leafResources: number;
    componentResources: number;
    /** Evaluation wall time, from before the program runs to the settled engine. */
    wallMs: number;
    /** `process.resourceUsage().maxRSS` after the evaluation, in MiB. */
    peakRssMb: number;
    /** Resident set size before the evaluation (runtime and modules loaded), in MiB. */
    startRssMb: number;
}

/** A registration as the baselines register it again; parents come before their children. */
export interface RecordedResource {
    type: string;
    name: string;
    custom: boolean;
    /** Index of the parent in the recorded list. */
    parent?: number;
    inputs: Record<string, unknown>;
    secretPaths: string[];
}

async function main(argv: string[]): Promise<WorkerResult> {
    const [mode, ...rest] = argv;
    if (mode === "subject") {
        const [module, extensions, projects, resourcesFile, profileFile] = rest;
        // Loaded through require, so the TypeScript loader the worker runs with loads it too.
        const subject: {
            benchProgram(size: { extensions: number; projects: number }): () => unknown;
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is an argument
        } = require(path.resolve(module));
        const program = subject.benchProgram({
            extensions: Number(extensions),
            projects: Number(projects),
        });
        const { result, registrations } = await measure(program, profileFile);
        fs.writeFileSync(resourcesFile, JSON.stringify(recordTree(registrations)));
        return result;
    }
    if (mode === "baseline" || mode === "tree") {
        const [resourcesFile, profileFile] = rest;
        const recorded: RecordedResource[] = JSON.parse(fs.readFileSync(resourcesFile, "utf8"));
        // The SDK classes are looked up inside the measured window: the platform's evaluation loads
        // each class's module on first use too.
        const program =
            mode === "baseline"
                ? () => registerFlat(recorded, leafClasses(recorded))
                : () => registerTree(recorded, leafClasses(recorded));
        return (await measure(program, profileFile)).result;
    }
    throw new Error(`unknown mode ${JSON.stringify(mode)}: expected subject, baseline or tree`);
}

/** The registrations, parents first, with parents as indexes. */
function recordTree(registrations: Registration[]): RecordedResource[] {
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const depth = (r: Registration): number => {
        const parent = r.parent === undefined ? undefined : byUrn.get(r.parent);
        return parent ? 1 + depth(parent) : 0;
    };
    const ordered = registrations
        .map((r, i) => ({ r, i, d: depth(r) }))
        .sort((a, b) => a.d - b.d || a.i - b.i)
        .map(({ r }) => r);
    const index = new Map(ordered.map((r, i) => [r.urn, i]));
    return ordered.map((r) => ({
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent === undefined ? undefined : index.get(r.parent),
        inputs: r.custom ? r.inputs : {},
        secretPaths: r.custom ? r.secretPaths : [],
    }));
}

function registerFlat(recorded: RecordedResource[], leaves: (type: string) => NewLeaf): void {
    for (const r of recorded) {
        if (r.custom) {
            leaves(r.type)(r.name, withSecrets(r.inputs, r.secretPaths));
        }
    }
}

function registerTree(recorded: RecordedResource[], leaves: (type: string) => NewLeaf): void {
    const created: pulumi.Resource[] = [];
    for (const r of recorded) {
        const opts = { parent: r.parent === undefined ? undefined : created[r.parent] };
        if (r.custom) {
            created.push(leaves(r.type)(r.name, withSecrets(r.inputs, r.secretPaths), opts));
        } else {
            created.push(new Component(r.type, r.name, opts));
        }
    }
}

/** Any component by type token, with no children of its own making. */
class Component extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.registerOutputs({});
    }
}

async function measure(
    program: () => unknown,
    profileFile: string | undefined,
): Promise<{ result: WorkerResult; registrations: Registration[] }> {
    const session = profileFile ? await startProfiler() : undefined;
    const startRss = process.memoryUsage().rss;
    const started = performance.now();
    const { registrations } = await runProgram(program, { invokes: STACK_INVOKES, stack: "bench" });
    const wallMs = performance.now() - started;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    if (session && profileFile) {
        const { profile } = await session.post("Profiler.stop");
        fs.writeFileSync(profileFile, JSON.stringify(profile));
        session.disconnect();
    }
    const leafResources = registrations.filter((r) => r.custom).length;
    return {
        result: {
            leafResources,
            componentResources: registrations.length - leafResources,
            wallMs,
            peakRssMb,
            startRssMb: startRss / 2 ** 20,
        },
        registrations,
    };
}

async function startProfiler(): Promise<Session> {
    const session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
    return session;
}

/** Wraps the value at each recorded secret path in `pulumi.secret`, as the measured program had it. */
function withSecrets(
    inputs: Record<string, unknown>,
    secretPaths: string[],
): Record<string, unknown> {
    const copy = structuredClone(inputs);
    for (const secretPath of secretPaths) {
        const keys = propertyPathKeys(secretPath);
        const last = keys.pop() as string;
        const holder = keys.reduce<unknown>(
            (node, key) => (node as Record<string, unknown> | null | undefined)?.[key],
            copy,
        ) as Record<string, unknown> | null | undefined;
        if (holder && last in holder) {
            holder[last] = pulumi.secret(holder[last]);
        }
    }
    return copy;
}

/** `stringData[".dockerconfigjson"]` -> `["stringData", ".dockerconfigjson"]`, the engine's path syntax. */
function propertyPathKeys(propertyPath: string): string[] {
    const keys: string[] = [];
    for (const m of propertyPath.matchAll(
        /(?:^|\.)([A-Za-z_$][\w$]*)|\[(\d+|"(?:[^"\\]|\\.)*")\]/g,
    )) {
        keys.push(m[1] ?? (m[2].startsWith('"') ? JSON.parse(m[2]) : m[2]));
    }
    return keys;
}

main(process.argv.slice(2)).then(
    (result) => {
        console.log(JSON.stringify(result));
        process.exit(0);
    },
    (err) => {
        console.error(`bench-worker: ${err?.stack ?? err}`);
        process.exit(1);
    },
);
