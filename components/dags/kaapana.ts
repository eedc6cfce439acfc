import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { invalidInput, type ImageTag, type NamespaceName, type SecretName } from "../core";
import { deterministicTgz, folderFiles, readTgz, type ArchiveFile } from "./chart-archive";

/**
 * Where a DAG installer installs: this platform's Airflow with the bundled chart and this package's
 * installer convention (`{ platform: "pipeline-platform" }`, the default), or an existing Kaapana
 * platform with the user's Kaapana workflow-extension chart.
 */
export type InstallerTarget = PipelinePlatformTarget | KaapanaTarget;

/** This platform: the bundled dag-installer chart and this package's installer convention. */
export interface PipelinePlatformTarget {
    /** @example "pipeline-platform" */
    platform: "pipeline-platform";
}

/**
 * A Kaapana registry prefix without protocol, as Kaapana's `global.registry_url` holds it:
 * `host[:port][/path]` in lower case.
 * @pattern ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$
 * @example "registry.example.com/kaapana"
 */
export type KaapanaRegistryPrefix = string;

/** An existing Kaapana platform (0.6.0), whose chart reads only `global.*` values. */
export interface KaapanaTarget {
    /** @example "kaapana" */
    platform: "kaapana";
    /**
     * Kaapana's default registry (`global.registry_url`, also `KAAPANA_DEFAULT_REGISTRY` of the
     * installer), without protocol.
     * @example "registry.example.com/kaapana"
     */
    registryUrl: KaapanaRegistryPrefix;
    /**
     * Kaapana's build version (`global.kaapana_build_version`: `KAAPANA_BUILD_VERSION` of the
     * installer and the tag of Kaapana's service-checker init image).
     * @example "0.6.0"
     */
    buildVersion: ImageTag;
    /**
     * The node that holds Kaapana's DAG and plugin folders (`global.main_node_name`): Kaapana's chart
     * pins the installer pods to it with `kubernetes.io/hostname`.
     * @example "kaapana-main"
     */
    mainNodeName: SecretName;
    /**
     * Kaapana's admin namespace (`global.admin_namespace`), where kube-helm runs and extension
     * releases live. Default `admin`.
     * @example "admin"
     */
    adminNamespace?: NamespaceName;
    /**
     * Pull policy of the installer image (`global.pull_policy_images`). Default `IfNotPresent`.
     * @example "IfNotPresent"
     */
    pullPolicy?: "IfNotPresent" | "Always" | "Never";
    /**
     * Kaapana's `dag-installer-chart`, a folder (`services/utils/dag-installer-chart` of a Kaapana
     * checkout) or a packaged `.tgz`, relative to the Pulumi project or absolute. Default: the
     * chart's `charts/dag-installer-chart*`, else the folder its dependency's `file://` repository names.
     * @minLength 1
     * @example "../kaapana/services/utils/dag-installer-chart"
     */
    dagInstallerChart?: string;
    /**
     * Folder the packaged chart `<name>-<version>.tgz` is written to (the file Helm installs and
     * Kaapana's Extensions view uploads), relative to the Pulumi project. Default `.pipeline-platform/charts`.
     * @minLength 1
     * @example ".pipeline-platform/charts"
     */
    packageDir?: string;
}

/** Kaapana 0.6.0 facts this module relies on (test/fixtures/upstream/kaapana-0.6.0.json). */
export const KAAPANA = {
    version: "0.6.0",
    dagInstallerChart: "dag-installer-chart",
    defaultAdminNamespace: "admin",
    defaultPullPolicy: "IfNotPresent",
    /** The claims Kaapana's dag-installer chart mounts (the mounted-scripts claim went in 0.6.0). */
    claims: { dags: "dags-pv-claim", plugins: "af-plugins-pv-claim" },
    /** The platform's pull Secret in every Kaapana namespace. */
    pullSecret: "registry-secret",
    /** Chart keyword Kaapana recognises a workflow extension by. */
    workflowKeyword: "kaapanaworkflow",
} as const;

/**
 * The pull Secret Kaapana's dag-installer chart adds for a custom registry:
 * `registry-secret-` and the first 4 hex digits of the SHA-256 of `global.custom_registry_url`.
 */
export function kaapanaPullSecretName(customRegistryUrl: string): string {
    return `${KAAPANA.pullSecret}-${createHash("sha256").update(customRegistryUrl).digest("hex").slice(0, 4)}`;
}

