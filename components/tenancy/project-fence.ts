import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    invalidInput,
    joinPath,
    planComponent,
    standardLabels,
    usePlan,
    type Labels,
    type NamespaceName,
    type ObjectName,
    type Planned,
    type Reporter,
} from "../core";
import type { ResourceList } from "../airflow";
import type { ServicePort } from "../ingress";
import {
    DEFAULT_API_PORTS,
    DEFAULT_DNS,
    destinationRule,
    ipBlockPeers,
    namespacePeer,
    policyPorts,
    policyRules,
    type FenceEgress,
    type FencePort,
    type PodPort,
    type PolicyRule,
} from "./network-policies";
import {
    planResources,
    type FenceLimits,
    type FenceQuota,
    type QuotaHard,
    type TaskProfile,
} from "./resources";

/** A Service of the project that the ingress controller routes to. */
export interface FencedService {
    /**
     * The Service's name.
     * @example "segmentation"
     */
    service: ObjectName;
    /**
     * The Service port the proxy routes to.
     */
    port: ServicePort;
    /**
     * The port the Service's pods listen on, when the Service maps `port` to another (its
     * `targetPort`). Default `port`.
     * @example 8080
     */
    targetPort?: PodPort;
}

/** The ingress controller whose proxies reach the project's services (Contour's Envoy). */
export interface IngressControllerPeer {
    /**
     * Namespace the proxies run in.
     * @example "projectcontour"
     */
    namespace: NamespaceName;
    /**
     * Labels of the proxy pods, to admit only them. Default: every pod of the namespace.
     * @example { "app.kubernetes.io/component": "envoy" }
     */
    podSelector?: Labels;
    /**
     * The ports of this namespace's pods the proxies may reach. Default: the target ports of
     * `services`. Every service's target port must be among them.
     * @uniqueItems true
     * @example [8080]
     */
    ports?: PodPort[];
}

/** Airflow's namespace, where its executor and this namespace's pods talk to each other. */
export interface AirflowPeer {
    /**
     * Airflow's namespace.
     * @example "pipeline-services"
     */
    namespace: NamespaceName;
    /**
     * Ports of this namespace's pods Airflow's pods may reach (KubernetesExecutor: a worker's log
     * server, which the API server reads running tasks' logs from). Default none.
     * @example [{ port: 8793 }]
     */
    ingress?: FencePort[];
    /**
     * Ports of Airflow's pods this namespace's pods may reach (KubernetesExecutor workers: the API
     * server's task execution API, StatsD). Default none.
     * @example [{ port: 8080 }, { port: 9125, protocol: "UDP" }]
     */
    egress?: FencePort[];
}

export interface ProjectFenceArgs {
    /**
     * The project namespace the fences go in; it must exist.
     * @example "imaging"
     */
    namespace: NamespaceName;
    /**
     * The project's pipeline Services the ingress controller routes to. Default none.
     * @example [{ service: "segmentation", port: 8080 }]
     */
    services?: FencedService[];
    /**
     * The ingress controller that reaches `services`. Required with `services`; default: nothing
     * outside the namespace reaches its pods, except `airflow`.
     * @example { namespace: "projectcontour" }
     */
    ingressController?: IngressControllerPeer;
    /**
     * Airflow's namespace and the ports its executor needs in both directions. Default none.
     * @example { namespace: "pipeline-services", ingress: [{ port: 8793 }], egress: [{ port: 8080 }] }
     */
    airflow?: AirflowPeer;
    /**
     * Pods of the namespace reach each other (a pipeline's service calls its task services).
     * Default true.
     * @example true
     */
    sameNamespace?: boolean;
    /**
     * Where pods may connect. Default: DNS, and the peers above.
     * @example { to: [{ endpoint: "http://minio.minio.svc:9000" }] }
     */
    egress?: FenceEgress;
    /**
     * The task pods' container resources by profile, as the Airflow run configuration's
     * `resources`: `__default__` and named profiles. The LimitRange and quota derive from them,
     * and each is checked against both. Default none.
     * @propertyNames { "type": "string", "pattern": "^[-_a-zA-Z0-9][-._a-zA-Z0-9]*$", "maxLength": 248, "description": "A profile name: letters, digits, '-', '_' and '.', not starting with '.'", "examples": ["huge_machines"] }
     * @example { __default__: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } } }
     */
    taskProfiles?: Record<string, TaskProfile>;
    /**
     * The LimitRange. Default: derived from `taskProfiles`; none without them.
     * @example { max: { memory: "64Gi" } }
     */
    limits?: FenceLimits;
    /**
     * The ResourceQuota. Default: derived from `taskProfiles`; none without them.
     * @example { tasks: 20 }
     */
    quota?: FenceQuota;
}

