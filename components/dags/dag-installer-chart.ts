import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ErrorObject, ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as semver from "semver";
import * as YAML from "yaml";
import {
    FORMATS,
    holdsDeferred,
    invalidInput,
    redactUserinfo,
    joinPath,
    planComponent,
    reportRefusals,
    shortHash,
    standardLabels,
    unknownKey,
    usePlan,
    whenKnown,
    type ImageReferenceText,
    type NamespaceName,
    type ObjectName,
    type Planned,
    type Reporter,
    type SecretName,
    type SemVer,
} from "../core";
import type { ProcessingImage } from "../images";
import { refuseGuardedInstallerValues } from "./guarded-values";
import {
    KAAPANA,
    kaapanaGlobals,
    kaapanaImage,
    packageKaapanaChart,
    readKaapanaChart,
    writeKaapanaArchive,
    type InstallerTarget,
    type KaapanaChart,
    type KaapanaImage,
    type KaapanaTarget,
} from "./kaapana";

/** `copy` (with a pre-delete `remove` hook), `remove`, or `prefetch`. */
export type DagInstallerAction = "copy" | "remove" | "prefetch";

/** Room left in a release name for the chart's `-<action>-<revision>` Job names (63 characters). */
const MAX_RELEASE_NAME = 40;

export interface DagInstallerChartArgs {
    /**
     * The DAG installer image: a `ProcessingImage`, or `{ imageName }` (a reference without
     * protocol, with a tag or digest).
     * @example { imageName: "registry.example.com/team/dag-otsus-method:1.0.0" }
     */
    image: ProcessingImage | { imageName: pulumi.Input<ImageReferenceText> };
    /**
     * Namespace the installer runs in: Airflow's services namespace (Kaapana's `global.services_namespace`
     * for a Kaapana target, whose release lives in its admin namespace).
     * @example "services"
     */
    namespace: NamespaceName;
    /**
     * Where the installer installs: this platform (default, `{ platform: "pipeline-platform" }`: the
     * bundled chart and this package's installer convention) or an existing Kaapana platform
     * (`{ platform: "kaapana", … }`: the Kaapana workflow-extension chart in `chart`, packaged with
     * Kaapana's dag-installer chart and installed with the `global.*` values that chart reads).
     * @example { platform: "kaapana", registryUrl: "registry.example.com/kaapana", buildVersion: "0.6.0", mainNodeName: "kaapana-main" }
     */
    target?: InstallerTarget;
    /**
     * Names of the pull Secrets (service scope) in `namespace`; empty for a public image and for a
     * Kaapana target (Kaapana's chart pulls with `registry-secret` and `registry-secret-<hash>`).
     * @uniqueItems true
     * @example ["registry-service"]
     */
    imagePullSecrets: pulumi.Input<SecretName>[];
    /**
     * PersistentVolumeClaim of Airflow's DAG folder; required unless `action` is `prefetch`.
     * @example "airflow-dags"
     */
    dagsClaimName?: pulumi.Input<ObjectName>;
    /**
     * PersistentVolumeClaim of Airflow's plugin folder. Default: an emptyDir (plugins are not kept).
     * @example "airflow-plugins"
     */
    pluginsClaimName?: pulumi.Input<ObjectName>;
    /**
     * PersistentVolumeClaim mounted at `/kaapana/mounted/workflows/mounted_scripts`. Default: not mounted.
     * @example "airflow-scripts"
     */
    mountedScriptsClaimName?: pulumi.Input<ObjectName>;
    /**
     * What the installer does: `copy` (with a pre-delete `remove` hook), `remove`, or `prefetch`. Default `copy`.
     * @example "copy"
     */
    action?: DagInstallerAction;
    /**
     * A chart folder or packaged `.tgz` with the bundled chart's values interface, relative to the
     * Pulumi project or absolute. Default: the bundled `dag-installer` chart. For a Kaapana target:
     * the Kaapana workflow-extension chart folder (required).
     * @minLength 1
     * @example "extension/otsus-method-workflow-1.0.0.tgz"
     */
    chart?: string;
    /**
     * Version of a `.tgz` chart whose file name does not end in `-<version>.tgz`. Default: read from
     * the file name. For a Kaapana target: the version the chart is packaged with, which is also the
     * dag-installer chart's version and so the installer image's tag (default: its Chart.yaml's).
     * @example "1.0.0"
     */
    chartVersion?: SemVer;
    /**
     * Helm release name, at most 40 characters (the chart's Job names add to it). Default: the
     * resource name, which must then be a DNS-1123 label (cut to 40 characters with a hash when longer).
     * @maxLength 40
     * @example "otsus-method"
     */
    releaseName?: ObjectName;
    /**
     * Retries of a failed installer Job. Default 0: a failed copy fails the update at once.
     * @asType integer
     * @minimum 0
     * @maximum 10
     * @example 0
     */
    backoffLimit?: number;
    /**
     * Extra installer environment; `ACTION` and `SERVICES_NAMESPACE` are set by the chart. Default: none.
     * @propertyNames { "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "description": "An environment variable name: letters, digits and '_', not starting with a digit.", "examples": ["LOG_LEVEL"] }
     * @example { LOG_LEVEL: "debug" }
     */
    env?: Record<string, string>;
    /**
     * Chart values merged over the computed ones (top-level keys replace); checked against the
     * bundled chart's `values.schema.json` (a value holding an Output once it resolves). Never put
     * credentials here.
     * @example { activeDeadlineSeconds: 900 }
     */
    values?: Record<string, unknown>;
}

