import * as YAML from "yaml";
import type { Manifest } from "./manifests";

/** A pod spec found in an object the package creates, with where it was found. */
export interface FoundPodSpec {
    /** `Kind namespace/name` of the object holding it. */
    object: string;
    /** Where inside it: `spec`, `spec.template.spec`, or `data["<file>"]` for a pod template file in a ConfigMap. */
    where: string;
    spec: Record<string, any>;
}

/** The pod-hardening rules every pod spec is held to. */
export type HardeningRule = "allowPrivilegeEscalation" | "capabilities" | "seccompProfile" | "runAsNonRoot";

export interface HardeningProblem {
    rule: HardeningRule;
    /** The container (`containers[0] base`) or `pod` the problem is in. */
    at: string;
    message: string;
}

const TEMPLATED: Record<string, (m: Record<string, any>) => unknown> = {
    Pod: (m) => m.spec,
    Job: (m) => m.spec?.template?.spec,
    Deployment: (m) => m.spec?.template?.spec,
    StatefulSet: (m) => m.spec?.template?.spec,
    DaemonSet: (m) => m.spec?.template?.spec,
    ReplicaSet: (m) => m.spec?.template?.spec,
    CronJob: (m) => m.spec?.jobTemplate?.spec?.template?.spec,
};
const WHERE: Record<string, string> = { Pod: "spec", CronJob: "spec.jobTemplate.spec.template.spec" };

/**
 * Every pod spec in a set of manifests: workloads themselves, and pod template files carried in
 * ConfigMaps (YAML documents of a workload kind), which become pods when a launcher reads them.
 */
export function podSpecs(manifests: readonly Manifest[]): FoundPodSpec[] {
    const found: FoundPodSpec[] = [];
    for (const manifest of manifests) {
        const object = `${manifest.kind} ${manifest.metadata.namespace ? `${manifest.metadata.namespace}/` : ""}${manifest.metadata.name ?? "<no name>"}`;
        const spec = TEMPLATED[manifest.kind]?.(manifest);
        if (spec && typeof spec === "object") {
            found.push({ object, where: WHERE[manifest.kind] ?? "spec.template.spec", spec: spec as Record<string, any> });
        }
        if (manifest.kind === "ConfigMap") {
            for (const [file, text] of Object.entries<unknown>((manifest as Record<string, any>).data ?? {})) {
                for (const document of typeof text === "string" ? parseDocuments(text) : []) {
                    const embedded = TEMPLATED[document?.kind]?.(document);
                    if (embedded && typeof embedded === "object") {
                        found.push({ object, where: `data[${JSON.stringify(file)}]`, spec: embedded as Record<string, any> });
                    }
                }
            }
        }
    }
    return found;
}

function parseDocuments(text: string): any[] {
    try {
        return YAML.parseAllDocuments(text).map((d) => d.toJS());
    } catch {
        return [];
    }
}

/**
 * What a pod spec lacks of the restricted Pod Security Standard's container rules: every container
 * (init containers included) with `allowPrivilegeEscalation: false` and capabilities `drop: [ALL]`,
 * a `RuntimeDefault` (or `Localhost`) seccomp profile, and `runAsNonRoot: true`, each set on the
 * container or (seccomp, runAsNonRoot) on the pod.
 */
export function podHardeningProblems(spec: Record<string, any>): HardeningProblem[] {
    const problems: HardeningProblem[] = [];
    const pod = spec.securityContext ?? {};
    const containers: Array<[string, Record<string, any>]> = [
        ...((spec.initContainers ?? []) as Record<string, any>[]).map((c, i): [string, Record<string, any>] => [`initContainers[${i}] ${c.name}`, c]),
        ...((spec.containers ?? []) as Record<string, any>[]).map((c, i): [string, Record<string, any>] => [`containers[${i}] ${c.name}`, c]),
    ];
    for (const [at, container] of containers) {
        const context = container.securityContext ?? {};
        if (context.allowPrivilegeEscalation !== false) {
            problems.push({ rule: "allowPrivilegeEscalation", at, message: "securityContext.allowPrivilegeEscalation is not false" });
        }
        if (!(context.capabilities?.drop ?? []).includes("ALL")) {
            problems.push({ rule: "capabilities", at, message: "securityContext.capabilities.drop does not contain ALL" });
        }
        const seccomp = context.seccompProfile?.type ?? pod.seccompProfile?.type;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
            problems.push({ rule: "seccompProfile", at, message: "no RuntimeDefault seccomp profile on the container or the pod" });
        }
        if ((context.runAsNonRoot ?? pod.runAsNonRoot) !== true) {
            problems.push({ rule: "runAsNonRoot", at, message: "runAsNonRoot is not true on the container or the pod" });
        }
    }
    return problems;
}