/** One NetworkPolicy of the fence: its name, what it selects and its rules. */
export interface PlannedPolicy {
    /** Suffix of the Pulumi resource name and of the object name (`fence-<role>`). */
    role: string;
    policyTypes: Array<"Ingress" | "Egress">;
    ingress: PolicyRule[];
    egress: PolicyRule[];
}

/** What a ProjectFence builds: the checked args, its NetworkPolicies, LimitRange and quota. */
export interface ProjectFenceBuild {
    args: ProjectFenceArgs;
    policies: PlannedPolicy[];
    limitRange?: {
        defaultRequest?: ResourceList;
        default?: ResourceList;
        max?: ResourceList;
    };
    quota?: QuotaHard;
}

/** A ProjectFence's validated input; see {@link planProjectFence}. */
export type ProjectFencePlan = Planned<"ProjectFence", ProjectFenceBuild>;

/** Object names: one fence per namespace, so fixed names say what they are. */
export const FENCE_NAMES = { prefix: "fence", quota: "fence-quota", limitRange: "fence-limits" };

/**
 * The fences of a project namespace that shares a cluster: NetworkPolicies (ingress denied but
 * from the ingress controller to the pipeline services' ports, from Airflow where its executor
 * needs it, and within the namespace; egress only to DNS, Airflow and declared destinations), a
 * LimitRange and a ResourceQuota derived from the task pods' resource profiles. NetworkPolicies
 * hold only where the cluster's network plugin enforces them.
 */
export class ProjectFence extends pulumi.ComponentResource {
    /** The fenced namespace. */
    public readonly namespace: pulumi.Output<string>;
    /** Names of the NetworkPolicies, the default-deny one first. */
    public readonly networkPolicies: pulumi.Output<string[]>;
    /** The ResourceQuota's name, when there is one. */
    public readonly quotaName: pulumi.Output<string | undefined>;
    /** The LimitRange's name, when there is one. */
    public readonly limitRangeName: pulumi.Output<string | undefined>;

