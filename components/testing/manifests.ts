import {
    cidrProblems,
    cidrWithin,
    configMapKeyProblems,
    dns1123LabelProblems,
    dns1123SubdomainProblems,
    isNegativeQuantity,
    labelValueProblems,
    qualifiedNameProblems,
    quantityNanos,
    quantityProblems,
} from "../core";
import type { Registration } from "./engine";

/** A Kubernetes object rebuilt from a registration. */
export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: {
        name?: string;
        namespace?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        [k: string]: unknown;
    };
    [field: string]: unknown;
}

/** A rebuilt manifest together with the registration it came from. */
export interface RecordedManifest {
    registration: Registration;
    manifest: Manifest;
    /** True for `…Patch` resources (server-side apply patches): partial objects, `required` not enforced. */
    patch: boolean;
}

/** One reason an object would be refused. */
export interface ManifestProblem {
    /** `Kind namespace/name` of the object. */
    object: string;
    /** Pulumi resource name of the registration. */
    resource: string;
    /** Where in the object, e.g. `/metadata/labels`. */
    path: string;
    message: string;
}

const NOT_MANIFESTS = new Set([
    "kubernetes:helm.sh/v3:Release",
    "kubernetes:helm.sh/v4:Chart",
    "kubernetes:yaml/v2:ConfigGroup",
    "kubernetes:yaml/v2:ConfigFile",
]);

/**
 * Rebuilds every recorded Kubernetes object as a manifest: type token
 * `kubernetes:<group>/<version>:<Kind>` plus the resource inputs. Helm releases and providers are
 * not objects and are skipped (their values are checked against chart schemas instead).
 */
export function kubernetesManifests(registrations: Registration[]): RecordedManifest[] {
    const out: RecordedManifest[] = [];
    for (const registration of registrations) {
        const rebuilt = registration.custom
            ? manifestOf(registration.type, registration.inputs)
            : undefined;
        if (rebuilt) {
            out.push({ registration, ...rebuilt });
        }
    }
    return out;
}

/**
 * The Kubernetes object a resource of type `type` with inputs `inputs` describes, or undefined when
 * the type is not a Kubernetes object (Helm releases, providers, other clouds). Also read by the
 * policy pack, which sees each resource's type and inputs.
 */
export function manifestOf(
    type: string,
    inputs: Record<string, unknown>,
): { manifest: Manifest; patch: boolean } | undefined {
    const match = /^kubernetes:([^:]+):([A-Za-z0-9]+)$/.exec(type);
    if (!match || NOT_MANIFESTS.has(type)) {
        return undefined;
    }
    const [, groupVersion, kindToken] = match;
    const patch = kindToken.endsWith("Patch");
    const object = stripUndefined(inputs) as Partial<Manifest>;
    const apiVersionFromToken = groupVersion.startsWith("core/")
        ? groupVersion.slice("core/".length)
        : groupVersion;
    return {
        manifest: {
            ...object,
            apiVersion: object.apiVersion ?? apiVersionFromToken,
            kind: object.kind ?? (patch ? kindToken.slice(0, -"Patch".length) : kindToken),
            metadata: object.metadata ?? {},
        },
        patch,
    };
}

function stripUndefined(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(stripUndefined);
    }
    if (value && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            if (v !== undefined && v !== null) {
                out[k] = stripUndefined(v);
            }
        }
        return out;
    }
    return value;
}

type ModelClass = new (data: unknown) => { validate(): void };

/** One schema violation as the model classes report it (an Ajv error object). */
interface SchemaError {
    instancePath?: string;
    message?: string;
    keyword?: string;
    params?: { allowedValues?: unknown };
}

const modelModules = new Map<string, Promise<Record<string, unknown>>>();

