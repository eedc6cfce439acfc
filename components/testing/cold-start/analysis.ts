import { closest, distance } from "fastest-levenshtein";
import type { ClusterPrerequisites } from "../../platform";
import type { Registration } from "../engine";
import { kubernetesManifests, type ManifestProblem, type RecordedManifest } from "../manifests";
import {
    chartsInstalling,
    crdSwitchesOff,
    groupOf,
    isBuiltInGroup,
    kindName,
    kindsCreatedBy,
    kindsInstalledBy,
    readChartName,
    releaseObjects,
    releaseReferences,
    releasesOf,
    type ChartNameReader,
    type Release,
} from "./charts";
import { applyGraph, type ApplyGraph } from "./graph";
import {
    BUILT_IN_NAMESPACES,
    manifestNamespace,
    objectLabel,
    ObjectIndex,
    type ClusterObject,
} from "./objects";
import { manifestReferences, podLaunchNamespaces, type Reference } from "./references";

export interface ColdStartOptions {
    /** What the cluster provides before the first `pulumi up` (for a platform stack: `declaredPrerequisites(config)`). */
    prerequisites?: ClusterPrerequisites;
    /** Reads a local chart folder's name; default: its `Chart.yaml`. */
    chartName?: ChartNameReader;
}

/** A custom resource in its apply wave. */
export interface WaveEntry {
    wave: number;
    /** `Kind namespace/name`, `Release namespace/name`, or `<type> <name>` for other resources. */
    object: string;
    /** Pulumi resource name. */
    resource: string;
}

/** Something the cluster must already have, and who uses it. */
export interface UsedPrerequisite {
    /** The `prerequisites` field it is declared in, e.g. `secrets`. */
    field: string;
    /** `Kind.group` for a CRD, else the object's kind. */
    kind: string;
    namespace?: string;
    name: string;
    /** Keys read from it (Secrets and ConfigMaps), sorted. */
    keys: string[];
    /** `<object> <field path>` of every use, sorted. */
    usedBy: string[];
}

export interface ColdStartReport {
    /** Every custom resource with the wave `pulumi up` creates it in on an empty stack, by wave, then object. */
    waves: WaveEntry[];
    /** The number of waves. */
    depth: number;
    /** Objects created before what they need, and names nothing creates or declares. */
    problems: ManifestProblem[];
    /** The declared prerequisites the program uses, by field, then namespace and name. */
    prerequisites: UsedPrerequisite[];
}

/** The `prerequisites` field that declares objects of a kind. */
const FIELDS: Record<string, string> = {
    Namespace: "namespaces",
    StorageClass: "storageClasses",
    ClusterIssuer: "clusterIssuers",
    Issuer: "issuers",
    Secret: "secrets",
    ConfigMap: "configMaps",
    ServiceAccount: "serviceAccounts",
    PersistentVolumeClaim: "persistentVolumeClaims",
    Service: "services",
};
const CLUSTER_FIELDS: Record<string, string> = {
    namespaces: "Namespace",
    storageClasses: "StorageClass",
    clusterIssuers: "ClusterIssuer",
};
export const PREREQUISITE_FIELDS = ["crds", ...Object.values(FIELDS), "objects"] as const;

/**
 * Proves a recorded program can be applied to an empty cluster: computes the waves `pulumi up`
 * creates its resources in (see `applyGraph`), checks that every object comes after its Namespace,
 * after the release (or CRD) that installs its kind and after everything it names that the program
 * creates, and that every name it uses (Secrets and keys, ConfigMaps, claims, ServiceAccounts, pull
 * Secrets, Services behind proxies, issuers, storage classes…) is created by the program or declared
 * as a prerequisite; the closest existing name is suggested for a dangling one.
 */
