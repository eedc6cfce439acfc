import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as semver from "semver";
import * as YAML from "yaml";
import {
    dns1123LabelProblems,
    dns1123SubdomainProblems,
    invalidInput,
    joinPath,
    parseImageReference,
    shortHash,
    standardLabels,
} from "../core";

export type DagInstallerAction = "copy" | "remove" | "prefetch";

export const DAG_INSTALLER_ACTIONS: readonly DagInstallerAction[] = ["copy", "remove", "prefetch"];

/** Room left in a release name for the chart's `-<action>-<revision>` Job names (63 characters). */
const MAX_RELEASE_NAME = 40;

export interface DagInstallerChartArgs {
    /** The DAG installer image: a `ProcessingImage`, or `{ imageName }` without protocol. @example { imageName: "registry.example.com/team/dag-otsus-method:1.0.0" } */
    image: { imageName: pulumi.Input<string> };
    /** Namespace of the release: Airflow's services namespace. @example "services" */
    namespace: string;
    /** Names of the pull Secrets (service scope) in `namespace`. @example ["registry-service"] */
    imagePullSecrets: pulumi.Input<string>[];
    /** PersistentVolumeClaim of Airflow's DAG folder; required unless `action` is `prefetch`. @example "airflow-dags" */
    dagsClaimName?: pulumi.Input<string>;
    /** PersistentVolumeClaim of Airflow's plugin folder. Default: an emptyDir (plugins are not kept). @example "airflow-plugins" */
    pluginsClaimName?: pulumi.Input<string>;
    /** PersistentVolumeClaim mounted at `/kaapana/mounted/workflows/mounted_scripts`. Default: not mounted. */
    mountedScriptsClaimName?: pulumi.Input<string>;
    /** `copy` (with a pre-delete `remove` hook), `remove`, or `prefetch`. Default `copy`. */
    action?: DagInstallerAction;
    /**
     * A chart folder or packaged `.tgz` (e.g. a Kaapana workflow-extension chart), relative to the
     * Pulumi project or absolute. Default: the bundled `dag-installer` chart.
     * @example "extension/otsus-method-workflow-1.0.0.tgz"
     */
    chart?: string;
    /** Version of a `.tgz` chart whose file name does not end in `-<version>.tgz`. Default: read from the chart. @example "1.0.0" */
    chartVersion?: string;
    /** Helm release name, at most 40 characters. Default: derived from the resource name. @example "otsus-method" */
    releaseName?: string;
    /** Retries of a failed installer Job. Default 0: a failed copy fails the update at once. */
    backoffLimit?: number;
    /** Extra installer environment, e.g. `KAAPANA_BUILD_VERSION` for Kaapana images. Default: none. */
    env?: Record<string, string>;
    /** Chart values merged over the computed ones (top-level keys replace). Never put credentials here. */
    values?: Record<string, unknown>;
}

/** The values of the bundled chart, as `values.schema.json` describes them. */
export interface DagInstallerValues {
    image: string;
    action: DagInstallerAction;
    imagePullSecrets: { name: string }[];
    dagsClaimName: string;
    pluginsClaimName: string;
    mountedScriptsClaimName: string;
    backoffLimit: number;
    labels: Record<string, string>;
    env: Record<string, string>;
}

/** A chart resolved from the args: where it is and which version is pinned. */
export interface ResolvedChart {
    /** Path given to Helm: relative to the working directory, so state does not depend on the checkout location. */
    chart: string;
    version: string;
    bundled: boolean;
}

/**
 * Installs a dag-installer chart with `helm.v3.Release`: the installer image runs as a Job with
 * `ACTION=copy` (and a pre-delete hook Job with `ACTION=remove`), `remove`, or a `prefetch`
 * Deployment. The chart version is pinned and `waitForJobs` makes a failed copy fail the update.
 */
export class DagInstallerChart extends pulumi.ComponentResource {
    /** The Helm release name. */
    public readonly releaseName: pulumi.Output<string>;
    /** The release namespace. */
    public readonly namespace: pulumi.Output<string>;
    /** The chart version that was installed. */
    public readonly chartVersion: string;

    constructor(name: string, args: DagInstallerChartArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = checkDagInstallerArgs(name, args);
        super("pipeline-platform:dags:DagInstallerChart", name, {}, opts);

        const values = pulumi
            .all([
                args.image.imageName,
                pulumi.all(args.imagePullSecrets),
                args.dagsClaimName ?? "",
                args.pluginsClaimName ?? "",
                args.mountedScriptsClaimName ?? "",
            ])
            .apply(([image, pullSecrets, dags, plugins, scripts]) => {
                const computed = dagInstallerValues({
                    image,
                    action: plan.action,
                    imagePullSecrets: pullSecrets,
                    dagsClaimName: dags,
                    pluginsClaimName: plugins,
                    mountedScriptsClaimName: scripts,
                    backoffLimit: plan.backoffLimit,
                    env: args.env ?? {},
                });
                const merged = { ...computed, ...(args.values ?? {}) };
                if (plan.chart.bundled) {
                    assertValidValues(merged);
                }
                return merged;
            });

        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: plan.releaseName,
                namespace: args.namespace,
                chart: plan.chart.chart,
                version: plan.chart.version,
                values,
                waitForJobs: true,
                maxHistory: 5,
            },
            { parent: this },
        );

        this.releaseName = release.name;
        this.namespace = pulumi.output(args.namespace);
        this.chartVersion = plan.chart.version;
        this.registerOutputs({
            releaseName: this.releaseName,
            namespace: this.namespace,
            chartVersion: this.chartVersion,
        });
    }
}

