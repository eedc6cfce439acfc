/**
 * Ingress: Contour, one HTTPProxy per pipeline under Koalja's domain-suffix rule, and Koalja's
 * domain ConfigMap.
 */
export {
    checkDefaultDomain,
    pipelineHostname,
    selectDomainSuffix,
    type DomainConfig,
    type DomainSelector,
} from "./domain";
export {
    CONTOUR_CHART,
    ContourIngress,
    planContourIngress,
    type ContourIngressArgs,
    type ContourIngressBuild,
    type ContourIngressPlan,
    type IngressClassName,
} from "./contour-ingress";
export {
    checkHostnames,
    PipelineIngress,
    planPipelineIngress,
    type ClusterIssuerName,
    type PipelineIngressArgs,
    type PipelineIngressBuild,
    type PipelineIngressPlan,
    type PipelineService,
    type PipelineTls,
    type RouteTimeout,
    type RouteTimeouts,
    type ServicePort,
    type TaskRoute,
} from "./pipeline-ingress";
export {
    KoaljaDomainConfig,
    planKoaljaDomainConfig,
    type KoaljaDomainConfigArgs,
    type KoaljaDomainConfigBuild,
    type KoaljaDomainConfigPlan,
} from "./koalja-domain-config";
