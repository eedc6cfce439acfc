export {
    domainConfigFor,
    koaljaDomainConfigData,
    pipelineHostname,
    selectDomainSuffix,
    validateDomainConfig,
    type DomainConfig,
    type DomainSelector,
} from "./domain";
export {
    CONTOUR_CHART,
    CONTOUR_CONTROLLER,
    ContourIngress,
    type ContourIngressArgs,
} from "./contour-ingress";
export {
    PipelineIngress,
    WAIT_FOR_VALID,
    pipelineFqdn,
    validatePipelineIngress,
    type PipelineIngressArgs,
    type PipelineTls,
    type RouteTimeouts,
    type TaskRoute,
} from "./pipeline-ingress";
export {
    KOALJA_DOMAIN_CONFIG_NAME,
    KoaljaDomainConfig,
    type KoaljaDomainConfigArgs,
} from "./koalja-domain-config";
