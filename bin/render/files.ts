import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { dnsLabel, REDACTED } from "../../components/core";
import { kubernetesManifests, type Manifest, type Registration } from "../../components/testing";
import { redactPaths } from "./redact";
import { sortKeys } from "./order";

/** A rendered Kubernetes object. */
export interface RenderedManifest {
    /** `Kind namespace/name`. */
    object: string;
    /** Pulumi resource name of the registration. */
    resource: string;
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
    chart: string;
    version?: string;
    values: Record<string, unknown>;
}

export function renderManifests(registrations: Registration[]): RenderedManifest[] {
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
        );
        for (const field of payload) {
            if (redacted[field] && typeof redacted[field] === "object") {
                redacted[field] = Object.fromEntries(
                    Object.keys(redacted[field]).map((k) => [k, REDACTED]),
                );
            }
        }
        const namespace = manifest.metadata.namespace ?? "_cluster";
        const name = manifest.metadata.name ?? dnsLabel(registration.name);
        const file = patch
            ? `patches/${namespace}/${manifest.kind.toLowerCase()}.${name}.${dnsLabel(registration.name)}.yaml`
            : `manifests/${namespace}/${manifest.kind.toLowerCase()}.${name}.yaml`;
        const object = `${manifest.kind} ${manifest.metadata.namespace ? `${manifest.metadata.namespace}/` : ""}${manifest.metadata.name ?? "<no name>"}`;
        return { object, resource: registration.name, file, manifest: redacted, patch };
    });
}

export function renderReleases(registrations: Registration[]): RenderedRelease[] {
    return registrations
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((registration) => {
            const inputs = redactPaths(registration.inputs, registration.secretPaths);
            const name = inputs.name ?? registration.name;
            const namespace = inputs.namespace ?? "default";
            return {
                resource: registration.name,
                file: `releases/${namespace}/${name}.yaml`,
                name,
                namespace,
                chart: inputs.chart,
                version: inputs.version,
                values: inputs.values ?? {},
            };
        });
}

/** Custom resources that are neither Kubernetes objects nor Helm releases: buckets, keys, images. */
export function otherResources(registrations: Registration[]): Array<[string, unknown]> {
    const kubernetes = new Set(kubernetesManifests(registrations).map((m) => m.registration));
    return registrations
        .filter(
            (r) =>
                r.custom &&
                !kubernetes.has(r) &&
                r.type !== "kubernetes:helm.sh/v3:Release" &&
                !r.type.startsWith("pulumi:providers:"),
        )
        .map((r) => [
            `resources/${r.type.replace(/[^A-Za-z0-9.-]+/g, "_")}.${dnsLabel(r.name)}.yaml`,
            redactPaths(r.inputs, r.secretPaths),
        ]);
}

const TOP_LEVEL_ORDER = ["apiVersion", "kind", "metadata"];

/** YAML with keys sorted (well-known Kubernetes keys first at the top), so output is stable. */
export function toYaml(value: unknown): string {
    const sorted = sortKeys(value) as Record<string, unknown>;
    const ordered =
        sorted && typeof sorted === "object" && !Array.isArray(sorted)
            ? Object.fromEntries([
                  ...TOP_LEVEL_ORDER.filter((k) => k in sorted).map((k) => [k, sorted[k]]),
                  ...Object.entries(sorted).filter(([k]) => !TOP_LEVEL_ORDER.includes(k)),
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
