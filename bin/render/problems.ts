import {
    findSentinels,
    kubernetesManifests,
    type ManifestProblem,
    type Registration,
} from "../../components/testing";
import { compare } from "./order";

/** Two resources owning the same object would fight over it in the cluster. */
export function duplicateObjects(registrations: Registration[]): ManifestProblem[] {
    const seen = new Map<string, string>();
    const problems: ManifestProblem[] = [];
    for (const { registration, manifest, patch } of kubernetesManifests(registrations)) {
        if (patch) {
            continue;
        }
        const object = `${manifest.apiVersion} ${manifest.kind} ${manifest.metadata.namespace ?? ""}/${manifest.metadata.name}`;
        const first = seen.get(object);
        if (first !== undefined) {
            problems.push({
                object,
                resource: registration.name,
                path: "/metadata/name",
                message: `declared by both ${first} and ${registration.name}`,
            });
        } else {
            seen.set(object, registration.name);
        }
    }
    return problems;
}

/**
 * Rule 5: credentials live only in Secrets. A secret input anywhere else in a Kubernetes object, or
 * anywhere in a Helm release (which receives Secret names), is reported; it is redacted either way.
 */
export function misplacedSecrets(registrations: Registration[]): ManifestProblem[] {
    const problems: ManifestProblem[] = [];
    for (const { registration, manifest } of kubernetesManifests(registrations)) {
        const object = `${manifest.kind} ${manifest.metadata.namespace ? `${manifest.metadata.namespace}/` : ""}${manifest.metadata.name ?? "<no name>"}`;
        for (const p of registration.secretPaths) {
            if (!(manifest.kind === "Secret" && /^(data|stringData)(\.|\[|$)/.test(p))) {
                problems.push({
                    object,
                    resource: registration.name,
                    path: p,
                    message:
                        "holds a secret outside Secret data: credentials belong only in Secrets (rule 5)",
                });
            }
        }
    }
    for (const registration of registrations.filter(
        (r) => r.type === "kubernetes:helm.sh/v3:Release",
    )) {
        for (const p of registration.secretPaths) {
            problems.push({
                object: `Helm release ${registration.inputs.name ?? registration.name}`,
                resource: registration.name,
                path: p,
                message:
                    "holds a secret: Helm releases receive Secret names, never credentials (rule 5)",
            });
        }
    }
    return problems;
}

/** A secure config value's placeholder outside a redacted field means a credential left a Secret (rule 5). */
export function placeholderLeaks(
    files: Record<string, string>,
    placeholders: Record<string, string>,
): ManifestProblem[] {
    const problems: ManifestProblem[] = [];
    for (const [key, placeholder] of Object.entries(placeholders).sort(([a], [b]) =>
        compare(a, b),
    )) {
        for (const [file, text] of Object.entries(files).sort(([a], [b]) => compare(a, b))) {
            if (findSentinels(text, [placeholder]).length > 0) {
                problems.push({
                    object: file,
                    resource: file,
                    path: "/",
                    message: `holds the secure config value ${key} outside a Secret: credentials belong only in Secrets (rule 5)`,
                });
            }
        }
    }
    return problems;
}
