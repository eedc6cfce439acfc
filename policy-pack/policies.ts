/**
 * The policies of the pipeline-platform policy pack: the package's guarantees, held for every
 * resource of a stack, the package's own and those a team adds. Plain policy objects: the pack's
 * entry (`index.ts`) hands them to `PolicyPack`; the tests call their functions directly.
 */
import type {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { parseImageReference, statefulKind, STATEFUL_RESOURCES } from "../components/core";
import {
    indexedObjects,
    manifestOf,
    podSpecs,
    unexcusedHardeningProblems,
    type FoundPodSpec,
    type Manifest,
} from "../components/testing";
import { credentialsIn, credentialIn } from "./credentials";

/** The Kubernetes object a resource describes, or undefined. */
function manifestOfResource(args: { type: string; props: Record<string, unknown> }) {
    return manifestOf(args.type, args.props)?.manifest;
}

/** `Kind namespace/name` of an object, as the package's checks name it. */
function objectName(manifest: Manifest): string {
    const namespace = manifest.metadata.namespace ? `${manifest.metadata.namespace}/` : "";
    return `${manifest.kind} ${namespace}${manifest.metadata.name ?? "<no name>"}`;
}

/** Helm resources whose `values` become objects the pack cannot see one by one. */
const HELM_TYPES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"]);

/** A container of a pod spec, as far as the image and env checks read it. */
interface Container {
    name?: unknown;
    image?: unknown;
    env?: unknown;
}

/** An env entry of a container. */
interface EnvVar {
    name?: unknown;
    value?: unknown;
}

/** The containers (init containers first) of a pod spec, with where each is. */
function containersOf(spec: Record<string, unknown>): Array<[string, Container]> {
    return [
        ...indexedObjects<Container>(spec.initContainers).map(([i, c]): [string, Container] => [
            `initContainers[${i}] ${String(c.name)}`,
            c,
        ]),
        ...indexedObjects<Container>(spec.containers).map(([i, c]): [string, Container] => [
            `containers[${i}] ${String(c.name)}`,
            c,
        ]),
    ];
}

/** The pod specs a resource carries: its own, or those of pod template files in a ConfigMap. */
function podSpecsOf(args: { type: string; props: Record<string, unknown> }): FoundPodSpec[] {
    const manifest = manifestOfResource(args);
    return manifest ? podSpecs([manifest]) : [];
}

export const credentialsOnlyInSecrets: ResourceValidationPolicy = {
    name: "credentials-only-in-secrets",
    description:
        "Credentials live only in Kubernetes Secrets: none in ConfigMaps, Helm values, labels, annotations or container env literals.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Put the credential in a Secret (a pulumi.secret value) and pass its name: secretKeyRef for env, the chart's existing-Secret value for Helm.",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        const found: Array<{ path: string; why: string }> = [];
        if (HELM_TYPES.has(args.type)) {
            found.push(...credentialsIn(args.props.values, "values"));
        }
        const manifest = manifestOfResource(args);
        if (manifest) {
            found.push(
                ...credentialsIn(manifest.metadata.annotations, "metadata.annotations"),
                ...credentialsIn(manifest.metadata.labels, "metadata.labels"),
            );
            if (manifest.kind === "ConfigMap") {
                found.push(...credentialsIn(manifest.data, "data"));
                for (const [key, encoded] of Object.entries(
                    (manifest.binaryData ?? {}) as Record<string, unknown>,
                )) {
                    const text =
                        typeof encoded === "string"
                            ? Buffer.from(encoded, "base64").toString("utf8")
                            : undefined;
                    found.push(...credentialsIn(text, `binaryData[${JSON.stringify(key)}]`, key));
                }
            }
            for (const pod of podSpecs([manifest])) {
                for (const [at, container] of containersOf(pod.spec)) {
                    for (const [i, variable] of indexedObjects<EnvVar>(container.env)) {
                        const why = credentialIn(
                            typeof variable.name === "string" ? variable.name : undefined,
                            variable.value,
                        );
                        if (why !== undefined) {
                            found.push({ path: `${pod.where} ${at} env[${i}].value`, why });
                        }
                    }
                }
            }
        }
        for (const { path, why } of found) {
            reportViolation(`${path}: ${why}; only a Secret may hold a credential`);
        }
    },
};

