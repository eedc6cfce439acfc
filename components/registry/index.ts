/**
 * Container-registry access: the RegistrySecret component, the registry locations, where a location
 * is reached (`planLocation` and `registryEndpoint`, used by the images module and the platform)
 * and the v2 pull check.
 */
export {
    planRegistrySecret,
    RegistrySecret,
    SCOPE_LABEL,
    type RegistryScope,
    type RegistrySecretArgs,
    type RegistrySecretBuild,
    type RegistrySecretPlan,
    type ServiceAccountTarget,
} from "./registry-secret";
export {
    DEFAULT_GCR_URL,
    ecrHost,
    planLocation,
    knownImagePrefix,
    registryEndpoint,
    type PlannedLocation,
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
    EcrKeySecretRef,
    EcrRegistry,
    EcrServiceAccount,
    GcrRegistry,
    IamRoleArn,
    GcrWorkloadIdentity,
    OffClusterRegistry,
    RegistryLocation,
    RegistryUsername,
    ServiceAccountRef,
} from "./location";
