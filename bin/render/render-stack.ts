import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import * as YAML from "yaml";
import {
    analyzeColdStart,
    kubernetesManifests,
    orderText,
    prerequisitesText,
    ProgramError,
    runProgram,
    validateRegistrations,
    type ColdStartReport,
    type EngineResult,
    type ManifestProblem,
    type Registration,
} from "../../components/testing";
import { stackPrerequisites } from "./cold-start";
import { dataSafetyEntries, feedsOf, type DataSafetyEntry, type Shown } from "./data-safety";
import {
    otherResources,
    RELEASE_ORDER,
    renderManifests,
    renderReleases,
    RESOURCE_ORDER,
    toYaml,
    writeFiles,
    type RenderedManifest,
    type RenderedRelease,
} from "./files";
import { STACK_INVOKES } from "./invokes";
import { evaluateProgram } from "./load-program";
import { compare } from "./order";
import { duplicateObjects, misplacedSecrets, placeholderLeaks } from "./problems";
import { redactOutputs } from "./redact";
import { redactedText, secretSources } from "./secret-sources";
import { readStackConfig, StackConfigError, type StackConfig } from "./stack-config";
import { countByType, countsText, resourceTree } from "./tree";

const DATA_SAFETY_HEADER = `# The resources that hold data, or a key whose loss loses data (STATEFUL_RESOURCES in
# components/core/data-safety.ts): each should be retainOnDelete, and protect where the stack asks.
# render --diff lists in its danger list any of them removed, renamed or replaced.
`;

export interface RenderOptions {
    /** Stack name: `stacks/Pulumi.<stack>.yaml` (under the project's `stackConfigDir`). */
    stack: string;
    /** Folder holding `Pulumi.yaml`. */
    root: string;
    /** Folder the files are written to; nothing is written when absent. Existing render files there are replaced. */
    out?: string;
    /** Receives one line per phase (reading config, evaluating, validating, writing). */
    progress?: (line: string) => void;
    /** A stack file to read instead of `<stackConfigDir>/Pulumi.<stack>.yaml`, e.g. a variant under test. */
    stackFile?: string;
}

export interface RenderResult {
    /** The resource tree (component hierarchy; type and name per line). */
    tree: string;
    /** Registrations per type token, sorted by type. */
    counts: Record<string, number>;
    manifests: RenderedManifest[];
    releases: RenderedRelease[];
    /** Every object that would be refused, and every secret placeholder found outside a secret. */
    problems: ManifestProblem[];
    /** The stack's outputs, secret ones redacted. */
    outputs: Record<string, unknown>;
    /** The resources that hold data, with their data-safety options: what `data-safety.yaml` lists. */
    dataSafety: DataSafetyEntry[];
    /** Every rendered file by path relative to the output folder, sorted; what `out` receives. */
    files: Record<string, string>;
    /**
     * The cold-start view: the waves `pulumi up` creates the resources in on an empty cluster (the
     * `depth` is their number), and the declared prerequisites the stack uses. Its problems are in
     * `problems` too.
     */
    coldStart: ColdStartReport;
    /** Every registration of the run, as the mock engine recorded it (secrets in clear: never print these). */
    registrations: Registration[];
}

/**
 * Renders a stack offline: reads its config, runs its program under the mock engine (preview mode),
 * validates every Kubernetes object, checks the cold-start order and every name objects use
 * (`order.txt`, `prerequisites.yaml`), and returns (and writes to `out`) the resource tree, manifests,
 * Helm releases and outputs with every secret redacted. Throws {@link StackConfigError} for bad
 * config, {@link ProgramError} when the program fails otherwise; invalid objects are returned as
 * `problems`, not thrown, so the files can still be inspected.
 */
export async function renderStack(options: RenderOptions): Promise<RenderResult> {
    const progress = options.progress ?? (() => undefined);
    progress(`reading config of stack ${options.stack}`);
    const stackConfig = readStackConfig(options.root, options.stack, options.stackFile);

    progress(
        `evaluating ${path.relative(options.root, stackConfig.entry) || stackConfig.entry} under the mock engine`,
    );
    return renderEvaluation(options, stackConfig, await evaluateStack(stackConfig, options.stack));
}

/** A stack's program run under the mock engine, as {@link renderStack} runs it. */
export type StackEvaluation = EngineResult<unknown>;

/**
 * Renders an evaluation of the stack's program ({@link evaluateStack}): what {@link renderStack} does
 * after evaluating. The evaluation is read, never changed, so one evaluation can be rendered and
 * inspected by several callers.
 */