/** What a DagInstallerChart builds: the checked args and what follows from them. */
export interface DagInstallerChartBuild {
    args: DagInstallerChartArgs;
    action: DagInstallerAction;
    releaseName: string;
    backoffLimit: number;
    chart: ResolvedChart;
    /** For a Kaapana target: the target and the workflow-extension chart read for packaging. */
    kaapana?: { target: KaapanaTarget; chart: KaapanaChart };
    /** `values` hold Outputs: the bundled chart's schema checks them once they resolve. */
    checkValuesLater: boolean;
    /** Reports refusals found while building (values known only during `pulumi up`). */
    reporter: Reporter;
}

/** A DagInstallerChart's validated input; see {@link planDagInstallerChart}. */
export type DagInstallerChartPlan = Planned<"DagInstallerChart", DagInstallerChartBuild>;

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

    constructor(
        name: string,
        args: DagInstallerChartArgs | DagInstallerChartPlan,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const plan = usePlan("DagInstallerChart", name, args, planDagInstallerChart);
        super("pipeline-platform:dags:DagInstallerChart", name, {}, opts);
        const { args: checked } = plan;
        if (plan.kaapana !== undefined) {
            // Kaapana's Jobs pull with Secrets the caller creates: the release waits for what the chart waits for.
            const release = kaapanaRelease(name, plan, plan.kaapana, this, opts?.dependsOn);
            this.releaseName = release.name;
            this.namespace = release.namespace;
            this.chartVersion = plan.chart.version;
            this.registerOutputs({
                releaseName: this.releaseName,
                namespace: this.namespace,
                chartVersion: this.chartVersion,
            });
            return;
        }

        const inputs = {
            image: checked.image.imageName,
            imagePullSecrets: checked.imagePullSecrets,
            dagsClaimName: checked.dagsClaimName ?? "",
            pluginsClaimName: checked.pluginsClaimName ?? "",
            mountedScriptsClaimName: checked.mountedScriptsClaimName ?? "",
            overrides: checked.values ?? {},
        };
        const merged = ({ overrides, ...known }: pulumi.Unwrap<typeof inputs>) => {
            const computed = dagInstallerValues({
                ...known,
                action: plan.action,
                backoffLimit: plan.backoffLimit,
                env: checked.env ?? {},
            });
            reportRefusals(plan.reporter, () => {
                if (plan.checkValuesLater) {
                    checkValues(overrides, { ...computed });
                }
                // Guarded keys are top-level, known while planning; a credential may sit in an Output.
                refuseGuardedInstallerValues({ values: overrides }, false);
            });
            return { ...computed, ...overrides };
        };
        // Known while planning (and checked there), the values stay plain.
        const values = whenKnown(inputs, merged);

        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: plan.releaseName,
                namespace: checked.namespace,
                chart: plan.chart.chart,
                version: plan.chart.version,
                values,
                waitForJobs: true,
                maxHistory: 5,
            },
            { parent: this },
        );

        this.releaseName = release.name;
        this.namespace = pulumi.output(checked.namespace);
        this.chartVersion = plan.chart.version;
        this.registerOutputs({
            releaseName: this.releaseName,
            namespace: this.namespace,
            chartVersion: this.chartVersion,
        });
    }
}