    constructor(
        name: string,
        args: ProjectFenceArgs | ProjectFencePlan,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const plan = usePlan("ProjectFence", name, args, planProjectFence);
        super("pipeline-platform:tenancy:ProjectFence", name, {}, opts);
        const namespace = plan.args.namespace;
        const labels = standardLabels("tenancy");

        const policies = plan.policies.map(
            (policy) =>
                new k8s.networking.v1.NetworkPolicy(
                    `${name}-${policy.role}`,
                    {
                        metadata: {
                            name: `${FENCE_NAMES.prefix}-${policy.role}`,
                            namespace,
                            labels,
                        },
                        spec: {
                            podSelector: {},
                            policyTypes: policy.policyTypes,
                            // No rules for a direction a policy types: it allows nothing there.
                            ...(policy.ingress.length > 0
                                ? { ingress: policyRules(policy.ingress, "from") }
                                : {}),
                            ...(policy.egress.length > 0
                                ? { egress: policyRules(policy.egress, "to") }
                                : {}),
                        },
                    },
                    { parent: this },
                ),
        );
        if (plan.limitRange) {
            new k8s.core.v1.LimitRange(
                `${name}-limits`,
                {
                    metadata: { name: FENCE_NAMES.limitRange, namespace, labels },
                    spec: { limits: [{ type: "Container", ...plan.limitRange }] },
                },
                { parent: this },
            );
        }
        if (plan.quota) {
            new k8s.core.v1.ResourceQuota(
                `${name}-quota`,
                {
                    metadata: { name: FENCE_NAMES.quota, namespace, labels },
                    spec: { hard: plan.quota },
                },
                { parent: this },
            );
        }

        this.namespace = pulumi.output(namespace);
        this.networkPolicies = pulumi.all(policies.map((p) => p.metadata.name));
        this.quotaName = pulumi.output(plan.quota ? FENCE_NAMES.quota : undefined);
        this.limitRangeName = pulumi.output(plan.limitRange ? FENCE_NAMES.limitRange : undefined);
        this.registerOutputs({
            namespace: this.namespace,
            networkPolicies: this.networkPolicies,
            quotaName: this.quotaName,
            limitRangeName: this.limitRangeName,
        });
    }
}

/**
 * Checks a ProjectFence's args (shape, then: every service's port reachable through the policies,
 * CIDRs the API server accepts, destinations NetworkPolicy can express, pod templates within the
 * LimitRange, a quota that holds one pod of each profile) without creating anything, and returns
 * the plan its constructor builds from.
 */
export function planProjectFence(
    name: string,
    args: ProjectFenceArgs,
    reporter?: Reporter,
): ProjectFencePlan {
    return planComponent(
        "ProjectFence",
        "ProjectFenceArgs",
        name,
        args,
        (checked: ProjectFenceArgs, scoped: Reporter) => {
            const ingressPorts = reachablePorts(checked, scoped);
            const egress = checked.egress ?? {};
            const restricted = egress.unrestricted !== true;
            if (!restricted) {
                for (const field of ["dns", "kubernetesApi", "to"] as const) {
                    if (egress[field] !== undefined) {
                        invalidInput({
                            path: joinPath("egress", field),
                            given: egress[field],
                            expected:
                                "nothing besides unrestricted: true, which lets pods reach every address already",
                            example: "{ unrestricted: true }",
                        });
                    }
                }
            }
            if (checked.quota?.hard !== undefined && checked.quota.tasks !== undefined) {
                invalidInput({
                    path: "quota.tasks",
                    given: checked.quota.tasks,
                    expected: `no tasks together with quota.hard: tasks sizes the derived quota, which hard replaces`,
                    example: `{ hard: ${JSON.stringify(checked.quota.hard)} }`,
                });
            }
            const policies = networkPolicies(checked, ingressPorts, restricted);
            const resources = planResources(
                checked.taskProfiles ?? {},
                checked.limits ?? {},
                checked.quota ?? {},
                scoped,
            );
            return { args: checked, policies, ...resources };
        },
        reporter,
    );
}

/**
 * The ports the ingress controller may reach: the given ones, every service's target port among
 * them; or the services' target ports.
 */
function reachablePorts(args: ProjectFenceArgs, reporter: Reporter): number[] {
    const services = args.services ?? [];
    const controller = args.ingressController;
    if (services.length > 0 && controller === undefined) {
        invalidInput({
            path: "ingressController",
            given: controller,
            expected: `the ingress controller that routes to services[0] (${services[0].service}:${services[0].port}): without it no policy lets a proxy reach the service`,
            example: '{ namespace: "projectcontour" }',
        });
    }
    const targets = services.map((s) => s.targetPort ?? s.port);
    const ports = controller?.ports ?? [...new Set(targets)];
    services.forEach((service, i) => {
        const target = service.targetPort ?? service.port;
        if (!ports.includes(target)) {
            invalidInput({
                path: joinPath(joinPath("services", i), service.targetPort ? "targetPort" : "port"),
                given: target,
                expected: `a port the policies let the ingress controller reach: ${reporter.path("ingressController.ports")} allows only ${JSON.stringify(ports)}`,
                example: ports[0] ?? 8080,
            });
        }
    });
    return ports;
}

