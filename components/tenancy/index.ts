/**
 * Tenancy: the fences of a project namespace that shares a cluster — NetworkPolicies, a LimitRange
 * and a ResourceQuota derived from the task pods' resource profiles.
 */
export {
    FENCE_NAMES,
    planProjectFence,
    ProjectFence,
    type AirflowPeer,
    type FencedService,
    type IngressControllerPeer,
    type ProjectFenceArgs,
    type ProjectFenceBuild,
    type ProjectFencePlan,
} from "./project-fence";
export {
    type Cidr,
    type CidrDestination,
    type DnsServers,
    type EgressDestination,
    type EndpointDestination,
    type FenceEgress,
    type FencePort,
    type KubernetesApiEgress,
    type NamespaceDestination,
    type PodPort,
} from "./network-policies";
export { type FenceLimits, type FenceQuota, type QuotaHard, type TaskProfile } from "./resources";