/**
 * Checks a DagInstallerChart's args without creating anything (the chart must exist, and `values`
 * must pass the bundled chart's `values.schema.json` together with the values known now) and
 * returns the plan its constructor builds from. Values only known later (an Output image name or
 * claim) are checked by their own formats when they resolve.
 */
export function planDagInstallerChart(
    name: string,
    args: DagInstallerChartArgs,
    reporter?: Reporter,
): DagInstallerChartPlan {
    return planComponent(
        "DagInstallerChart",
        "DagInstallerChartArgs",
        name,
        args,
        (checked: DagInstallerChartArgs, reported: Reporter) => {
            const action = checked.action ?? "copy";
            if (checked.target?.platform === "kaapana") {
                return planKaapana(name, checked, checked.target, action, reported);
            }
            if (action !== "prefetch" && checked.dagsClaimName === undefined) {
                invalidInput({
                    path: "dagsClaimName",
                    given: undefined,
                    expected: `Airflow's DAG PersistentVolumeClaim (the ${action} Job writes there)`,
                    example: "airflow-dags",
                });
            }
            if (checked.env !== undefined && Object.hasOwn(checked.env, "ACTION")) {
                invalidInput({
                    path: "env.ACTION",
                    given: "ACTION",
                    expected: "an environment variable name other than ACTION (the chart sets it)",
                    example: "LOG_LEVEL",
                });
            }
            const backoffLimit = checked.backoffLimit ?? 0;
            const chart = resolveChart(checked.chart, checked.chartVersion);
            const checkValuesLater = chart.bundled && planValues(checked, action, backoffLimit);
            refuseGuardedInstallerValues(checked, chart.bundled);
            return {
                args: checked,
                action,
                releaseName: releaseNameFor(name, checked.releaseName),
                backoffLimit,
                chart,
                checkValuesLater,
                reporter: reported,
            };
        },
        reporter,
    );
}

/** What a Kaapana target's chart does not read, and why: each is refused when given. */
const NOT_FOR_KAAPANA: Array<[keyof DagInstallerChartArgs, string]> = [
    ["dagsClaimName", `Kaapana's chart mounts ${KAAPANA.claims.dags}`],
    ["pluginsClaimName", `Kaapana's chart mounts ${KAAPANA.claims.plugins}`],
    ["mountedScriptsClaimName", "Kaapana 0.6.0's chart mounts no scripts claim"],
    ["env", "Kaapana's chart sets the installer's environment from its global values"],
    ["backoffLimit", "Kaapana's chart fixes backoffLimit 0"],
    ["values", "Kaapana's chart reads only global.* values, which the target sets"],
];

/**
 * The plan for a Kaapana target: the workflow-extension chart read for packaging with the version
 * its dag-installer dependency gets (the installer image's tag), and everything Kaapana's chart
 * would ignore refused.
 */
function planKaapana(
    name: string,
    checked: DagInstallerChartArgs,
    target: KaapanaTarget,
    action: DagInstallerAction,
    reporter: Reporter,
): DagInstallerChartBuild {
    for (const [key, why] of NOT_FOR_KAAPANA) {
        if (checked[key] !== undefined) {
            invalidInput({
                path: key,
                given: checked[key],
                expected: `nothing for a Kaapana target (${why})`,
                example: "(leave it out)",
            });
        }
    }
    if (checked.imagePullSecrets.length > 0) {
        invalidInput({
            path: "imagePullSecrets",
            given: checked.imagePullSecrets,
            expected: `[] for a Kaapana target (Kaapana's chart pulls with ${KAAPANA.pullSecret} and, for a custom registry, ${KAAPANA.pullSecret}-<hash>; kaapanaPullSecretName(<registry>) names it)`,
            example: [],
        });
    }
    if (checked.chart === undefined) {
        invalidInput({
            path: "chart",
            given: undefined,
            expected:
                "the Kaapana workflow-extension chart folder (a Chart.yaml depending on dag-installer-chart, a values.yaml)",
            example: "kaapana/otsus-method-workflow",
        });
    }
    const chart = readKaapanaChart(checked.chart, checked.chartVersion, target);
    const reference = known(checked.image.imageName);
    if (reference !== undefined) {
        checkKaapanaImage(reference, chart.version);
    }
    return {
        args: checked,
        action,
        releaseName: releaseNameFor(name, checked.releaseName),
        backoffLimit: 0,
        chart: { chart: chart.archivePath, version: chart.version, bundled: false },
        kaapana: { target, chart },
        checkValuesLater: false,
        reporter,
    };
}