/** The model package that carries the schema for an apiVersion. */
function modelModule(apiVersion: string): string | undefined {
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    if (group === "projectcontour.io") {
        return `@kubernetes-models/contour/${apiVersion}`;
    }
    if (group === "cert-manager.io" || group === "acme.cert-manager.io") {
        return `@kubernetes-models/cert-manager/${apiVersion}`;
    }
    if (group === "external-secrets.io" || group === "generators.external-secrets.io") {
        return `@kubernetes-models/external-secrets/${apiVersion}`;
    }
    if (group === "monitoring.coreos.com") {
        return `@kubernetes-models/prometheus-operator/${apiVersion}`;
    }
    if (group === "" || !group.includes(".") || group.endsWith(".k8s.io")) {
        return `kubernetes-models/${apiVersion}`;
    }
    return undefined;
}

/**
 * Loads (once per kind) the ESM model module that validates objects of that apiVersion and kind: the
 * kind's own module, which loads only that kind's schema (the apiVersion's index loads them all).
 */
async function modelClass(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
    const module = modelModule(apiVersion);
    if (!module || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
        return undefined;
    }
    const specifier = `${module}/${kind}`;
    let loaded = modelModules.get(specifier);
    if (!loaded) {
        // The model packages are ESM-only, and jest's module registry cannot require an ES module:
        // a dynamic import loads them from CommonJS, under jest as under Node.
        loaded = import(specifier).catch(() => ({}));
        modelModules.set(specifier, loaded);
    }
    return (await loaded)[kind] as ModelClass | undefined;
}

/** Validates one manifest against its schema and the API server's own rules. */
async function manifestProblems(recorded: RecordedManifest): Promise<ManifestProblem[]> {
    const { manifest, registration, patch } = recorded;
    const object = `${manifest.kind} ${manifest.metadata.namespace ? `${manifest.metadata.namespace}/` : ""}${manifest.metadata.name ?? "<no name>"}`;
    const problems: ManifestProblem[] = [];
    const add = (path: string, message: string) =>
        problems.push({ object, resource: registration.name, path, message });

    const Model = await modelClass(manifest.apiVersion, manifest.kind);
    if (!Model) {
        add(
            "/",
            `no schema known for ${manifest.apiVersion} ${manifest.kind}: every emitted object must be validated`,
        );
    } else {
        try {
            new Model(manifest).validate();
        } catch (err) {
            const failure = err as { errors?: SchemaError[]; message?: unknown } | null | undefined;
            const errors: SchemaError[] = failure?.errors ?? [
                { instancePath: "", message: String(failure?.message ?? err) },
            ];
            for (const e of errors) {
                if (patch && e.keyword === "required") {
                    continue;
                }
                add(
                    e.instancePath || "/",
                    `${e.message}${e.params && e.keyword === "enum" ? ` (${JSON.stringify(e.params.allowedValues)})` : ""}`,
                );
            }
        }
    }
    for (const [path, message] of apiServerProblems(manifest)) {
        add(path, message);
    }
    if (!patch) {
        for (const [key, value] of Object.entries(REQUIRED_LABELS)) {
            const actual = manifest.metadata.labels?.[key];
            if (value === undefined ? !actual : actual !== value) {
                add(
                    "/metadata/labels",
                    `must carry ${key}${value ? `: ${value}` : ""} (package rule 7), has ${JSON.stringify(actual)}`,
                );
            }
        }
    }
    return problems;
}

/** Validates every Kubernetes object among the registrations; returns all problems found. */
export async function validateRegistrations(
    registrations: Registration[],
): Promise<ManifestProblem[]> {
    const problems: ManifestProblem[] = [];
    for (const recorded of kubernetesManifests(registrations)) {
        problems.push(...(await manifestProblems(recorded)));
    }
    return problems;
}

/** Throws one error listing every problem, so a test shows all of them at once. */
export async function assertValidManifests(registrations: Registration[]): Promise<void> {
    const problems = await validateRegistrations(registrations);
    if (problems.length > 0) {
        throw new Error(
            `invalid Kubernetes objects:\n${problems.map((p) => `  ${p.object} (${p.resource}) ${p.path}: ${p.message}`).join("\n")}`,
        );
    }
}