/** Validates every plain argument before anything is registered; returns what the class wires. */
export function checkDagInstallerArgs(
    name: string,
    args: DagInstallerChartArgs,
): { action: DagInstallerAction; releaseName: string; backoffLimit: number; chart: ResolvedChart } {
    const action = args.action ?? "copy";
    if (!DAG_INSTALLER_ACTIONS.includes(action)) {
        invalidInput({
            path: "action",
            given: action,
            expected: `one of ${DAG_INSTALLER_ACTIONS.join(", ")}`,
            example: "copy",
        });
    }
    if (args.image === undefined || args.image === null || args.image.imageName === undefined) {
        invalidInput({
            path: "image",
            given: args.image,
            expected: "a ProcessingImage or { imageName }",
            example: '{ imageName: "registry.example.com/team/dag-otsus-method:1.0.0" }',
        });
    }
    if (typeof args.image.imageName === "string") {
        parseImageReference(args.image.imageName, "image.imageName");
    }
    if (typeof args.namespace !== "string" || dns1123LabelProblems(args.namespace).length > 0) {
        invalidInput({
            path: "namespace",
            given: args.namespace,
            expected: "a namespace name (DNS-1123 label)",
            example: "services",
        });
    }
    if (!Array.isArray(args.imagePullSecrets)) {
        invalidInput({
            path: "imagePullSecrets",
            given: args.imagePullSecrets,
            expected: "a list of Secret names (empty for a public image)",
            example: '["registry-service"]',
        });
    }
    args.imagePullSecrets.forEach((secret, i) =>
        checkObjectName(secret, joinPath("imagePullSecrets", i), "registry-service"),
    );
    if (action !== "prefetch" && (args.dagsClaimName === undefined || args.dagsClaimName === "")) {
        invalidInput({
            path: "dagsClaimName",
            given: args.dagsClaimName,
            expected: `Airflow's DAG PersistentVolumeClaim (the ${action} Job writes there)`,
            example: "airflow-dags",
        });
    }
    for (const key of ["dagsClaimName", "pluginsClaimName", "mountedScriptsClaimName"] as const) {
        if (args[key] !== undefined) {
            checkObjectName(args[key], key, "airflow-dags");
        }
    }
    const backoffLimit = args.backoffLimit ?? 0;
    if (!Number.isInteger(backoffLimit) || backoffLimit < 0 || backoffLimit > 10) {
        invalidInput({
            path: "backoffLimit",
            given: args.backoffLimit,
            expected: "an integer from 0 to 10",
            example: "0",
        });
    }
    for (const key of Object.keys(args.env ?? {})) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || key === "ACTION") {
            invalidInput({
                path: joinPath("env", key),
                given: key,
                expected: "an environment variable name other than ACTION (set by the chart)",
                example: "KAAPANA_BUILD_VERSION",
            });
        }
    }
    return {
        action,
        releaseName: releaseNameFor(name, args.releaseName),
        backoffLimit,
        chart: resolveChart(args.chart, args.chartVersion),
    };
}

/** The values the bundled chart receives; pull secrets are Secret names only. */
export function dagInstallerValues(input: {
    image: string;
    action: DagInstallerAction;
    imagePullSecrets: string[];
    dagsClaimName: string;
    pluginsClaimName: string;
    mountedScriptsClaimName: string;
    backoffLimit: number;
    env: Record<string, string>;
}): DagInstallerValues {
    parseImageReference(input.image, "image.imageName");
    return {
        image: input.image,
        action: input.action,
        imagePullSecrets: input.imagePullSecrets.map((name) => ({ name })),
        dagsClaimName: input.dagsClaimName,
        pluginsClaimName: input.pluginsClaimName,
        mountedScriptsClaimName: input.mountedScriptsClaimName,
        backoffLimit: input.backoffLimit,
        labels: standardLabels("dags"),
        env: input.env,
    };
}

/** The folder of the bundled chart: beside this file, or in the package's `components/dags/chart`. */
export function bundledChartDir(): string {
    const candidates = [
        path.join(__dirname, "chart"),
        path.resolve(__dirname, "..", "..", "..", "components", "dags", "chart"),
    ];
    const found = candidates.find((dir) => fs.existsSync(path.join(dir, "Chart.yaml")));
    if (!found) {
        throw new Error(
            `the bundled dag-installer chart is missing; looked in ${candidates.join(" and ")}`,
        );
    }
    return found;
}