function networkPolicies(
    args: ProjectFenceArgs,
    ingressPorts: number[],
    restricted: boolean,
): PlannedPolicy[] {
    const both: Array<"Ingress" | "Egress"> = restricted ? ["Ingress", "Egress"] : ["Ingress"];
    const egress = args.egress ?? {};
    const policies: PlannedPolicy[] = [
        // Selects every pod and allows nothing: whatever the other policies allow is all there is.
        { role: "default-deny", policyTypes: both, ingress: [], egress: [] },
    ];
    if (args.sameNamespace ?? true) {
        const own = { peers: [{ podSelector: {} }] };
        policies.push({
            role: "allow-same-namespace",
            policyTypes: both,
            ingress: [own],
            egress: restricted ? [own] : [],
        });
    }
    const controller = args.ingressController;
    if (controller !== undefined && ingressPorts.length > 0) {
        policies.push({
            role: "allow-ingress-controller",
            policyTypes: ["Ingress"],
            ingress: [
                {
                    peers: [namespacePeer(controller.namespace, controller.podSelector)],
                    ports: policyPorts(ingressPorts.map((port) => ({ port }))),
                },
            ],
            egress: [],
        });
    }
    const airflow = args.airflow;
    if (airflow !== undefined) {
        const peer = namespacePeer(airflow.namespace);
        const ingress = (airflow.ingress ?? []).length > 0;
        const out = restricted && (airflow.egress ?? []).length > 0;
        if (ingress || out) {
            policies.push({
                role: "allow-airflow",
                policyTypes: [
                    ...(ingress ? ["Ingress" as const] : []),
                    ...(out ? ["Egress" as const] : []),
                ],
                ingress: ingress
                    ? [{ peers: [peer], ports: policyPorts(airflow.ingress ?? []) }]
                    : [],
                egress: out ? [{ peers: [peer], ports: policyPorts(airflow.egress ?? []) }] : [],
            });
        }
    }
    if (!restricted) {
        return policies;
    }
    const dns = egress.dns ?? {};
    policies.push({
        role: "allow-dns",
        policyTypes: ["Egress"],
        ingress: [],
        egress: [
            {
                peers: [
                    namespacePeer(
                        dns.namespace ?? DEFAULT_DNS.namespace,
                        dns.podSelector ?? DEFAULT_DNS.podSelector,
                    ),
                    ...ipBlockPeers(
                        dns.cidrs ?? [],
                        [],
                        (i) => joinPath("egress.dns.cidrs", i),
                        "egress.dns.except",
                    ),
                ],
                ports: policyPorts([
                    { port: 53, protocol: "UDP" },
                    { port: 53, protocol: "TCP" },
                ]),
            },
        ],
    });
    if (egress.kubernetesApi !== undefined) {
        policies.push({
            role: "allow-kubernetes-api",
            policyTypes: ["Egress"],
            ingress: [],
            egress: [
                {
                    peers: ipBlockPeers(
                        egress.kubernetesApi.cidrs,
                        [],
                        (i) => joinPath("egress.kubernetesApi.cidrs", i),
                        "egress.kubernetesApi.except",
                    ),
                    ports: policyPorts(
                        (egress.kubernetesApi.ports ?? DEFAULT_API_PORTS).map((port) => ({ port })),
                    ),
                },
            ],
        });
    }
    const destinations = egress.to ?? [];
    if (destinations.length > 0) {
        policies.push({
            role: "allow-egress",
            policyTypes: ["Egress"],
            ingress: [],
            egress: destinations.map((destination, i) =>
                destinationRule(destination, joinPath("egress.to", i)),
            ),
        });
    }
    return policies;
}
