export type {
    AirflowConfig,
    ExtensionConfig,
    PipelineConfig,
    PlatformConfig,
    ProjectConfig,
    RegistryConfig,
    RegistryConfigScope,
    StorageConfig,
} from "./config";
export {
    EXTERNAL_SECRETS_CHART,
    NAMESPACE_ROLE_LABEL,
    PROJECT_LABEL,
    PipelinePlatform,
    planPlatform,
    type PipelinePlatformArgs,
    type PlannedRegistry,
    type PlatformPlan,
    type RegistrySecrets,
} from "./pipeline-platform";