/** The chart to install and its pinned version: the bundled chart, a chart folder, or a `.tgz`. */
type ChartMetadata = { name?: unknown; version?: unknown } | null;
const chartMetadataCache = new Map<string, ChartMetadata>();

/** A Chart.yaml, read once per process: a platform installs the same chart for every extension. */
function chartMetadata(chartFile: string): ChartMetadata {
    const key = path.resolve(chartFile);
    let meta = chartMetadataCache.get(key);
    if (meta === undefined) {
        meta = YAML.parse(fs.readFileSync(key, "utf8")) as ChartMetadata;
        chartMetadataCache.set(key, meta);
    }
    return meta;
}

export function resolveChart(chart: string | undefined, chartVersion?: string): ResolvedChart {
    const dir = chart === undefined ? bundledChartDir() : chart;
    const reject = (expected: string): never =>
        invalidInput({
            path: "chart",
            given: chart,
            expected,
            example: "extension/otsus-method-workflow",
        });
    if (typeof dir !== "string" || dir === "" || !fs.existsSync(dir)) {
        return reject(
            `a chart folder or .tgz that exists (looked for ${path.resolve(String(dir ?? ""))})`,
        );
    }
    let version: string | undefined;
    if (fs.statSync(dir).isDirectory()) {
        const chartFile = path.join(dir, "Chart.yaml");
        if (!fs.existsSync(chartFile)) {
            return reject(`a Helm chart folder with a Chart.yaml (none in ${path.resolve(dir)})`);
        }
        const meta = chartMetadata(chartFile);
        if (
            !meta ||
            typeof meta.name !== "string" ||
            typeof meta.version !== "string" ||
            !semver.valid(meta.version)
        ) {
            return reject(
                `a Chart.yaml with a name and a semver version (${path.resolve(chartFile)})`,
            );
        }
        version = meta.version;
    } else {
        if (!/\.tgz$/.test(dir) || !isGzip(dir)) {
            return reject("a chart folder or a packaged chart (.tgz, as written by helm package)");
        }
        version =
            chartVersion ??
            /-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)\.tgz$/.exec(
                path.basename(dir),
            )?.[1];
        if (version === undefined || !semver.valid(version)) {
            return invalidInput({
                path: "chartVersion",
                given: chartVersion,
                expected: "the chart's semver version (the .tgz file name does not carry one)",
                example: "1.0.0",
            });
        }
    }
    const relative = path.relative(process.cwd(), path.resolve(dir));
    return {
        chart: relative.startsWith("..") || path.isAbsolute(relative) ? relative : `./${relative}`,
        version,
        bundled: chart === undefined,
    };
}

/** A Helm release name that leaves room for the chart's Job names. */
export function releaseNameFor(name: string, given?: string): string {
    if (given !== undefined) {
        if (
            typeof given !== "string" ||
            given.length > MAX_RELEASE_NAME ||
            dns1123LabelProblems(given).length > 0
        ) {
            invalidInput({
                path: "releaseName",
                given,
                expected: `a DNS-1123 label of at most ${MAX_RELEASE_NAME} characters`,
                example: "otsus-method",
            });
        }
        return given;
    }
    const candidate = name
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .replace(/^-+|-+$/g, "");
    if (candidate === name && name.length > 0 && name.length <= MAX_RELEASE_NAME) {
        return name;
    }
    const head = candidate.slice(0, MAX_RELEASE_NAME - 8).replace(/-+$/, "");
    return `${head || "x"}-${shortHash(name)}`;
}

let schemaValidator: ReturnType<Ajv["compile"]> | undefined;

/** Validates values against the bundled chart's `values.schema.json`, as Helm will. */
export function valuesProblems(values: unknown): string[] {
    if (!schemaValidator) {
        const schema = JSON.parse(
            fs.readFileSync(path.join(bundledChartDir(), "values.schema.json"), "utf8"),
        );
        schemaValidator = new Ajv({ allErrors: true, strict: false }).compile(schema);
    }
    if (schemaValidator(values)) {
        return [];
    }
    return (schemaValidator.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}

function assertValidValues(values: unknown): void {
    const problems = valuesProblems(values);
    if (problems.length > 0) {
        invalidInput({
            path: "values",
            given: problems,
            expected: "values the dag-installer chart's values.schema.json accepts",
            example: "{ backoffLimit: 1 }",
        });
    }
}

function checkObjectName(value: unknown, propertyPath: string, example: string): void {
    if (typeof value === "string" && dns1123SubdomainProblems(value).length > 0) {
        invalidInput({
            path: propertyPath,
            given: value,
            expected: "a Kubernetes object name (lower-case letters, digits, '-', '.')",
            example,
        });
    }
}

function isGzip(file: string): boolean {
    const fd = fs.openSync(file, "r");
    try {
        const head = Buffer.alloc(2);
        return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
    } finally {
        fs.closeSync(fd);
    }
}
