import * as fs from "fs";
import * as path from "path";
import * as semver from "semver";
import * as YAML from "yaml";
import type { Registration } from "../engine";
import AIRFLOW_CHART from "./airflow-chart.json";
import CRD_INSTALLERS from "./crd-installers.json";
import { objectLabel, type ClusterObject } from "./objects";
import { envFromReferences, envReferences, volumeReferences, type Reference } from "./references";

type Json = Record<string, unknown>;

/** A Helm release of the program, as far as the cold-start checks read it. */
export interface Release {
    registration: Registration;
    /** `Release namespace/name`. */
    object: string;
    name: string;
    namespace: string;
    /** The chart's name: the `chart` input, or the `name` in a local chart folder's `Chart.yaml`. */
    chart: string;
    /** The chart repository, when the release names one. */
    repo?: string;
    values: Json;
    createNamespace: boolean;
}

/** Reads a local chart folder's name; the default reads its `Chart.yaml`. */
export type ChartNameReader = (folder: string) => string | undefined;

export const readChartName: ChartNameReader = (folder) => {
    try {
        const chart = YAML.parse(
            fs.readFileSync(path.join(folder, "Chart.yaml"), "utf8"),
        ) as unknown;
        const name = (chart as { name?: unknown } | null)?.name;
        return typeof name === "string" ? name : undefined;
    } catch {
        return undefined;
    }
};

const RELEASE_TYPES = new Set(["kubernetes:helm.sh/v3:Release"]);

/** The program's Helm releases. */
export function releasesOf(
    registrations: readonly Registration[],
    chartName: ChartNameReader,
): Release[] {
    return registrations
        .filter((r) => RELEASE_TYPES.has(r.type))
        .map((registration) => {
            const inputs = registration.inputs;
            const name = typeof inputs.name === "string" ? inputs.name : registration.name;
            const namespace = typeof inputs.namespace === "string" ? inputs.namespace : "default";
            const chartInput = String(inputs.chart ?? "");
            const repo = inputs.repositoryOpts?.repo;
            const local = typeof repo !== "string" && /[/\\]/.test(chartInput);
            return {
                registration,
                object: objectLabel("Release", namespace, name),
                name,
                namespace,
                chart: (local ? chartName(chartInput) : undefined) ?? chartInput.split("/").pop()!,
                repo: typeof repo === "string" ? repo.replace(/\/+$/, "") : undefined,
                values: obj(inputs.values),
                createNamespace: inputs.createNamespace === true,
            };
        });
}

function obj(value: unknown): Json {
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
}

/** The value at a dotted path of Helm values (`contour.manageCRDs`). */
export function valueAt(values: Json, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((v, key) => obj(v)[key], values);
}

/** A value switch with the chart's default. */
interface Switch {
    value: string;
    default: boolean;
}

function switchOn(values: Json, s: Switch): boolean {
    const v = valueAt(values, s.value);
    return v === undefined || v === null ? s.default : v === true || v === "true";
}

function isChart(release: Release, chart: { repo: string; name: string }): boolean {
    return (
        release.chart === chart.name &&
        (release.repo === undefined || release.repo === chart.repo.replace(/\/+$/, ""))
    );
}

/** A custom resource kind: `<Kind>.<group>`, the form declarations use. */
export function kindName(kind: string, group: string): string {
    return `${kind}.${group}`;
}

export function groupOf(apiVersion: string): string {
    return apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
}

/** Kinds Kubernetes itself serves: the core group, unqualified groups and `*.k8s.io`. */
export function isBuiltInGroup(group: string): boolean {
    return group === "" || !group.includes(".") || group.endsWith(".k8s.io");
}

/**
 * The custom resource kinds (`<Kind>.<group>`) a release installs the CRDs of: those the chart's
 * fixture entry lists, when the chart's CRD switch is on (any listed value, else its default; a
 * chart without switches always installs them).
 */
export function kindsInstalledBy(release: Release): string[] {
    return CRD_INSTALLERS.filter(
        (installer) =>
            isChart(release, installer.chart) &&
            (installer.crdValues.length === 0 ||
                installer.crdValues.some((s) => switchOn(release.values, s))),
    ).flatMap((installer) =>
        installer.installs.map((k) => kindName(k.kind, groupOf(k.apiVersion))),
    );
}

/**
 * The CRD switches of a release whose chart can install `kind` but whose values turn that off, as
 * `a or b`; undefined when the release's chart does not install the kind or installs it.
 */
export function crdSwitchesOff(release: Release, kind: string): string | undefined {
    const installer = CRD_INSTALLERS.find(
        (i) =>
            isChart(release, i.chart) &&
            i.installs.some((k) => kindName(k.kind, groupOf(k.apiVersion)) === kind),
    );
    return installer && !kindsInstalledBy(release).includes(kind)
        ? installer.crdValues.map((s) => s.value).join(" or ")
        : undefined;
}