export async function renderEvaluation(
    options: RenderOptions,
    stackConfig: StackConfig,
    result: StackEvaluation,
): Promise<RenderResult> {
    const progress = options.progress ?? (() => undefined);
    const registrations = result.registrations;

    progress(`validating ${kubernetesManifests(registrations).length} Kubernetes objects`);
    const problems = await validateRegistrations(registrations);
    problems.push(...duplicateObjects(registrations), ...misplacedSecrets(registrations));

    progress("checking the cold-start order and every name the objects use");
    const coldStart = analyzeColdStart(registrations, {
        prerequisites: stackPrerequisites(stackConfig),
    });
    problems.push(...coldStart.problems);

    const sources = secretSources(stackConfig.placeholders, registrations);
    const redact = (secret: unknown) => redactedText(secret, sources);
    const manifests = renderManifests(registrations, redact);
    const releases = renderReleases(registrations, redact);
    const shown = new Map<Registration, Shown>();
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    for (const m of manifests) {
        shown.set(byUrn.get(m.urn) as Registration, { file: m.file, object: m.object });
    }
    for (const r of releases) {
        const registration = registrations.find(
            (x) => x.type === "kubernetes:helm.sh/v3:Release" && x.name === r.resource,
        ) as Registration;
        shown.set(registration, { file: r.file, object: `Release ${r.namespace}/${r.name}` });
    }
    const resources = otherResources(registrations, redact, feedsOf(registrations, shown));
    for (const r of resources) {
        shown.set(r.registration, {
            file: r.file,
            object: `${r.registration.type} ${r.registration.name}`,
        });
    }
    const dataSafety = dataSafetyEntries(registrations, shown);
    const outputs = redactOutputs(result.outputs, result.secretOutputs, redact);
    const tree = resourceTree(registrations);
    const counts = countByType(registrations);

    const files: Record<string, string> = {};
    files["tree.txt"] = `${tree}\n${countsText(counts)}`;
    files["outputs.yaml"] = toYaml(outputs);
    files["order.txt"] = orderText(coldStart);
    files["prerequisites.yaml"] = prerequisitesText(coldStart);
    if (dataSafety.length > 0) {
        // Each entry's keys in their declared order: the object and what it holds first.
        files["data-safety.yaml"] =
            `${DATA_SAFETY_HEADER}${YAML.stringify(dataSafety, { lineWidth: 0 })}`;
    }
    for (const m of manifests) {
        files[m.file] = toYaml(m.manifest);
    }
    for (const r of releases) {
        files[r.file] = toYaml(
            {
                name: r.name,
                namespace: r.namespace,
                repository: r.repository,
                chart: r.chart,
                version: r.version,
                values: r.values,
            },
            RELEASE_ORDER,
        );
    }
    for (const r of resources) {
        files[r.file] = toYaml(r.content, RESOURCE_ORDER);
    }
    problems.push(...placeholderLeaks(files, stackConfig.placeholders));
    // Chart folders and build contexts are absolute paths; relative ones render the same on every clone.
    const rootPrefix = `${path.resolve(options.root)}${path.sep}`;
    const sortedFiles = Object.fromEntries(
        Object.entries(files)
            .sort(([a], [b]) => compare(a, b))
            .map(([file, text]) => [file, text.split(rootPrefix).join("")]),
    );

    if (options.out) {
        progress(`writing ${Object.keys(sortedFiles).length} files to ${options.out}`);
        writeFiles(options.out, sortedFiles);
    }
    return {
        tree,
        counts,
        manifests,
        releases,
        problems,
        outputs,
        dataSafety,
        files: sortedFiles,
        coldStart,
        registrations,
    };
}

/**
 * Runs the stack's program under the mock engine with its config (preview mode, secure values as
 * placeholders). Refusals and missing config throw {@link StackConfigError}; other failures
 * {@link ProgramError}.
 */
export async function evaluateStack(
    stackConfig: StackConfig,
    stack: string,
): Promise<StackEvaluation> {
    try {
        return await runProgram(() => evaluateProgram(stackConfig.entry), {
            project: stackConfig.project,
            stack,
            preview: true,
            config: stackConfig.config,
            secretConfigKeys: stackConfig.secretKeys,
            invokes: STACK_INVOKES,
        });
    } catch (err) {
        const cause = err instanceof ProgramError ? err.cause : err;
        if (pulumi.InputPropertyError.isInstance(cause)) {
            // Refusals carry their path (after the instance's name); anything else gets it here.
            const reason = cause.reason.includes(`${cause.propertyPath}: `)
                ? cause.reason
                : `${cause.propertyPath}: ${cause.reason}`;
            throw new StackConfigError(reason, cause.propertyPath);
        }
        if (
            cause instanceof Error &&
            /^Missing required configuration variable|^Configuration '.*' value/.test(cause.message)
        ) {
            throw new StackConfigError(cause.message.split("\n")[0]);
        }
        throw err;
    }
}