/** The rule fields a wildcard would widen to everything. */
const RULE_FIELDS = ["verbs", "resources", "apiGroups", "resourceNames", "nonResourceURLs"];

export const noWildcardRbac: ResourceValidationPolicy = {
    name: "no-wildcard-rbac",
    description:
        "Roles and ClusterRoles name their verbs, resources and API groups: no rule holds a wildcard.",
    enforcementLevel: "mandatory",
    remediationSteps: "List the verbs and resources the workload needs, each by name.",
    validateResource: (args, reportViolation) => {
        const manifest = manifestOfResource(args);
        if (manifest?.kind !== "Role" && manifest?.kind !== "ClusterRole") {
            return;
        }
        for (const [i, rule] of indexedObjects<Record<string, unknown>>(manifest.rules)) {
            for (const field of RULE_FIELDS) {
                const values = Array.isArray(rule[field]) ? (rule[field] as unknown[]) : [];
                if (values.some((v) => typeof v === "string" && v.includes("*"))) {
                    reportViolation(`rules[${i}].${field} holds a wildcard`);
                }
            }
        }
    },
};

export const podsHardened: ResourceValidationPolicy = {
    name: "pods-hardened",
    description:
        "Every pod spec (workloads, CronJobs, pod template files in ConfigMaps) meets the restricted Pod Security Standard's container rules, as the package's pods do.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Set allowPrivilegeEscalation: false and capabilities.drop [ALL] on each container, and runAsNonRoot: true and seccompProfile RuntimeDefault on the pod or container.",
    validateResource: (args, reportViolation) => {
        for (const found of podSpecsOf(args)) {
            for (const problem of unexcusedHardeningProblems(found)) {
                reportViolation(`${found.where} ${problem.at}: ${problem.message}`);
            }
        }
    },
};

/** Pulumi type of the image resource a ProcessingImage builds and pushes. */
const PROCESSING_IMAGE_TYPE = "docker:index/image:Image";

/** `registry/repository` of an image reference, or undefined when it is not one. */
function repositoryOf(reference: unknown): string | undefined {
    if (typeof reference !== "string") {
        return undefined;
    }
    try {
        const parsed = parseImageReference(reference);
        return `${parsed.registry}/${parsed.repository}`;
    } catch {
        return undefined;
    }
}

/** A container image of a stack not referenced by digest, and whether the stack builds it. */
interface UnpinnedImage {
    resource: PolicyResource;
    /** `<where> <container>` inside the resource. */
    at: string;
    image: unknown;
    built: boolean;
}

/** Every container image in the stack's pod specs that is not referenced by digest. */
function unpinnedImages(resources: readonly PolicyResource[]): UnpinnedImage[] {
    const built = new Set(
        resources
            .filter((r) => r.type === PROCESSING_IMAGE_TYPE)
            .map((r) => repositoryOf(r.props.imageName))
            .filter((r): r is string => r !== undefined),
    );
    return resources.flatMap((resource) =>
        podSpecsOf(resource).flatMap((found) =>
            containersOf(found.spec)
                // A container without an image (a pod template file's, which its launcher fills) has
                // nothing to pin.
                .filter(
                    ([, c]) =>
                        typeof c.image === "string" && !/@sha256:[0-9a-f]{64}$/.test(c.image),
                )
                .map(([at, c]) => {
                    const repository = repositoryOf(c.image);
                    return {
                        resource,
                        at: `${found.where} ${at}`,
                        image: c.image,
                        built: repository !== undefined && built.has(repository),
                    };
                }),
        ),
    );
}