export function analyzeColdStart(
    registrations: readonly Registration[],
    options: ColdStartOptions = {},
): ColdStartReport {
    const graph = applyGraph(registrations);
    const manifests = kubernetesManifests([...registrations]);
    const releases = releasesOf(registrations, options.chartName ?? readChartName);
    const prerequisites = options.prerequisites ?? {};
    const index = new ObjectIndex([
        ...programObjects(manifests, releases),
        ...declaredObjects(prerequisites),
        ...BUILT_IN_NAMESPACES.map((name) => ({ kind: "Namespace", name })),
    ]);
    const usage = new Usage();
    const problems = [
        ...checkReferences(manifests, releases, index, graph, usage),
        ...checkKinds(manifests, releases, new Set(prerequisites.crds ?? []), graph, usage),
    ];

    const labels = new Map<Registration, string>([
        ...manifests.map((m): [Registration, string] => [
            m.registration,
            `${manifestLabel(m.manifest)}${m.patch ? " (patch)" : ""}`,
        ]),
        ...releases.map((r): [Registration, string] => [r.registration, r.object]),
    ]);
    return {
        waves: graph.resources
            .map(({ registration, wave }) => ({
                wave,
                object: labels.get(registration) ?? `${registration.type} ${registration.name}`,
                resource: registration.name,
            }))
            .sort(
                (a, b) =>
                    a.wave - b.wave ||
                    compare(a.object, b.object) ||
                    compare(a.resource, b.resource),
            ),
        depth: graph.depth,
        problems: problems.sort((a, b) => compare(a.object, b.object) || compare(a.path, b.path)),
        prerequisites: usage.list(),
    };
}

/** The declared prerequisites the program uses, with the keys read and who uses them. */
class Usage {
    private readonly used = new Map<string, UsedPrerequisite>();

    add(entry: Omit<UsedPrerequisite, "keys" | "usedBy">, by: string, key?: string): void {
        const id = `${entry.field}\n${entry.namespace ?? ""}\n${entry.name}`;
        const found = this.used.get(id) ?? { ...entry, keys: [], usedBy: [] };
        if (key !== undefined && !found.keys.includes(key)) {
            found.keys = [...found.keys, key].sort();
        }
        if (!found.usedBy.includes(by)) {
            found.usedBy = [...found.usedBy, by].sort();
        }
        this.used.set(id, found);
    }

    /** By field (in the order of {@link PREREQUISITE_FIELDS}), then kind, namespace and name. */
    list(): UsedPrerequisite[] {
        const rank = (field: string) =>
            PREREQUISITE_FIELDS.indexOf(field as (typeof PREREQUISITE_FIELDS)[number]);
        return [...this.used.values()].sort(
            (a, b) =>
                rank(a.field) - rank(b.field) ||
                compare(a.kind, b.kind) ||
                compare(a.namespace ?? "", b.namespace ?? "") ||
                compare(a.name, b.name),
        );
    }
}

/**
 * Every name the program's objects and releases use must be created by the program (before the
 * user, when the user acts on it at once) or declared; a Secret or ConfigMap key must be one it has.
 */
function checkReferences(
    manifests: readonly RecordedManifest[],
    releases: readonly Release[],
    index: ObjectIndex,
    graph: ApplyGraph,
    usage: Usage,
): ManifestProblem[] {
    const problems: ManifestProblem[] = [];
    const launchNamespaces = podLaunchNamespaces(manifests);
    const references = [
        ...manifests.flatMap((m) => manifestReferences(m, launchNamespaces)),
        ...releases.flatMap(releaseReferences),
    ];
    for (const reference of references) {
        const problem = (message: string) =>
            problems.push({
                object: reference.object,
                resource: reference.referrer.name,
                path: reference.path,
                message,
            });
        const target = index.get(reference.kind, reference.namespace, reference.name);
        if (target === undefined) {
            problem(danglingMessage(reference, index));
            continue;
        }
        if (reference.key !== undefined && target.keys && !target.keys.includes(reference.key)) {
            problem(missingKeyMessage(reference, target.keys));
        }
        const creator = target.createdBy;
        if (
            creator &&
            reference.ordered &&
            creator !== reference.referrer &&
            !graph.isAfter(reference.referrer, creator)
        ) {
            problem(
                `${describe(reference)} is created by resource ${creator.name}${target.via ? ` (${target.via})` : ""}, and this object is not ordered after it; add dependsOn on that resource or on its component`,
            );
        }
        if (target.declared) {
            usage.add(
                {
                    field: FIELDS[reference.kind] ?? "objects",
                    kind: reference.kind,
                    namespace: reference.namespace,
                    name: reference.name,
                },
                `${reference.object} ${reference.path}`,
                reference.key,
            );
        }
    }
    return problems;
}

