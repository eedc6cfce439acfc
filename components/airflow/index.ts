/**
 * Airflow from the official chart: the AirflowDeployment component, its remote-logging helper, the
 * pinned chart and its values check, and the kedro-airflow-k8s run configuration (the pod template
 * and run settings paths DAG code reads, and the profile rule).
 */
export {
    AirflowDeployment,
    FERNET_KEYS_ANNOTATION,
    planAirflowDeployment,
    POD_LAUNCHER_RULES,
    remoteLogsFromStorage,
    type AirflowConnectionLogs,
    type AirflowDags,
    type AirflowDatabase,
    type AirflowDeploymentArgs,
    type AirflowDeploymentBuild,
    type AirflowDeploymentNames,
    type AirflowDeploymentPlan,
    type AirflowExternalDatabase,
    type AirflowFernetKey,
    type AirflowIdentityLogs,
    type AirflowImage,
    type AirflowIngress,
    type AirflowRemoteLogs,
} from "./airflow-deployment";
export { type AirflowCelery, type AirflowPgBouncer, type AirflowWorkerAutoscaling } from "./celery";
export { gitSyncValues, type AirflowGitDags } from "./git-dags";
export {
    AIRFLOW_CHART,
    AIRFLOW_CHART_PORTS,
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
    resolveProfile,
    type PlannedRunConfig,
    type ResourceList,
    type ResourceProfile,
    type RunConfig,
    type RunSecret,
    type RunToleration,
    type RunVolume,
    type StorageClassName,
    type VolumeAccessMode,
} from "./run-config";
export { AIRFLOW_GUARDED_VALUES } from "./guarded-values";
export {
    AIRFLOW_COMPONENTS,
    type AirflowComponent,
    type Executor,
    type ValuesPath,
} from "./values";
