import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { dnsLabel, REDACTED } from "../../components/core";
import { kubernetesManifests, type Manifest, type Registration } from "../../components/testing";
import { redactPaths } from "./redact";
import { sortKeys } from "./order";

/** How a secret value is shown: `<redacted>`, or with its sources (see `redactedText`). */
export type Redact = (secret: unknown) => string;

const redactBare: Redact = () => REDACTED;

/** A rendered Kubernetes object. */
export interface RenderedManifest {
    /** `Kind namespace/name`. */
    object: string;
    /** Pulumi resource name of the registration. */
    resource: string;
    /** URN of the registration. */
    urn: string;
    /** Path of its file, relative to the output folder. */
    file: string;
    /** The object with Secret data and every secret input redacted. */
    manifest: Manifest;
    /** True for server-side apply patches of objects the program does not own. */
    patch: boolean;
}

/** A rendered Helm release: its chart and computed values, secrets redacted. */
export interface RenderedRelease {
    resource: string;
    file: string;
    name: string;
    namespace: string;
    /** The chart repository's URL; absent for a chart from a local folder or archive. */
    repository?: string;
    chart: string;
    version?: string;
    values: Record<string, unknown>;
}

/** A rendered resource that is neither a Kubernetes object nor a Helm release: a bucket, a key, an image. */
export interface RenderedResource {
    registration: Registration;
    file: string;
    /** What the file shows: the type, the inputs (secrets redacted) and, for a minted credential, what it feeds. */
    content: { type: string; inputs: Record<string, unknown>; feeds?: string[] };
}

export function renderManifests(
    registrations: Registration[],
    redact: Redact = redactBare,
): RenderedManifest[] {
    return kubernetesManifests(registrations).map(({ registration, manifest, patch }) => {
        // Secret payloads are redacted key by key, so the keys stay reviewable.
        const payload = manifest.kind === "Secret" ? ["data", "stringData"] : [];
        const redacted = redactPaths(
            manifest,
            registration.secretPaths.filter(
                (p) =>
                    !payload.some(
                        (field) =>
                            p === field || p.startsWith(`${field}.`) || p.startsWith(`${field}[`),
                    ),
            ),
            redact,
        );
        for (const field of payload) {
            if (redacted[field] && typeof redacted[field] === "object") {
                redacted[field] = Object.fromEntries(
                    Object.entries(redacted[field]).map(([k, v]) => [k, redact(v)]),
                );
            }
        }
        const namespace = manifest.metadata.namespace ?? "_cluster";
        const name = manifest.metadata.name ?? dnsLabel(registration.name);
        const file = patch
            ? `patches/${namespace}/${manifest.kind.toLowerCase()}.${name}.${dnsLabel(registration.name)}.yaml`
            : `manifests/${namespace}/${manifest.kind.toLowerCase()}.${name}.yaml`;
        const object = `${manifest.kind} ${manifest.metadata.namespace ? `${manifest.metadata.namespace}/` : ""}${manifest.metadata.name ?? "<no name>"}`;
        return {
            object,
            resource: registration.name,
            urn: registration.urn,
            file,
            manifest: redacted,
            patch,
        };
    });
}

export function renderReleases(
    registrations: Registration[],
    redact: Redact = redactBare,
): RenderedRelease[] {
    return registrations
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((registration) => {
            const inputs = redactPaths(registration.inputs, registration.secretPaths, redact);
            const name = inputs.name ?? registration.name;
            const namespace = inputs.namespace ?? "default";
            return {
                resource: registration.name,
                file: `releases/${namespace}/${name}.yaml`,
                name,
                namespace,
                repository: inputs.repositoryOpts?.repo,
                chart: inputs.chart,
                version: inputs.version,
                values: inputs.values ?? {},
            };
        });
}

/**
 * Custom resources that are neither Kubernetes objects nor Helm releases: buckets, keys, images.
 * `feeds` names, for a resource that mints a credential, where its value goes.
 */
export function otherResources(
    registrations: Registration[],
    redact: Redact = redactBare,
    feeds: (registration: Registration) => string[] = () => [],
): RenderedResource[] {
    const kubernetes = new Set(kubernetesManifests(registrations).map((m) => m.registration));
    return registrations
        .filter(
            (r) =>
                r.custom &&
                !kubernetes.has(r) &&
                r.type !== "kubernetes:helm.sh/v3:Release" &&
                !r.type.startsWith("pulumi:providers:"),
        )
        .map((registration) => {
            const fed = feeds(registration);
            return {
                registration,
                file: `resources/${registration.type.replace(/[^A-Za-z0-9.-]+/g, "_")}.${dnsLabel(registration.name)}.yaml`,
                content: {
                    type: registration.type,
                    inputs: redactPaths(registration.inputs, registration.secretPaths, redact),
                    ...(fed.length > 0 ? { feeds: fed } : {}),
                },
            };
        });
}

const TOP_LEVEL_ORDER = ["apiVersion", "kind", "metadata"];

/** The order of a release file's keys: which release, from where, then its values. */
export const RELEASE_ORDER = ["name", "namespace", "repository", "chart", "version", "values"];

/** The order of a resource file's keys: what it is, its inputs, then what it feeds. */
export const RESOURCE_ORDER = ["type", "inputs", "feeds"];

/**
 * YAML with keys sorted (the top level's keys in `order` first: well-known Kubernetes keys unless
 * told otherwise), so output is stable.
 */
export function toYaml(value: unknown, order: readonly string[] = TOP_LEVEL_ORDER): string {
    const sorted = sortKeys(value) as Record<string, unknown>;
    const ordered =
        sorted && typeof sorted === "object" && !Array.isArray(sorted)
            ? Object.fromEntries([
                  ...order.filter((k) => k in sorted).map((k) => [k, sorted[k]]),
                  ...Object.entries(sorted).filter(([k]) => !order.includes(k)),
              ])
            : sorted;
    return YAML.stringify(ordered, { lineWidth: 0 });
}

/** The folders and files a render owns in its output folder; only these are replaced. */
const OWNED = [
    "manifests",
    "patches",
    "releases",
    "resources",
    "tree.txt",
    "outputs.yaml",
    "order.txt",
    "prerequisites.yaml",
    "data-safety.yaml",
];

export function writeFiles(out: string, files: Record<string, string>): void {
    for (const entry of OWNED) {
        fs.rmSync(path.join(out, entry), { recursive: true, force: true });
    }
    for (const [file, text] of Object.entries(files)) {
        const target = path.join(out, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, text);
    }
}