/** Package rule 7: the labels every object carries (`component` must be present, any module). */
const REQUIRED_LABELS: Record<string, string | undefined> = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "pipeline-platform",
    "app.kubernetes.io/component": undefined,
};

/** Kinds whose names the API server requires to be DNS-1123 labels rather than subdomains. */
const LABEL_NAMED_KINDS = new Set(["Namespace", "Service"]);

/** The checks the API server makes that the OpenAPI schemas cannot express. */
export function apiServerProblems(manifest: Manifest): Array<[string, string]> {
    const problems: Array<[string, string]> = [];
    const meta = manifest.metadata ?? {};
    if (typeof meta.name !== "string" || meta.name === "") {
        problems.push(["/metadata/name", "an explicit, deterministic metadata.name is required"]);
    } else {
        const nameProblems = LABEL_NAMED_KINDS.has(manifest.kind)
            ? dns1123LabelProblems(meta.name)
            : dns1123SubdomainProblems(meta.name);
        for (const p of nameProblems) {
            problems.push(["/metadata/name", `${JSON.stringify(meta.name)} ${p}`]);
        }
    }
    if (typeof meta.namespace === "string") {
        for (const p of dns1123LabelProblems(meta.namespace)) {
            problems.push(["/metadata/namespace", `${JSON.stringify(meta.namespace)} ${p}`]);
        }
    }
    walk(manifest, "", (value, path, key, parentKey) => {
        if (
            (key === "labels" || key === "matchLabels" || key === "nodeSelector") &&
            isRecord(value)
        ) {
            for (const [k, v] of Object.entries(value)) {
                for (const p of qualifiedNameProblems(k)) {
                    problems.push([`${path}`, `label key ${JSON.stringify(k)}: ${p}`]);
                }
                if (key !== "nodeSelector" || typeof v === "string") {
                    for (const p of labelValueProblems(String(v))) {
                        problems.push([`${path}/${k}`, `label value ${JSON.stringify(v)}: ${p}`]);
                    }
                }
            }
        }
        if (key === "annotations" && isRecord(value)) {
            for (const k of Object.keys(value)) {
                for (const p of qualifiedNameProblems(k)) {
                    problems.push([path, `annotation key ${JSON.stringify(k)}: ${p}`]);
                }
            }
        }
        if (
            (key === "requests" || key === "limits") &&
            parentKey === "resources" &&
            isRecord(value)
        ) {
            for (const [k, v] of Object.entries(value)) {
                const text = String(v);
                for (const p of quantityProblems(text)) {
                    problems.push([`${path}/${k}`, `quantity ${JSON.stringify(v)} ${p}`]);
                }
                if (isNegativeQuantity(text)) {
                    problems.push([
                        `${path}/${k}`,
                        `quantity ${JSON.stringify(v)} must not be negative`,
                    ]);
                }
            }
        }
    });
    if (manifest.kind === "Secret" || manifest.kind === "ConfigMap") {
        problems.push(...dataProblems(manifest));
    }
    if (manifest.kind === "NetworkPolicy") {
        problems.push(...networkPolicyProblems(manifest));
    }
    if (manifest.kind === "LimitRange") {
        problems.push(...limitRangeProblems(manifest));
    }
    if (manifest.kind === "ResourceQuota") {
        const hard = (manifest.spec as { hard?: unknown } | undefined)?.hard;
        problems.push(...resourceListProblems(hard, "/spec/hard"));
    }
    return problems;
}

/** Resource names and non-negative quantities of a ResourceList (quota `hard`, LimitRange bounds). */
function resourceListProblems(list: unknown, path: string): Array<[string, string]> {
    const problems: Array<[string, string]> = [];
    if (!isRecord(list)) {
        return problems;
    }
    for (const [name, value] of Object.entries(list)) {
        for (const p of qualifiedNameProblems(name)) {
            problems.push([path, `resource name ${JSON.stringify(name)}: ${p}`]);
        }
        // The schema holds the quantity syntax; the sign is the API server's rule.
        const nanos = quantityNanos(String(value));
        if (nanos !== undefined && nanos < 0n) {
            problems.push([
                `${path}/${name}`,
                `quantity ${JSON.stringify(value)} must not be negative`,
            ]);
        }
    }
    return problems;
}

