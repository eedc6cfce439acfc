export {
    AirflowDeployment,
    POD_LAUNCHER_RULES,
    remoteLogsFromStorage,
    validateAirflowDeploymentArgs,
    type AirflowDatabase,
    type AirflowDags,
    type AirflowDeploymentArgs,
    type AirflowIngress,
    type AirflowRemoteLogs,
} from "./airflow-deployment";
export {
    AIRFLOW_CHART,
    AIRFLOW_VERSION,
    chartValuesProblems,
    type ChartValuesProblem,
} from "./chart";
export {
    DATA_CLAIM_TEMPLATE,
    DEFAULT_PROFILE,
    POD_TEMPLATES_PATH,
    RUN_SETTINGS_FILE,
    RUN_SETTINGS_PATH,
    podTemplate,
    podTemplateFiles,
    profileNames,
    resolveProfile,
    runSettings,
    runSettingsFiles,
    validateRunConfig,
    type ResourceProfile,
    type RunConfig,
    type RunSecret,
    type RunToleration,
    type RunVolume,
} from "./run-config";
export { EXECUTORS, type Executor } from "./values";