/**
 * Every object of a custom resource kind must come after what installs its CRD (a release of a
 * chart that installs it, or a CustomResourceDefinition object), unless the kind is declared.
 */
function checkKinds(
    manifests: readonly RecordedManifest[],
    releases: readonly Release[],
    declaredKinds: ReadonlySet<string>,
    graph: ApplyGraph,
    usage: Usage,
): ManifestProblem[] {
    const problems: ManifestProblem[] = [];
    const definitions = manifests.filter(
        (m) => !m.patch && m.manifest.kind === "CustomResourceDefinition",
    );
    for (const { manifest, registration } of manifests) {
        const group = groupOf(manifest.apiVersion);
        if (isBuiltInGroup(group)) {
            continue;
        }
        const kind = kindName(manifest.kind, group);
        const object = manifestLabel(manifest);
        if (declaredKinds.has(kind)) {
            usage.add({ field: "crds", kind, name: kind }, object);
            continue;
        }
        const installers = [
            ...releases.filter((r) => kindsInstalledBy(r).includes(kind)),
            ...definitions
                .filter((d) => crdKind(d) === kind)
                .map((d) => ({ registration: d.registration, object: manifestLabel(d.manifest) })),
        ];
        const problem = (message: string) =>
            problems.push({ object, resource: registration.name, path: "kind", message });
        if (installers.length === 0) {
            problem(uninstalledKindMessage(kind, releases));
        } else if (!installers.some((i) => graph.isAfter(registration, i.registration))) {
            const first = installers[0];
            problem(
                `kind ${kind} is installed by ${first.object} (resource ${first.registration.name}), and this object is not ordered after it, so it fails with "no matches for kind ${manifest.kind}" on an empty cluster; add dependsOn on that resource or on its component`,
            );
        }
    }
    // Objects a chart renders from its values (the Airflow chart's KEDA ScaledObjects) need their
    // CRDs before the release installs.
    for (const release of releases) {
        for (const { kind, template } of kindsCreatedBy(release)) {
            if (declaredKinds.has(kind)) {
                usage.add({ field: "crds", kind, name: kind }, release.object);
                continue;
            }
            const installers = releases.filter(
                (r) => r !== release && kindsInstalledBy(r).includes(kind),
            );
            const problem = (message: string) =>
                problems.push({
                    object: release.object,
                    resource: release.registration.name,
                    path: "values",
                    message: `its chart creates a ${kind} (${template}): ${message}`,
                });
            if (installers.length === 0) {
                problem(uninstalledKindMessage(kind, releases));
            } else if (
                !installers.some((i) => graph.isAfter(release.registration, i.registration))
            ) {
                problem(
                    `kind ${kind} is installed by ${installers[0].object} (resource ${installers[0].registration.name}), and this release is not ordered after it; add dependsOn on that resource`,
                );
            }
        }
    }
    return problems;
}

function uninstalledKindMessage(kind: string, releases: readonly Release[]): string {
    const start = `kind ${kind} is installed by none of the program's releases and not declared in prerequisites.crds`;
    for (const release of releases) {
        const off = crdSwitchesOff(release, kind);
        if (off !== undefined) {
            return `${start}; ${release.object} (resource ${release.registration.name}) installs it only with ${off} set to true`;
        }
    }
    const charts = chartsInstalling(kind);
    return `${start}; ${
        charts.length > 0
            ? `install it first (chart ${charts.join(" or ")}) or declare it`
            : "no chart in the installer table serves it: declare it"
    }`;
}

function manifestLabel(manifest: RecordedManifest["manifest"]): string {
    return objectLabel(
        manifest.kind,
        manifestNamespace(manifest),
        manifest.metadata.name ?? "<no name>",
    );
}