export const processingImagesByDigest: StackValidationPolicy = {
    name: "processing-images-by-digest",
    description:
        "Pods run the images the stack builds (ProcessingImage, a docker Image) by digest (`ref`), never by tag: a tag can be pushed again.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Use the ProcessingImage's `ref` output (repository:tag@sha256:…) in pod specs, not `imageName`.",
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
        for (const { resource, at, image } of unpinnedImages(args.resources).filter(
            (u) => u.built,
        )) {
            reportViolation(
                `${at}: image ${String(image)} is built by this stack and referenced without its digest`,
                resource.urn,
            );
        }
    },
};

export const imagesPinned: StackValidationPolicy = {
    name: "images-pinned",
    description:
        "Advisory: every other container image is referenced by digest too, so a pod restarted later runs the same image.",
    enforcementLevel: "advisory",
    remediationSteps: "Reference images as repository@sha256:<digest>.",
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
        for (const { resource, at, image } of unpinnedImages(args.resources).filter(
            (u) => !u.built,
        )) {
            reportViolation(`${at}: image ${String(image)} is not pinned by digest`, resource.urn);
        }
    },
};

export const statefulResourcesProtected: ResourceValidationPolicy = {
    name: "stateful-resources-protected",
    description:
        "Resources that hold data (buckets, image repositories, claims, the Airflow fernet key and its source, platform namespaces) are protect: true. A policy cannot see retainOnDelete: Pulumi does not pass it to policy packs.",
    enforcementLevel: "mandatory",
    remediationSteps:
        "Set protect on the resource (the platform's `protect: true` does it for what the package creates), or set this policy to advisory for an environment that relies on retainOnDelete alone.",
    validateResource: (args, reportViolation) => {
        const kind = statefulKind(args.type, args.name, args.props);
        if (kind !== undefined && !args.opts.protect) {
            reportViolation(`${STATEFUL_RESOURCES[kind].holds}; the resource is not protect: true`);
        }
    },
};

export const httpProxyIngressClass: ResourceValidationPolicy = {
    name: "httpproxy-ingress-class",
    description:
        "Every HTTPProxy names its ingress class (spec.ingressClassName), so exactly the intended Contour serves it.",
    enforcementLevel: "mandatory",
    remediationSteps: "Set spec.ingressClassName to the class of your Contour (e.g. contour).",
    validateResource: (args, reportViolation) => {
        const manifest = manifestOfResource(args);
        if (manifest?.kind !== "HTTPProxy") {
            return;
        }
        const spec = (manifest.spec ?? {}) as { ingressClassName?: unknown };
        if (typeof spec.ingressClassName !== "string" || spec.ingressClassName === "") {
            reportViolation(`${objectName(manifest)} has no spec.ingressClassName`);
        }
    },
};

/** The labels every Namespace carries: who manages it, and what it is part of. */
export const NAMESPACE_LABELS = ["app.kubernetes.io/managed-by", "app.kubernetes.io/part-of"];

export const namespacesLabelled: ResourceValidationPolicy = {
    name: "namespaces-labelled",
    description: `Every Namespace carries the labels ${NAMESPACE_LABELS.join(" and ")}: who manages it, and what it belongs to.`,
    enforcementLevel: "mandatory",
    remediationSteps: `Add the labels ${NAMESPACE_LABELS.join(", ")} to the Namespace's metadata.`,
    validateResource: (args, reportViolation) => {
        const manifest = manifestOfResource(args);
        if (manifest?.kind !== "Namespace") {
            return;
        }
        const labels = manifest.metadata.labels ?? {};
        for (const label of NAMESPACE_LABELS) {
            if (typeof labels[label] !== "string" || labels[label] === "") {
                reportViolation(`${objectName(manifest)} has no label ${label}`);
            }
        }
    },
};

/** Pod spec fields that reach into the node. */
const HOST_ACCESS = ["hostNetwork", "hostPID", "hostIPC"];

