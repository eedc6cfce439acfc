import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import {
    analyzeColdStart,
    kubernetesManifests,
    orderText,
    prerequisitesText,
    ProgramError,
    runProgram,
    validateRegistrations,
    type ColdStartReport,
    type ManifestProblem,
} from "../../components/testing";
import { stackPrerequisites } from "./cold-start";
import {
    otherResources,
    renderManifests,
    renderReleases,
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
import { readStackConfig, StackConfigError, type StackConfig } from "./stack-config";
import { countByType, countsText, resourceTree } from "./tree";

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
    /** Every rendered file by path relative to the output folder, sorted; what `out` receives. */
    files: Record<string, string>;
    /**
     * The cold-start view: the waves `pulumi up` creates the resources in on an empty cluster (the
     * `depth` is their number), and the declared prerequisites the stack uses. Its problems are in
     * `problems` too.
     */
    coldStart: ColdStartReport;
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
    const result = await runStackProgram(stackConfig, options.stack);
    const registrations = result.registrations;

    progress(`validating ${kubernetesManifests(registrations).length} Kubernetes objects`);
    const problems = await validateRegistrations(registrations);
    problems.push(...duplicateObjects(registrations), ...misplacedSecrets(registrations));

    progress("checking the cold-start order and every name the objects use");
    const coldStart = analyzeColdStart(registrations, {
        prerequisites: stackPrerequisites(stackConfig),
    });
    problems.push(...coldStart.problems);

    const manifests = renderManifests(registrations);
    const releases = renderReleases(registrations);
    const outputs = redactOutputs(result.outputs, result.secretOutputs);
    const tree = resourceTree(registrations);
    const counts = countByType(registrations);

    const files: Record<string, string> = {};
    files["tree.txt"] = `${tree}\n${countsText(counts)}`;
    files["outputs.yaml"] = toYaml(outputs);
    files["order.txt"] = orderText(coldStart);
    files["prerequisites.yaml"] = prerequisitesText(coldStart);
    for (const m of manifests) {
        files[m.file] = toYaml(m.manifest);
    }
    for (const r of releases) {
        files[r.file] = toYaml({
            name: r.name,
            namespace: r.namespace,
            chart: r.chart,
            version: r.version,
            values: r.values,
        });
    }
    for (const [file, inputs] of otherResources(registrations)) {
        files[file] = toYaml(inputs);
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
        files: sortedFiles,
        coldStart,
    };
}

async function runStackProgram(stackConfig: StackConfig, stack: string) {
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
            const reason = cause.reason.startsWith(`${cause.propertyPath}:`)
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