/** `Secret "x" in namespace y` / `StorageClass "x"`. */
function describe(reference: Pick<Reference, "kind" | "name" | "namespace">): string {
    return `${reference.kind} "${reference.name}"${reference.namespace !== undefined ? ` in namespace ${reference.namespace}` : ""}`;
}

function danglingMessage(reference: Reference, index: ObjectIndex): string {
    const field = FIELDS[reference.kind] ?? "objects";
    const elsewhere =
        reference.namespace === undefined ? [] : index.namespacesOf(reference.kind, reference.name);
    const near = nearest(reference.name, index.names(reference.kind, reference.namespace));
    const hint =
        elsewhere.length > 0
            ? `; a ${reference.kind} "${reference.name}" exists in namespace ${elsewhere.join(", ")}`
            : near !== undefined
              ? `; did you mean "${near}"?`
              : "";
    return `${describe(reference)} is neither created by the program nor declared in prerequisites.${field}${hint}`;
}

function missingKeyMessage(reference: Reference, keys: string[]): string {
    const near = nearest(reference.key!, keys);
    return `${describe(reference)} has no key "${reference.key}"${
        near !== undefined
            ? `; did you mean "${near}"?`
            : `; its keys: ${keys.join(", ") || "none"}`
    }`;
}

/** The closest candidate when it is close enough to be a typo of `name` (as for unknown keys in args). */
function nearest(name: string, candidates: string[]): string | undefined {
    if (candidates.length === 0) {
        return undefined;
    }
    const best = closest(name, candidates);
    return distance(name, best) <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** `<Kind>.<group>` a CustomResourceDefinition object defines. */
function crdKind(crd: RecordedManifest): string | undefined {
    const spec = crd.manifest.spec as { group?: unknown; names?: { kind?: unknown } } | undefined;
    return typeof spec?.group === "string" && typeof spec.names?.kind === "string"
        ? kindName(spec.names.kind, spec.group)
        : undefined;
}

/** The objects the program creates, and the ones its ExternalSecrets, Certificates and releases create in the cluster. */
function programObjects(
    manifests: readonly RecordedManifest[],
    releases: readonly Release[],
): ClusterObject[] {
    const objects: ClusterObject[] = [];
    const namespaceLabels = new Map<string, Record<string, unknown>>();
    for (const { manifest } of manifests) {
        if (manifest.kind === "Namespace" && manifest.metadata.name) {
            namespaceLabels.set(manifest.metadata.name, manifest.metadata.labels ?? {});
        }
    }
    for (const { manifest, registration: createdBy, patch } of manifests) {
        if (patch || !manifest.metadata.name) {
            continue;
        }
        const namespace = manifestNamespace(manifest);
        const spec = (manifest.spec ?? {}) as Record<string, unknown>;
        objects.push({
            kind: manifest.kind,
            namespace,
            name: manifest.metadata.name,
            createdBy,
            keys: payloadKeys(manifest),
        });
        if (manifest.kind === "ExternalSecret") {
            const target = externalSecretTarget(spec, manifest.metadata.name);
            if (target) {
                objects.push({
                    kind: "Secret",
                    namespace,
                    ...target,
                    createdBy,
                    via: "its target Secret",
                });
            }
        }
        if (manifest.kind === "ClusterExternalSecret") {
            const external = (spec.externalSecretSpec ?? {}) as Record<string, unknown>;
            const target = externalSecretTarget(
                external,
                (spec.externalSecretName as string | undefined) ?? manifest.metadata.name,
            );
            for (const target_namespace of clusterExternalSecretNamespaces(spec, namespaceLabels)) {
                if (target) {
                    objects.push({
                        kind: "Secret",
                        namespace: target_namespace,
                        ...target,
                        createdBy,
                        via: "its ExternalSecrets' target Secret",
                    });
                }
            }
        }
        if (manifest.kind === "Certificate" && typeof spec.secretName === "string") {
            objects.push({
                kind: "Secret",
                namespace,
                name: spec.secretName,
                createdBy,
                via: "the Secret cert-manager issues",
                keys: ["ca.crt", "tls.crt", "tls.key"],
            });
        }
    }
    return [...objects, ...releases.flatMap(releaseObjects)];
}

/** The keys of a Secret's or ConfigMap's payload. */
function payloadKeys(manifest: RecordedManifest["manifest"]): string[] | undefined {
    const fields =
        manifest.kind === "Secret"
            ? ["data", "stringData"]
            : manifest.kind === "ConfigMap"
              ? ["data", "binaryData"]
              : [];
    if (fields.length === 0) {
        return undefined;
    }
    return [
        ...new Set(
            fields.flatMap((f) => Object.keys((manifest[f] ?? {}) as Record<string, unknown>)),
        ),
    ].sort();
}

/**
 * The Secret an ExternalSecret spec writes: `target.name` (default the ExternalSecret's name),
 * with the keys its template writes (or its `data` entries) when those are all it writes. With
 * `creationPolicy: None` nothing is written; with `Merge` the Secret must exist (a reference).
 */
function externalSecretTarget(
    spec: Record<string, unknown>,
    defaultName: string,
): { name: string; keys?: string[] } | undefined {
    const target = (spec.target ?? {}) as {
        name?: string;
        creationPolicy?: string;
        template?: {
            data?: Record<string, unknown>;
            templateFrom?: unknown[];
            mergePolicy?: string;
        };
    };
    if (target.creationPolicy === "None" || target.creationPolicy === "Merge") {
        return undefined;
    }
    const template = target.template;
    const data = Array.isArray(spec.data) ? (spec.data as Array<{ secretKey?: string }>) : [];
    const keys =
        template?.data && !template.templateFrom?.length && template.mergePolicy !== "Merge"
            ? Object.keys(template.data)
            : !template && !spec.dataFrom
              ? data.flatMap((d) => (typeof d.secretKey === "string" ? [d.secretKey] : []))
              : undefined;
    return { name: target.name ?? defaultName, ...(keys ? { keys: keys.sort() } : {}) };
}

/** The namespaces a ClusterExternalSecret writes to: its `namespaces`, and the program's namespaces its selectors match. */
function clusterExternalSecretNamespaces(
    spec: Record<string, unknown>,
    namespaceLabels: Map<string, Record<string, unknown>>,
): string[] {
    const selectors = [
        ...(Array.isArray(spec.namespaceSelectors) ? spec.namespaceSelectors : []),
        ...(spec.namespaceSelector ? [spec.namespaceSelector] : []),
    ] as Array<{ matchLabels?: Record<string, unknown> }>;
    const selected = [...namespaceLabels].filter(([, labels]) =>
        selectors.some(
            (s) =>
                s.matchLabels !== undefined &&
                Object.entries(s.matchLabels).every(([k, v]) => labels[k] === v),
        ),
    );
    return [
        ...new Set([
            ...(Array.isArray(spec.namespaces) ? (spec.namespaces as string[]) : []),
            ...selected.map(([name]) => name),
        ]),
    ];
}

/** The objects the config declares the cluster has. */
function declaredObjects(prerequisites: ClusterPrerequisites): ClusterObject[] {
    const objects: ClusterObject[] = [];
    for (const [field, kind] of Object.entries(FIELDS).map(([k, f]) => [f, k])) {
        const entries = (prerequisites as Record<string, unknown>)[field];
        for (const entry of Array.isArray(entries) ? entries : []) {
            if (field in CLUSTER_FIELDS) {
                objects.push({ kind, name: entry as string, declared: true });
            } else {
                const { namespace, name, keys } = entry as {
                    namespace: string;
                    name: string;
                    keys?: string[];
                };
                objects.push({ kind, namespace, name, declared: true, ...(keys ? { keys } : {}) });
            }
        }
    }
    for (const entry of prerequisites.objects ?? []) {
        objects.push({
            kind: entry.kind,
            namespace: entry.namespace,
            name: entry.name,
            declared: true,
        });
    }
    return objects;
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