/** The charts (by name) that can install a kind's CRD, from the installer fixture. */
export function chartsInstalling(kind: string): string[] {
    return [
        ...new Set(
            CRD_INSTALLERS.filter((installer) =>
                installer.installs.some((k) => kindName(k.kind, groupOf(k.apiVersion)) === kind),
            ).map((installer) => installer.chart.name),
        ),
    ].sort();
}

/**
 * The custom resource kinds a release's chart creates objects of with these values (the Airflow
 * chart's KEDA ScaledObjects), each with the template that makes it: their CRDs must exist first.
 */
export function kindsCreatedBy(release: Release): Array<{ kind: string; template: string }> {
    if (!isChart(release, AIRFLOW_CHART.chart)) {
        return [];
    }
    return AIRFLOW_CHART.kinds
        .filter((entry) => airflowApplies(release, entry))
        .map((entry) => ({
            kind: kindName(entry.kind, groupOf(entry.apiVersion)),
            template: entry.template,
        }));
}

/** The objects a release creates that other objects may name, and its namespace when it creates it. */
export function releaseObjects(release: Release): ClusterObject[] {
    const made: ClusterObject[] = [];
    const createdBy = release.registration;
    if (release.createNamespace) {
        made.push({
            kind: "Namespace",
            name: release.namespace,
            createdBy,
            via: "its namespace (createNamespace)",
        });
    }
    if (isChart(release, AIRFLOW_CHART.chart)) {
        const fullname = airflowFullname(release);
        for (const service of AIRFLOW_CHART.services) {
            if (airflowApplies(release, service)) {
                made.push({
                    kind: "Service",
                    namespace: release.namespace,
                    name: service.name.replace("{fullname}", fullname),
                    createdBy,
                    via: `its chart (${service.template})`,
                });
            }
        }
    }
    return made;
}

/** Every name a release's values use, by chart; a chart not listed here contributes its namespace only. */
export function releaseReferences(release: Release): Reference[] {
    const origin = { referrer: release.registration, object: release.object, ordered: true };
    const found: Reference[] = [];
    if (!release.createNamespace) {
        found.push({ ...origin, path: "namespace", kind: "Namespace", name: release.namespace });
    }
    if (isChart(release, AIRFLOW_CHART.chart)) {
        found.push(...airflowReferences(release, origin));
    } else if (release.chart === "dag-installer") {
        found.push(...dagInstallerReferences(release, origin));
    }
    return found;
}

type Origin = Pick<Reference, "referrer" | "object" | "ordered">;

function named(
    origin: Origin,
    path: string,
    kind: string,
    namespace: string | undefined,
    name: unknown,
    key?: string,
): Reference[] {
    return typeof name === "string" && name !== ""
        ? [{ ...origin, path, kind, namespace, name, ...(key === undefined ? {} : { key }) }]
        : [];
}

/** `airflow.fullname` of the Airflow chart (see the fixture's `fullname`). */
function airflowFullname(release: Release): string {
    const v = release.values;
    if (v.useStandardNaming !== true) {
        return release.name;
    }
    if (typeof v.fullnameOverride === "string" && v.fullnameOverride !== "") {
        return v.fullnameOverride.slice(0, 63).replace(/-+$/, "");
    }
    const name =
        typeof v.nameOverride === "string" && v.nameOverride !== "" ? v.nameOverride : "airflow";
    return (release.name.includes(name) ? release.name : `${release.name}-${name}`)
        .slice(0, 63)
        .replace(/-+$/, "");
}

/** Whether a fixture entry of the Airflow chart applies to this release's values. */
function airflowApplies(
    release: Release,
    entry: {
        airflowVersion?: string;
        executors?: string[];
        enabledBy?: Switch[];
        unlessSet?: string;
    },
): boolean {
    const v = release.values;
    const version = semver.coerce(String(v.airflowVersion ?? AIRFLOW_CHART.chart.appVersion));
    if (
        entry.airflowVersion !== undefined &&
        (version === null || !semver.satisfies(version, entry.airflowVersion))
    ) {
        return false;
    }
    const executors = String(v.executor ?? "CeleryExecutor")
        .split(",")
        .map((e) => e.trim());
    if (entry.executors !== undefined && !executors.some((e) => entry.executors!.includes(e))) {
        return false;
    }
    if (entry.unlessSet !== undefined && valueAt(v, entry.unlessSet)) {
        return false;
    }
    return (entry.enabledBy ?? []).every((s) => switchOn(v, s));
}