/** Refuses an installer image Kaapana's chart cannot pull: it must be `<registry>/<name>:<version>`. */
function checkKaapanaImage(reference: string, version: string): KaapanaImage {
    const image = kaapanaImage(reference);
    if (typeof image === "string") {
        invalidInput({
            path: "image.imageName",
            given: reference,
            expected: image,
            example: `registry.example.com/team/dag-otsus-method:${version}`,
        });
    }
    if (image.tag !== version) {
        invalidInput({
            path: "image.imageName",
            given: reference,
            expected: `the tag ${version}: Kaapana's chart pulls the installer image tagged with the dag-installer chart's version, which is the packaged version`,
            example: `${image.registry}/${image.image}:${version}`,
        });
    }
    return image;
}

/**
 * The Helm release of a Kaapana target: the packaged chart (written once the image is known) in
 * Kaapana's admin namespace, as kube-helm installs extensions, with the `global.*` values. Kaapana's
 * Jobs have fixed names and immutable templates, so any change replaces the release: the old one's
 * pre-delete hook removes its files first.
 */
function kaapanaRelease(
    name: string,
    plan: DagInstallerChartBuild,
    kaapana: { target: KaapanaTarget; chart: KaapanaChart },
    parent: pulumi.Resource,
    dependsOn: pulumi.ComponentResourceOptions["dependsOn"],
): k8s.helm.v3.Release {
    const { chart, target } = kaapana;
    const globals = pulumi.output(plan.args.image.imageName).apply((reference) =>
        reportRefusals(plan.reporter, () => {
            const image = checkKaapanaImage(reference, chart.version);
            const values = kaapanaGlobals({
                target,
                servicesNamespace: plan.args.namespace,
                image,
                action: plan.action,
            });
            writeKaapanaArchive(chart, packageKaapanaChart(chart, values));
            return values;
        }),
    );
    return new k8s.helm.v3.Release(
        `${name}-release`,
        {
            name: plan.releaseName,
            namespace: target.adminNamespace ?? KAAPANA.defaultAdminNamespace,
            // Known once the archive is written, so Helm never reads an older one.
            chart: globals.apply(() => chart.archivePath),
            version: chart.version,
            values: { global: globals },
            waitForJobs: true,
            maxHistory: 5,
        },
        { parent, dependsOn, replaceOnChanges: ["*"], deleteBeforeReplace: true },
    );
}

/**
 * Checks `values` against the bundled chart's schema, merged over the computed values known now.
 * Keys given as (or holding) Outputs are left for when they resolve: returns whether there are any.
 */
function planValues(
    args: DagInstallerChartArgs,
    action: DagInstallerAction,
    backoffLimit: number,
): boolean {
    const values = args.values ?? {};
    const later = Object.keys(values).filter((key) => holdsDeferred(values[key]));
    if (later.length < Object.keys(values).length) {
        const pullSecrets = args.imagePullSecrets;
        checkValues(
            Object.fromEntries(Object.entries(values).filter(([key]) => !later.includes(key))),
            {
                image: known(args.image.imageName),
                action,
                imagePullSecrets: pullSecrets.every((s) => typeof s === "string")
                    ? pullSecrets.map((s) => ({ name: s }))
                    : undefined,
                dagsClaimName: known(args.dagsClaimName ?? ""),
                pluginsClaimName: known(args.pluginsClaimName ?? ""),
                mountedScriptsClaimName: known(args.mountedScriptsClaimName ?? ""),
                backoffLimit,
                labels: standardLabels("dags"),
                env: args.env ?? {},
            },
        );
    }
    return later.length > 0;
}

