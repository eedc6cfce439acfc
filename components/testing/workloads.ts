import * as YAML from "yaml";
import type { Manifest } from "./manifests";

/** A pod spec found in an object the package creates, with where it was found. */
export interface FoundPodSpec {
    /** `Kind namespace/name` of the object holding it. */
    object: string;
    /** Where inside it: `spec`, `spec.template.spec`, or `data["<file>"]` for a pod template file in a ConfigMap. */
    where: string;
    spec: Record<string, unknown>;
}

/**
 * The objects of a list field with their indexes. Anything else in the list, or a field that is not
 * a list, is skipped: the API server refuses such a spec, and the hardening rules have nothing to read.
 */
export function indexedObjects<T>(list: unknown): Array<[number, T]> {
    return Array.isArray(list)
        ? list.flatMap((item, i): Array<[number, T]> =>
              item !== null && typeof item === "object" && !Array.isArray(item)
                  ? [[i, item as T]]
                  : [],
          )
        : [];
}

/** The pod-hardening rules every pod spec is held to. */
export type HardeningRule =
    | "allowPrivilegeEscalation"
    | "capabilities"
    | "seccompProfile"
    | "runAsNonRoot"
    | "automountServiceAccountToken";

export interface HardeningProblem {
    rule: HardeningRule;
    /** The container (`containers[0] base`) or `pod` the problem is in. */
    at: string;
    message: string;
}

/** A Kubernetes object as far as finding its pod spec reads it. */
interface Workload {
    kind?: unknown;
    spec?: {
        template?: { spec?: unknown };
        jobTemplate?: { spec?: { template?: { spec?: unknown } } };
    };
}

const TEMPLATED: Record<string, (m: Workload) => unknown> = {
    Pod: (m) => m.spec,
    Job: (m) => m.spec?.template?.spec,
    Deployment: (m) => m.spec?.template?.spec,
    StatefulSet: (m) => m.spec?.template?.spec,
    DaemonSet: (m) => m.spec?.template?.spec,
    ReplicaSet: (m) => m.spec?.template?.spec,
    CronJob: (m) => m.spec?.jobTemplate?.spec?.template?.spec,
};
const WHERE: Record<string, string> = {
    Pod: "spec",
    CronJob: "spec.jobTemplate.spec.template.spec",
};

/**
 * Every pod spec in a set of manifests: workloads themselves, and pod template files carried in
 * ConfigMaps (YAML documents of a workload kind), which become pods when a launcher reads them.
 */
export function podSpecs(manifests: readonly Manifest[]): FoundPodSpec[] {
    const found: FoundPodSpec[] = [];
    for (const manifest of manifests) {
        const object = `${manifest.kind} ${manifest.metadata.namespace ? `${manifest.metadata.namespace}/` : ""}${manifest.metadata.name ?? "<no name>"}`;
        const spec = TEMPLATED[manifest.kind]?.(manifest as Workload);
        if (spec && typeof spec === "object") {
            found.push({
                object,
                where: WHERE[manifest.kind] ?? "spec.template.spec",
                spec: spec as Record<string, unknown>,
            });
        }
        if (manifest.kind === "ConfigMap") {
            for (const [file, text] of Object.entries(
                (manifest.data ?? {}) as Record<string, unknown>,
            )) {
                for (const document of typeof text === "string" ? parseDocuments(text) : []) {
                    const embedded = document
                        ? TEMPLATED[document.kind as string]?.(document)
                        : undefined;
                    if (embedded && typeof embedded === "object") {
                        found.push({
                            object,
                            where: `data[${JSON.stringify(file)}]`,
                            spec: embedded as Record<string, unknown>,
                        });
                    }
                }
            }
        }
    }
    return found;
}

/** The documents of a YAML file, as far as finding pod specs reads them (null for an empty one). */
function parseDocuments(text: string): Array<Workload | null> {
    try {
        return YAML.parseAllDocuments(text).map((d) => d.toJS());
    } catch {
        return [];
    }
}

/** The security settings the hardening rules read, on a container or (seccomp, runAsNonRoot) on the pod. */
interface SecurityContext {
    allowPrivilegeEscalation?: unknown;
    capabilities?: { drop?: unknown[] };
    seccompProfile?: { type?: unknown };
    runAsNonRoot?: unknown;
}