/**
 * ValidateLimitRange after the API server's defaulting (a missing default limit is the max, a
 * missing default request the default limit, or the min): min <= default request <= default
 * limit <= max for every resource of a Container item.
 */
function limitRangeProblems(manifest: Manifest): Array<[string, string]> {
    const problems: Array<[string, string]> = [];
    const items = (manifest.spec as { limits?: unknown } | undefined)?.limits;
    (Array.isArray(items) ? items : []).forEach((item: Record<string, unknown>, i) => {
        const path = `/spec/limits/${i}`;
        const bounds = ["min", "defaultRequest", "default", "max"] as const;
        for (const bound of bounds) {
            problems.push(...resourceListProblems(item[bound], `${path}/${bound}`));
        }
        const list = (bound: (typeof bounds)[number]) =>
            (isRecord(item[bound]) ? item[bound] : {}) as Record<string, string>;
        const max = list("max");
        const min = list("min");
        const defaultLimit = item.type === "Container" ? { ...max, ...list("default") } : {};
        const defaultRequest =
            item.type === "Container" ? { ...min, ...defaultLimit, ...list("defaultRequest") } : {};
        const ordered: Array<[string, Record<string, string>, string, Record<string, string>]> = [
            ["min", min, "defaultRequest", defaultRequest],
            ["defaultRequest", defaultRequest, "default", defaultLimit],
            ["default", defaultLimit, "max", max],
            ["min", min, "max", max],
        ];
        for (const [lowName, low, highName, high] of ordered) {
            for (const [resource, value] of Object.entries(low)) {
                const bound = high[resource];
                const a = quantityNanos(String(value));
                const b = bound === undefined ? undefined : quantityNanos(String(bound));
                if (a !== undefined && b !== undefined && a > b) {
                    problems.push([
                        `${path}/${lowName}/${resource}`,
                        `${lowName} ${value} must be less than or equal to ${highName} ${bound}`,
                    ]);
                }
            }
        }
    });
    return problems;
}

/**
 * ValidateNetworkPolicy's rules a schema cannot hold: a peer is an ipBlock or selectors, never
 * both; an ipBlock's CIDR is a network (canonical, as this package writes it) and each `except`
 * lies strictly inside it; a numbered port is 1 to 65535.
 */
function networkPolicyProblems(manifest: Manifest): Array<[string, string]> {
    const problems: Array<[string, string]> = [];
    const spec = (manifest.spec ?? {}) as Record<string, unknown>;
    for (const [direction, peersKey] of [
        ["ingress", "from"],
        ["egress", "to"],
    ] as const) {
        const rules = Array.isArray(spec[direction]) ? (spec[direction] as unknown[]) : [];
        rules.forEach((rule, i) => {
            const path = `/spec/${direction}/${i}`;
            const peers = isRecord(rule) && Array.isArray(rule[peersKey]) ? rule[peersKey] : [];
            (peers as unknown[]).forEach((peer, j) => {
                if (!isRecord(peer) || !isRecord(peer.ipBlock)) {
                    return;
                }
                const at = `${path}/${peersKey}/${j}/ipBlock`;
                if (peer.namespaceSelector !== undefined || peer.podSelector !== undefined) {
                    problems.push([at, "may not be combined with a namespace or pod selector"]);
                }
                const cidr = String(peer.ipBlock.cidr);
                for (const p of cidrProblems(cidr)) {
                    problems.push([`${at}/cidr`, `${JSON.stringify(cidr)} ${p}`]);
                }
                const except = Array.isArray(peer.ipBlock.except) ? peer.ipBlock.except : [];
                except.forEach((hole: unknown, k: number) => {
                    if (!cidrWithin(String(hole), cidr)) {
                        problems.push([
                            `${at}/except/${k}`,
                            `${JSON.stringify(hole)} must be strictly within ${cidr}`,
                        ]);
                    }
                });
            });
            const ports = isRecord(rule) && Array.isArray(rule.ports) ? rule.ports : [];
            (ports as unknown[]).forEach((port, j) => {
                if (!isRecord(port)) {
                    return;
                }
                if (
                    typeof port.port === "number" &&
                    !(Number.isInteger(port.port) && port.port >= 1 && port.port <= 65535)
                ) {
                    problems.push([`${path}/ports/${j}/port`, "must be 1 to 65535"]);
                }
            });
        });
    }
    return problems;
}

