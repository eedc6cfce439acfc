export type {
    AirflowConfig,
    ClusterPrerequisites,
    ExtensionConfig,
    PipelineConfig,
    PlatformConfig,
    PrerequisiteObject,
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
export { checkPrerequisites, declaredPrerequisites } from "./prerequisites";