export const podsNoHostAccess: ResourceValidationPolicy = {
    name: "pods-no-host-access",
    description:
        "Advisory: no pod shares the node's network, PID or IPC namespace, mounts a hostPath or runs a privileged container.",
    enforcementLevel: "advisory",
    remediationSteps: "Use volumes and Services instead of the node's own.",
    validateResource: (args, reportViolation) => {
        for (const found of podSpecsOf(args)) {
            for (const field of HOST_ACCESS) {
                if (found.spec[field] === true) {
                    reportViolation(`${found.where}: ${field} is true`);
                }
            }
            for (const [, volume] of indexedObjects<{ name?: unknown; hostPath?: unknown }>(
                found.spec.volumes,
            ).filter(([, v]) => v.hostPath !== undefined && v.hostPath !== null)) {
                reportViolation(`${found.where}: volume ${String(volume.name)} is a hostPath`);
            }
            for (const [at, container] of containersOf(found.spec)) {
                const context = (container as { securityContext?: { privileged?: unknown } })
                    .securityContext;
                if (context?.privileged === true) {
                    reportViolation(`${found.where} ${at}: privileged is true`);
                }
            }
        }
    },
};

export const bindingsToServiceAccounts: ResourceValidationPolicy = {
    name: "bindings-to-service-accounts",
    description:
        "Advisory: RBAC is granted per namespace, to service accounts: no ClusterRoleBinding, no binding of a ClusterRole, no user or group subjects.",
    enforcementLevel: "advisory",
    remediationSteps: "Bind a namespaced Role to the ServiceAccount that needs it.",
    validateResource: (args, reportViolation) => {
        const manifest = manifestOfResource(args);
        if (manifest?.kind === "ClusterRoleBinding") {
            reportViolation(`${objectName(manifest)} grants cluster-wide`);
            return;
        }
        if (manifest?.kind !== "RoleBinding") {
            return;
        }
        const binding = manifest as Manifest & {
            roleRef?: { kind?: unknown; name?: unknown } | null;
            subjects?: unknown;
        };
        if (binding.roleRef?.kind !== "Role") {
            reportViolation(
                `${objectName(manifest)} binds ${String(binding.roleRef?.kind)} ${String(binding.roleRef?.name)}, not a namespaced Role`,
            );
        }
        for (const [, subject] of indexedObjects<{ kind?: unknown; name?: unknown }>(
            binding.subjects,
        ).filter(([, s]) => s.kind !== "ServiceAccount")) {
            reportViolation(
                `${objectName(manifest)} grants to ${String(subject.kind)} ${String(subject.name)}, not a ServiceAccount`,
            );
        }
    },
};

/** The labels of the package's rule 7 a team's objects are advised to carry too. */
export const STANDARD_LABELS = ["app.kubernetes.io/managed-by", "app.kubernetes.io/part-of"];

export const objectsLabelled: ResourceValidationPolicy = {
    name: "objects-labelled",
    description: `Advisory: every Kubernetes object carries ${STANDARD_LABELS.join(" and ")}, so its owner can be found from the cluster.`,
    enforcementLevel: "advisory",
    remediationSteps: `Add the labels ${STANDARD_LABELS.join(", ")} to the object's metadata.`,
    validateResource: (args, reportViolation) => {
        const built = manifestOf(args.type, args.props);
        // Patches change part of an object someone else owns; its labels are theirs.
        if (!built || built.patch || built.manifest.kind === "Namespace") {
            return;
        }
        const labels = built.manifest.metadata.labels ?? {};
        const missing = STANDARD_LABELS.filter(
            (l) => typeof labels[l] !== "string" || labels[l] === "",
        );
        if (missing.length > 0) {
            reportViolation(`${objectName(built.manifest)} has no label ${missing.join(", ")}`);
        }
    },
};

/** Every policy of the pack, mandatory ones first. */
export const POLICIES: Array<ResourceValidationPolicy | StackValidationPolicy> = [
    credentialsOnlyInSecrets,
    noWildcardRbac,
    podsHardened,
    processingImagesByDigest,
    statefulResourcesProtected,
    httpProxyIngressClass,
    namespacesLabelled,
    imagesPinned,
    podsNoHostAccess,
    bindingsToServiceAccounts,
    objectsLabelled,
];