function dataProblems(manifest: Manifest): Array<[string, string]> {
    const problems: Array<[string, string]> = [];
    const decoded: Record<string, string> = {};
    for (const field of ["data", "stringData", "binaryData"]) {
        const data = manifest[field];
        if (!isRecord(data)) {
            continue;
        }
        for (const [k, v] of Object.entries(data)) {
            for (const p of configMapKeyProblems(k)) {
                problems.push([`/${field}`, `key ${JSON.stringify(k)} ${p}`]);
            }
            if ((manifest.kind === "Secret" && field === "data") || field === "binaryData") {
                if (
                    typeof v !== "string" ||
                    !/^[A-Za-z0-9+/]*={0,2}$/.test(v) ||
                    v.length % 4 !== 0
                ) {
                    problems.push([`/${field}/${k}`, "must be base64"]);
                    continue;
                }
                decoded[k] = Buffer.from(v, "base64").toString("utf8");
            } else {
                decoded[k] = String(v);
            }
        }
    }
    if (manifest.kind === "Secret") {
        const type = manifest.type ?? "Opaque";
        const requireKeys = (keys: string[]) => {
            for (const key of keys) {
                if (!(key in decoded)) {
                    problems.push([
                        "/data",
                        `a ${type} Secret must hold the key ${JSON.stringify(key)}`,
                    ]);
                }
            }
        };
        if (type === "kubernetes.io/dockerconfigjson") {
            requireKeys([".dockerconfigjson"]);
            if (".dockerconfigjson" in decoded) {
                try {
                    const parsed = JSON.parse(decoded[".dockerconfigjson"]);
                    if (!isRecord(parsed?.auths)) {
                        problems.push([
                            "/data/.dockerconfigjson",
                            'must be JSON with an "auths" object',
                        ]);
                    }
                } catch {
                    problems.push(["/data/.dockerconfigjson", "must be valid JSON"]);
                }
            }
        } else if (type === "kubernetes.io/dockercfg") {
            requireKeys([".dockercfg"]);
        } else if (type === "kubernetes.io/tls") {
            requireKeys(["tls.crt", "tls.key"]);
        } else if (type === "kubernetes.io/basic-auth") {
            if (!("username" in decoded) && !("password" in decoded)) {
                problems.push([
                    "/data",
                    'a kubernetes.io/basic-auth Secret must hold "username" or "password"',
                ]);
            }
        } else if (type === "kubernetes.io/ssh-auth") {
            requireKeys(["ssh-privatekey"]);
        }
    }
    return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return !!value && typeof value === "object" && !Array.isArray(value);
}

function walk(
    value: unknown,
    path: string,
    visit: (value: unknown, path: string, key: string, parentKey: string) => void,
    key = "",
    parentKey = "",
): void {
    visit(value, path, key, parentKey);
    if (Array.isArray(value)) {
        value.forEach((v, i) => walk(v, `${path}/${i}`, visit, String(i), key));
    } else if (isRecord(value)) {
        // Secret and ConfigMap payloads are data, not structure; their keys are checked apart.
        for (const [k, v] of Object.entries(value)) {
            if (path === "" && (k === "data" || k === "stringData" || k === "binaryData")) {
                continue;
            }
            walk(v, `${path}/${k}`, visit, k, key);
        }
    }
}
