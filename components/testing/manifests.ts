import {
    configMapKeyProblems,
    dns1123LabelProblems,
    dns1123SubdomainProblems,
    isNegativeQuantity,
    labelValueProblems,
    qualifiedNameProblems,
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

/** Loads (once per apiVersion) the ESM model module that validates objects of that apiVersion. */
async function modelClass(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
    const specifier = modelModule(apiVersion);
    if (!specifier) {
        return undefined;
    }
    let loaded = modelModules.get(specifier);
    if (!loaded) {
        // The model packages are ESM-only; a dynamic import loads them from CommonJS.
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