interface Container {
    name?: unknown;
    securityContext?: SecurityContext;
}

/** A pod spec as far as the hardening rules read it. */
interface PodSpec {
    automountServiceAccountToken?: unknown;
    securityContext?: SecurityContext;
    initContainers?: Container[];
    containers?: Container[];
}

/**
 * What a pod spec lacks of the restricted Pod Security Standard's container rules: every container
 * (init containers included) with `allowPrivilegeEscalation: false` and capabilities `drop: [ALL]`,
 * a `RuntimeDefault` (or `Localhost`) seccomp profile, and `runAsNonRoot: true`, each set on the
 * container or (seccomp, runAsNonRoot) on the pod; and no service account token mounted
 * (`automountServiceAccountToken: false`) unless the pod's task calls the Kubernetes API.
 */
export function podHardeningProblems(spec: Record<string, unknown>): HardeningProblem[] {
    const problems: HardeningProblem[] = [];
    const podSpec = spec as PodSpec;
    if (podSpec.automountServiceAccountToken !== false) {
        problems.push({
            rule: "automountServiceAccountToken",
            at: "pod",
            message: "automountServiceAccountToken is not false: the pod gets an API token",
        });
    }
    const pod = podSpec.securityContext ?? {};
    const containers: Array<[string, Container]> = [
        ...indexedObjects<Container>(podSpec.initContainers).map(([i, c]): [string, Container] => [
            `initContainers[${i}] ${c.name}`,
            c,
        ]),
        ...indexedObjects<Container>(podSpec.containers).map(([i, c]): [string, Container] => [
            `containers[${i}] ${c.name}`,
            c,
        ]),
    ];
    for (const [at, container] of containers) {
        const context = container.securityContext ?? {};
        if (context.allowPrivilegeEscalation !== false) {
            problems.push({
                rule: "allowPrivilegeEscalation",
                at,
                message: "securityContext.allowPrivilegeEscalation is not false",
            });
        }
        const drop = context.capabilities?.drop;
        if (!Array.isArray(drop) || !drop.includes("ALL")) {
            problems.push({
                rule: "capabilities",
                at,
                message: "securityContext.capabilities.drop does not contain ALL",
            });
        }
        const seccomp = context.seccompProfile?.type ?? pod.seccompProfile?.type;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
            problems.push({
                rule: "seccompProfile",
                at,
                message: "no RuntimeDefault seccomp profile on the container or the pod",
            });
        }
        if ((context.runAsNonRoot ?? pod.runAsNonRoot) !== true) {
            problems.push({
                rule: "runAsNonRoot",
                at,
                message: "runAsNonRoot is not true on the container or the pod",
            });
        }
    }
    return problems;
}

/** A hardening rule that cannot hold at one place, and why. */
export interface HardeningException {
    /** Matches `<object> <where> <at>` of a {@link FoundPodSpec} and {@link HardeningProblem}. */
    where: RegExp;
    rule: HardeningRule;
    why: string;
}

/**
 * Where a hardening rule cannot hold in pods the package creates, and why; read by the pod tests
 * and the policy pack, so both hold every pod to the same rules.
 * - Kedro task pods (the AirflowDeployment run configuration) run the processing image a task names,
 *   which the platform does not build or know the user of: many data-science images run as root,
 *   and `runAsNonRoot: true` would make the kubelet refuse to start them. Their shared data volume
 *   is made writable through `fsGroup` (`runConfig.volume.owner`) instead.
 */
export const HARDENING_EXCEPTIONS: readonly HardeningException[] = [
    {
        where: /^ConfigMap [a-z0-9-]+\/[a-z0-9-]+-pod-templates data\["[^"]+\.yaml"\] containers\[0\] base$/,
        rule: "runAsNonRoot",
        why: "task images are the user's; many run as root",
    },
];

/** The hardening problems of a found pod spec that no {@link HARDENING_EXCEPTIONS} entry excuses. */
export function unexcusedHardeningProblems(found: FoundPodSpec): HardeningProblem[] {
    return podHardeningProblems(found.spec).filter(
        (p) =>
            !HARDENING_EXCEPTIONS.some(
                (e) => e.rule === p.rule && e.where.test(`${found.object} ${found.where} ${p.at}`),
            ),
    );
}