/**
 * The Airflow chart's references: the Secrets its `…SecretName` values name (with the key each is
 * read by), existing claims, pull Secrets, `secret[]` entries, `extraEnv`/`extraEnvFrom` and every
 * `extraVolumes` list. Facts from the chart 1.19.0 release (`airflow-chart.json`).
 */
function airflowReferences(release: Release, origin: Origin): Reference[] {
    const v = release.values;
    const ns = release.namespace;
    const found: Reference[] = [];
    for (const entry of AIRFLOW_CHART.secrets) {
        if (!airflowApplies(release, entry)) {
            continue;
        }
        const keyValue = "keyValue" in entry ? valueAt(v, entry.keyValue as string) : undefined;
        const keys = typeof keyValue === "string" && keyValue !== "" ? [keyValue] : entry.keys;
        for (const key of keys) {
            found.push(
                ...named(
                    origin,
                    `values.${entry.value}`,
                    "Secret",
                    ns,
                    valueAt(v, entry.value),
                    key,
                ),
            );
        }
    }
    for (const entry of AIRFLOW_CHART.claims) {
        if (airflowApplies(release, entry)) {
            found.push(
                ...named(
                    origin,
                    `values.${entry.value}`,
                    "PersistentVolumeClaim",
                    ns,
                    valueAt(v, entry.value),
                ),
            );
        }
    }
    const pullSecrets =
        Array.isArray(v.imagePullSecrets) && v.imagePullSecrets.length > 0
            ? v.imagePullSecrets
            : undefined;
    if (pullSecrets) {
        pullSecrets.forEach((s, i) =>
            found.push(
                ...(typeof s === "string"
                    ? named(origin, `values.imagePullSecrets[${i}]`, "Secret", ns, s)
                    : named(
                          origin,
                          `values.imagePullSecrets[${i}].name`,
                          "Secret",
                          ns,
                          obj(s).name,
                      )),
            ),
        );
    } else {
        found.push(
            ...named(
                origin,
                "values.registry.secretName",
                "Secret",
                ns,
                valueAt(v, "registry.secretName"),
            ),
        );
    }
    (Array.isArray(v.secret) ? v.secret : []).forEach((s, i) =>
        found.push(
            ...named(
                origin,
                `values.secret[${i}].secretName`,
                "Secret",
                ns,
                obj(s).secretName,
                typeof obj(s).secretKey === "string" && obj(s).secretKey !== ""
                    ? (obj(s).secretKey as string)
                    : "value",
            ),
        ),
    );
    yamlList(v.extraEnvFrom).forEach((source, i) =>
        found.push(...envFromReferences(source, `values.extraEnvFrom[${i}]`, ns, origin)),
    );
    found.push(...envReferences(yamlList(v.extraEnv), "values.extraEnv", ns, origin));
    for (const [at, volumes] of extraVolumeLists(v, "values")) {
        volumes.forEach((volume, i) =>
            found.push(...volumeReferences(volume, `${at}[${i}]`, ns, origin)),
        );
    }
    return found;
}

/** A templated YAML list value (`extraEnvFrom: |`), or a list given as such. */
function yamlList(value: unknown): unknown[] {
    if (Array.isArray(value)) {
        return value;
    }
    if (typeof value !== "string") {
        return [];
    }
    try {
        const parsed = YAML.parse(value) as unknown;
        return Array.isArray(parsed) ? parsed : [];
    } catch {
        return [];
    }
}

/** Every `extraVolumes` list in a values tree, with its path. */
function extraVolumeLists(value: unknown, at: string): Array<[string, unknown[]]> {
    if (!value || typeof value !== "object" || Array.isArray(value)) {
        return [];
    }
    return Object.entries(value).flatMap(([key, v]): Array<[string, unknown[]]> =>
        key === "extraVolumes" && Array.isArray(v)
            ? [[`${at}.${key}`, v]]
            : extraVolumeLists(v, `${at}.${key}`),
    );
}

/**
 * The bundled dag-installer chart (`components/dags/chart`): its Job mounts the claims named by
 * `dagsClaimName`, `pluginsClaimName` and `mountedScriptsClaimName` (empty: none) and pulls with
 * `imagePullSecrets`.
 */
function dagInstallerReferences(release: Release, origin: Origin): Reference[] {
    const v = release.values;
    const ns = release.namespace;
    return [
        ...["dagsClaimName", "pluginsClaimName", "mountedScriptsClaimName"].flatMap((field) =>
            named(origin, `values.${field}`, "PersistentVolumeClaim", ns, v[field]),
        ),
        ...(Array.isArray(v.imagePullSecrets) ? v.imagePullSecrets : []).flatMap((s, i) =>
            named(origin, `values.imagePullSecrets[${i}].name`, "Secret", ns, obj(s).name),
        ),
    ];
}
