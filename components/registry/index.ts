/**
 * Container-registry access: the RegistrySecret component, the registry locations, where a location
 * is reached (`registryEndpoint`, used by the images module) and the v2 pull check.
 */
export {
    RegistrySecret,
    SCOPE_LABEL,
    type RegistryScope,
    type RegistrySecretArgs,
} from "./registry-secret";
export {
    ecrHost,
    goDurationSeconds,
    registryEndpoint,
    validateLocation,
    type RegistryEndpoint,
} from "./endpoint";
export {
    checkImagePull,
    MANIFEST_ACCEPT,
    type PullCheckFailure,
    type PullCheckRequest,
    type PullCheckResult,
} from "./pull-check";
export type {
    EcrAuth,
    EcrRegistry,
    GcrRegistry,
    GcrWorkloadIdentity,
    OffClusterRegistry,
    RegistryLocation,
} from "./location";