/** A value known while planning; undefined for an Output or a resource. */
function known(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
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
function bundledChartDir(): string {
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

type ChartMetadata = { name?: unknown; version?: unknown; dependencies?: unknown } | null;

/** Whether a chart folder declares Kaapana's dag-installer chart as a dependency (Chart.yaml or requirements.yaml). */
function dependsOnKaapana(dir: string, meta: ChartMetadata): boolean {
    const requirements = path.join(dir, "requirements.yaml");
    const lists = [
        meta?.dependencies,
        fs.existsSync(requirements)
            ? (YAML.parse(fs.readFileSync(requirements, "utf8")) as ChartMetadata)?.dependencies
            : undefined,
    ];
    return lists.some(
        (list) =>
            Array.isArray(list) &&
            list.some(
                (d) =>
                    d !== null &&
                    typeof d === "object" &&
                    (d as { name?: unknown }).name === KAAPANA.dagInstallerChart,
            ),
    );
}
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

/** The chart to install and its pinned version: the bundled chart, a chart folder, or a `.tgz`. */
function resolveChart(chart: string | undefined, chartVersion?: string): ResolvedChart {
    const dir = chart ?? bundledChartDir();
    const reject = (expected: string): never =>
        invalidInput({
            path: "chart",
            given: chart,
            expected,
            example: "extension/otsus-method-workflow",
        });
    if (!fs.existsSync(dir)) {
        return reject(
            `a chart folder or .tgz that exists (looked for ${path.resolve(redactUserinfo(dir))})`,
        );
    }
    let version: string | undefined;
    if (fs.statSync(dir).isDirectory()) {
        if (chartVersion !== undefined) {
            invalidInput({
                path: "chartVersion",
                given: chartVersion,
                expected:
                    "no chartVersion for a chart folder (its version is read from its Chart.yaml); chartVersion is for a .tgz whose file name carries none",
                example: "extension/otsus-method-workflow.tgz",
            });
        }
        const chartFile = path.join(dir, "Chart.yaml");
        if (!fs.existsSync(chartFile)) {
            return reject(
                `a Helm chart folder with a Chart.yaml (none in ${path.resolve(redactUserinfo(dir))})`,
            );
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
        if (dependsOnKaapana(dir, meta)) {
            return reject(
                `a chart with the bundled chart's values interface; this one depends on Kaapana's ${KAAPANA.dagInstallerChart}, which reads only global.* values: install it with target { platform: "kaapana", … }`,
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

/**
 * The Helm release name: the one given, or the resource name when it is a DNS label (cut to 40
 * characters with a hash of the whole name when longer, so the chart's Job names fit). A resource
 * name that is not a DNS label is refused with a valid form, never hashed into one.
 */
export function releaseNameFor(name: string, given?: string): string {
    if (given !== undefined) {
        return given;
    }
    const label = FORMATS["dns-label"];
    if (label.problems(name).length > 0) {
        const suggestion = label.suggest?.(name)?.slice(0, MAX_RELEASE_NAME).replace(/-+$/, "");
        invalidInput({
            path: "releaseName",
            given: undefined,
            expected: `a release name: the default, the resource name ${JSON.stringify(name)}, is not a DNS-1123 label (${label.problems(name).join("; ")})`,
            example: suggestion !== undefined && suggestion !== "" ? suggestion : "otsus-method",
        });
    }
    if (name.length <= MAX_RELEASE_NAME) {
        return name;
    }
    const head = name.slice(0, MAX_RELEASE_NAME - 8).replace(/-+$/, "");
    return `${head}-${shortHash(name)}`;
}

/** The bundled chart's values schema and defaults, read once. */
interface BundledValues {
    /** The schema as Helm checks the release's values. */
    full: ValidateFunction;
    /** The schema without `required`: for the part of the values known while planning. */
    overrides: ValidateFunction;
    /** The chart's `values.yaml`. */
    defaults: Record<string, unknown>;
}

let bundledValues: BundledValues | undefined;

function bundled(): BundledValues {
    if (bundledValues === undefined) {
        const dir = bundledChartDir();
        const schema = JSON.parse(fs.readFileSync(path.join(dir, "values.schema.json"), "utf8"));
        // ajv's compiler is loaded with the first chart that needs it, not by every program.
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
        const { default: Ajv } = require("ajv") as typeof import("ajv");
        const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
        bundledValues = {
            full: ajv.compile(schema),
            overrides: ajv.compile({ ...schema, required: [] }),
            defaults: YAML.parse(fs.readFileSync(path.join(dir, "values.yaml"), "utf8")),
        };
    }
    return bundledValues;
}

/** Validates values against the bundled chart's `values.schema.json`, as Helm will. */
export function valuesProblems(values: unknown): string[] {
    const { full } = bundled();
    if (full(values)) {
        return [];
    }
    return (full.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}

/**
 * Refuses `values` that the bundled chart's schema rejects once merged over the computed values
 * known while planning (`undefined` where one is an Output): Helm would reject them only during
 * `pulumi up`, after the images were built.
 */
function checkValues(values: Record<string, unknown>, computed: Record<string, unknown>): void {
    const { overrides, defaults } = bundled();
    const known = Object.fromEntries(Object.entries(computed).filter(([, v]) => v !== undefined));
    if (overrides({ ...known, ...values })) {
        return;
    }
    const error = mainError(overrides.errors ?? []);
    const pointer = error.instancePath.split("/").slice(1).map(decodePointer);
    const path = valuesPath(pointer);
    if (error.keyword === "additionalProperties") {
        const key = String(error.params.additionalProperty);
        throw unknownKey(
            joinPath(path, key),
            key,
            Object.keys(error.parentSchema?.properties ?? {}),
        );
    }
    const rule = chartRule(error);
    if (pointer.length === 0 || !Object.hasOwn(values, pointer[0])) {
        // The overrides made a computed value invalid (`action: copy` where no DAG claim is set).
        invalidInput({
            path: "values",
            given: values,
            expected: `values that keep the computed ${path} valid: ${rule}`,
            example: "{ activeDeadlineSeconds: 900 }",
        });
    }
    const reference = at({ ...defaults, ...known }, pointer);
    if (error.propertyName !== undefined) {
        invalidInput({
            path: joinPath(path, error.propertyName),
            given: error.propertyName,
            expected: rule,
            example: Object.keys(reference ?? {})[0] ?? "LOG_LEVEL",
        });
    }
    invalidInput({
        path,
        given: error.data,
        expected: rule,
        example:
            error.parentSchema?.enum?.[0] ??
            (reference === undefined || reference === ""
                ? error.parentSchema?.examples?.[0]
                : reference),
    });
}

/** What the chart's schema asks for at a position: its description, its options, or ajv's words. */
function chartRule(error: ErrorObject): string {
    const source = "the dag-installer chart's values.schema.json";
    const description = error.parentSchema?.description;
    if (typeof description === "string") {
        return `${description.charAt(0).toLowerCase()}${description.slice(1).replace(/\.$/, "")} (${source})`;
    }
    const options = error.parentSchema?.enum;
    if (Array.isArray(options)) {
        return `one of ${options.map((o) => JSON.stringify(o)).join(", ")} (${source})`;
    }
    return `a ${error.propertyName === undefined ? "value" : "key"} ${source} accepts (${error.message})`;
}

/** The error that says most: the deepest position, and a rule over a combinator (`anyOf`, `if`). */
function mainError(errors: ErrorObject[]): ErrorObject {
    const combinators = new Set(["anyOf", "if", "const", "propertyNames"]);
    return [...errors].sort(
        (a, b) =>
            b.instancePath.length - a.instancePath.length ||
            Number(combinators.has(a.keyword)) - Number(combinators.has(b.keyword)),
    )[0];
}

function decodePointer(segment: string): string {
    return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** `values.imagePullSecrets[0].name` from the segments of a JSON pointer. */
function valuesPath(pointer: string[]): string {
    return pointer.reduce<string>(
        (acc, segment) => joinPath(acc, /^\d+$/.test(segment) ? Number(segment) : segment),
        "values",
    );
}

function at(value: unknown, pointer: string[]): unknown {
    return pointer.reduce<unknown>(
        (current, segment) =>
            current !== null && typeof current === "object"
                ? (current as Record<string, unknown>)[segment]
                : undefined,
        value,
    );
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