/** The `global.*` values Kaapana's dag-installer chart reads, as this package sets them. */
export interface KaapanaGlobals {
    image: string;
    action: string;
    custom_registry_url?: string;
    registry_url: string;
    kaapana_build_version: string;
    admin_namespace: string;
    services_namespace: string;
    pull_policy_images: string;
    main_node_name: string;
}

/** An installer image split as Kaapana's chart composes it: `<registry>/<image>:<chart version>`. */
export interface KaapanaImage {
    /** Everything before the last `/`: `global.custom_registry_url`. */
    registry: string;
    /** The last path component: `global.image` (Kaapana also names the Job after it). */
    image: string;
    tag: string;
}

/**
 * Splits an installer image reference as Kaapana's chart needs it, or says why it cannot: the
 * chart appends `:<its own version>` (no digest), and names the Job `<image>` and `remove-<image>`
 * (a DNS label of at most 56 characters).
 */
export function kaapanaImage(reference: string): KaapanaImage | string {
    if (reference.includes("@")) {
        return "a reference with a tag, not a digest (Kaapana's chart appends ':<chart version>' to the image)";
    }
    const slash = reference.lastIndexOf("/");
    const colon = reference.lastIndexOf(":");
    if (slash === -1 || colon < slash) {
        return "a reference <registry>/<name>:<tag>";
    }
    const image = reference.slice(slash + 1, colon);
    if (!/^[a-z0-9]([-a-z0-9]{0,54}[a-z0-9])?$/.test(image)) {
        return `a last path component that is a DNS label of at most 56 characters (Kaapana's chart names the Jobs ${image} and remove-${image})`;
    }
    return { registry: reference.slice(0, slash), image, tag: reference.slice(colon + 1) };
}

/** The values Kaapana's chart receives for one installer: all `global.*`. */
export function kaapanaGlobals(input: {
    target: KaapanaTarget;
    servicesNamespace: string;
    image: KaapanaImage;
    action: string;
}): KaapanaGlobals {
    const { target, image } = input;
    return {
        image: image.image,
        action: input.action,
        // The default registry needs no custom entry (and no registry-secret-<hash> Secret).
        ...(image.registry === target.registryUrl ? {} : { custom_registry_url: image.registry }),
        registry_url: target.registryUrl,
        kaapana_build_version: target.buildVersion,
        admin_namespace: target.adminNamespace ?? KAAPANA.defaultAdminNamespace,
        services_namespace: input.servicesNamespace,
        pull_policy_images: target.pullPolicy ?? KAAPANA.defaultPullPolicy,
        main_node_name: target.mainNodeName,
    };
}

/** A user's Kaapana workflow-extension chart, read and checked while planning. */
export interface KaapanaChart {
    /** The chart's name: the archive's top folder and the first part of its file name. */
    name: string;
    /** The archive's file name, `<name>-<version>.tgz`, and its path relative to the working directory. */
    fileName: string;
    archivePath: string;
    /** The same file as an absolute path, for writing it whatever the working directory is then. */
    archiveFile: string;
    /** Chart.yaml with the version and the dag-installer dependency set, as an object. */
    chartYaml: Record<string, unknown>;
    /** The chart's `values.yaml`, without the `global.*` values set for the installer. */
    values: Record<string, unknown>;
    /** The chart's other files (templates, README), under `<name>/`. */
    files: ArchiveFile[];
    /** Kaapana's dag-installer chart with its version set to the extension's, under `dag-installer-chart/`. */
    dependency: ArchiveFile[];
    version: string;
}

/** Files of a workflow-extension chart that packaging replaces or leaves out. */
const REPLACED = new Set([
    "Chart.yaml",
    "values.yaml",
    "requirements.yaml",
    "requirements.lock",
    "Chart.lock",
]);

/**
 * Reads a Kaapana workflow-extension chart folder for packaging with `version`: its Chart.yaml
 * (apiVersion v2, a name, its only dependency Kaapana's `dag-installer-chart`), its values and
 * files, and the dag-installer chart it depends on. Refusals name `chart`, `chartVersion` or
 * `target.dagInstallerChart`.
 */
export function readKaapanaChart(
    chartDir: string,
    version: string | undefined,
    target: KaapanaTarget,
): KaapanaChart {
    const reject = (expected: string, pathName = "chart", given: unknown = chartDir): never =>
        invalidInput({
            path: pathName,
            given,
            expected,
            example: "kaapana/otsus-method-workflow",
        });
    if (!fs.existsSync(chartDir) || !fs.statSync(chartDir).isDirectory()) {
        return reject(
            `a Kaapana workflow-extension chart folder (with Chart.yaml and values.yaml) that exists (looked for ${path.resolve(chartDir)})`,
        );
    }
    const chartFile = path.join(chartDir, "Chart.yaml");
    const chartYaml = fs.existsSync(chartFile) ? readYamlObject(chartFile) : undefined;
    if (chartYaml === undefined || typeof chartYaml.name !== "string") {
        return reject(
            `a chart folder whose Chart.yaml is a mapping with a name (${path.resolve(chartFile)})`,
        );
    }
    const name = chartYaml.name;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
        return reject(`a chart name that is a DNS label (Chart.yaml has ${JSON.stringify(name)})`);
    }
    if (chartYaml.apiVersion !== "v2") {
        return reject(
            `a Helm 3 chart, apiVersion v2 (Chart.yaml has ${JSON.stringify(chartYaml.apiVersion)})`,
        );
    }
    const packaged = version ?? (typeof chartYaml.version === "string" ? chartYaml.version : "");
    // kube-helm reads name and version from the file name, split at its last '-'.
    if (!/^\d+\.\d+\.\d+$/.test(packaged)) {
        return reject(
            `MAJOR.MINOR.PATCH without a pre-release part (Kaapana reads the version from the archive name after its last '-')`,
            "chartVersion",
            packaged,
        );
    }
    const requirements = path.join(chartDir, "requirements.yaml");
    const declared = [
        ...dependencyList(chartYaml.dependencies),
        ...(fs.existsSync(requirements)
            ? dependencyList(readYamlObject(requirements)?.dependencies)
            : []),
    ];
    if (declared.length !== 1 || declared[0].name !== KAAPANA.dagInstallerChart) {
        return reject(
            `a workflow-extension chart whose only dependency is ${KAAPANA.dagInstallerChart} (in Chart.yaml or requirements.yaml; it has ${declared.map((d) => String(d.name)).join(", ") || "none"})`,
        );
    }
    const dependency = dagInstallerFiles(chartDir, declared[0].repository, target, packaged);
    const valuesFile = path.join(chartDir, "values.yaml");
    const values = fs.existsSync(valuesFile) ? (readYamlObject(valuesFile) ?? {}) : {};
    const dir = target.packageDir ?? ".pipeline-platform/charts";
    const fileName = `${name}-${packaged}.tgz`;
    return {
        name,
        fileName,
        archivePath: relativeToCwd(path.join(dir, fileName)),
        archiveFile: path.resolve(dir, fileName),
        chartYaml: {
            ...withoutKey(chartYaml, "dependencies"),
            version: packaged,
            keywords: withKeyword(chartYaml.keywords),
            // The first dependency marks a workflow extension for Kaapana; its version is the
            // extension's, so the chart pulls the installer image tagged with it.
            dependencies: [{ name: KAAPANA.dagInstallerChart, version: packaged }],
        },
        values,
        files: folderFiles(
            chartDir,
            name,
            (relative) =>
                REPLACED.has(relative) || relative === "charts" || relative.startsWith("charts/"),
        ),
        dependency,
        version: packaged,
    };
}

/**
 * The packaged chart: `<name>/Chart.yaml`, `<name>/values.yaml` with the installer's `global.*`
 * values an Extensions upload needs (image, action, custom registry, pull policy), the chart's own
 * files, and `<name>/charts/dag-installer-chart-<version>.tgz`. Byte-identical for identical input.
 */
export function packageKaapanaChart(
    chart: KaapanaChart,
    globals: Pick<
        KaapanaGlobals,
        "image" | "action" | "custom_registry_url" | "pull_policy_images"
    >,
): Buffer {
    const dependency = deterministicTgz(chart.dependency);
    const ownGlobal = chart.values.global;
    const values = {
        ...chart.values,
        global: {
            ...(ownGlobal !== null && typeof ownGlobal === "object" && !Array.isArray(ownGlobal)
                ? ownGlobal
                : {}),
            image: globals.image,
            action: globals.action,
            ...(globals.custom_registry_url === undefined
                ? {}
                : { custom_registry_url: globals.custom_registry_url }),
            pull_policy_images: globals.pull_policy_images,
        },
    };
    return deterministicTgz([
        { path: `${chart.name}/Chart.yaml`, data: Buffer.from(YAML.stringify(chart.chartYaml)) },
        { path: `${chart.name}/values.yaml`, data: Buffer.from(YAML.stringify(values)) },
        ...chart.files,
        {
            path: `${chart.name}/charts/${KAAPANA.dagInstallerChart}-${chart.version}.tgz`,
            data: dependency,
        },
    ]);
}

/** Writes the packaged chart where `chart.archivePath` says, unless the same bytes are there. */
export function writeKaapanaArchive(chart: KaapanaChart, bytes: Buffer): void {
    const file = chart.archiveFile;
    if (fs.existsSync(file) && fs.readFileSync(file).equals(bytes)) {
        return;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
}

/**
 * Kaapana's dag-installer chart, its Chart.yaml version set to `version` (as Kaapana's build does
 * for its own extensions): from `target.dagInstallerChart`, the chart's `charts/`, or the folder its
 * dependency's `file://` repository names, in that order.
 */
function dagInstallerFiles(
    chartDir: string,
    repository: unknown,
    target: KaapanaTarget,
    version: string,
): ArchiveFile[] {
    const name = KAAPANA.dagInstallerChart;
    const candidates: Array<{ source: string; path: string }> = [];
    if (target.dagInstallerChart !== undefined) {
        candidates.push({ source: "target.dagInstallerChart", path: target.dagInstallerChart });
    } else {
        const charts = path.join(chartDir, "charts");
        if (fs.existsSync(charts)) {
            for (const entry of fs.readdirSync(charts).sort()) {
                if (entry === name || (entry.startsWith(`${name}-`) && entry.endsWith(".tgz"))) {
                    candidates.push({ source: "chart", path: path.join(charts, entry) });
                }
            }
        }
        if (typeof repository === "string" && repository.startsWith("file://")) {
            candidates.push({
                source: "chart",
                path: path.resolve(chartDir, repository.slice("file://".length)),
            });
        }
    }
    const found = candidates.find((c) => fs.existsSync(c.path));
    if (found === undefined) {
        return invalidInput({
            path: target.dagInstallerChart === undefined ? "chart" : "target.dagInstallerChart",
            given: target.dagInstallerChart ?? chartDir,
            expected: `Kaapana's ${name} chart: a folder or .tgz that exists (looked for ${candidates.map((c) => path.resolve(c.path)).join(", ") || `${path.resolve(chartDir, "charts", name)} and a file:// repository`})`,
            example: "../kaapana/services/utils/dag-installer-chart",
        });
    }
    const files = fs.statSync(found.path).isDirectory()
        ? folderFiles(found.path, name)
        : readTgz(found.path).filter((f) => f.path.startsWith(`${name}/`));
    const chartYaml = files.find((f) => f.path === `${name}/Chart.yaml`);
    const meta =
        chartYaml === undefined ? undefined : parseYamlObject(chartYaml.data.toString("utf8"));
    if (meta === undefined || meta.name !== name) {
        return invalidInput({
            path: found.source === "chart" ? "chart" : "target.dagInstallerChart",
            given: found.path,
            expected: `Kaapana's ${name} chart (a ${name}/Chart.yaml named ${name})`,
            example: "../kaapana/services/utils/dag-installer-chart",
        });
    }
    return files.map((f) =>
        f === chartYaml
            ? { path: f.path, data: Buffer.from(YAML.stringify({ ...meta, version })) }
            : f,
    );
}

function readYamlObject(file: string): Record<string, unknown> | undefined {
    return parseYamlObject(fs.readFileSync(file, "utf8"));
}

function parseYamlObject(text: string): Record<string, unknown> | undefined {
    let parsed: unknown;
    try {
        parsed = YAML.parse(text);
    } catch {
        return undefined;
    }
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : undefined;
}

function dependencyList(value: unknown): Array<{ name?: unknown; repository?: unknown }> {
    return Array.isArray(value)
        ? value.map((d) => (d !== null && typeof d === "object" ? d : { name: d }))
        : [];
}

function withoutKey(object: Record<string, unknown>, key: string): Record<string, unknown> {
    return Object.fromEntries(Object.entries(object).filter(([k]) => k !== key));
}

function withKeyword(keywords: unknown): string[] {
    const list = Array.isArray(keywords)
        ? keywords.filter((k): k is string => typeof k === "string")
        : [];
    return list.includes(KAAPANA.workflowKeyword) ? list : [...list, KAAPANA.workflowKeyword];
}

function relativeToCwd(file: string): string {
    const relative = path.relative(process.cwd(), path.resolve(file));
    return relative.startsWith("..") || path.isAbsolute(relative) ? relative : `./${relative}`;
}
