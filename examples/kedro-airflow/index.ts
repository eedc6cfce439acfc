// The kedro-airflow-k8s plugin's `run_config` carried by the platform: Airflow from the official
// chart, its images pulled with a service-scope registry secret, and per resource profile a pod
// template for the kedro tasks (`__default__` for every node, `huge_machines` for nodes tagged
// `resources:huge_machines`), with the run's secrets and its shared data volume.
// A user's program imports from "pipeline-platform"; inside this repository the package is "../../components".
import * as pulumi from "@pulumi/pulumi";
import { AirflowDeployment, RegistrySecret, type RegistryLocation } from "../../components";

const config = new pulumi.Config();
const namespace = config.get("namespace") ?? "airflow";
const projectNamespaces = config.getObject<string[]>("projectNamespaces") ?? ["kedro"];

const registry: RegistryLocation = {
    location: "off-cluster",
    url: config.get("registryUrl") ?? "https://registry.example.com/platform",
    username: config.get("registryUsername") ?? "robot",
    password: config.requireSecret("registryPassword"),
};

// Service scope: the Airflow namespace, where the chart's images are pulled.
const serviceRegistry = new RegistrySecret("airflow-registry", {
    registry,
    scope: "service",
    namespaces: [namespace],
});

// Project scope: the namespaces kedro task pods run in (kedro `image_pull_secrets`). The pod
// templates name it, so its name is fixed here rather than read back from the component.
const taskPullSecret = "kedro-registry";
new RegistrySecret("kedro-registry", {
    registry,
    scope: "project",
    namespaces: projectNamespaces,
    secretName: taskPullSecret,
});

const airflow = new AirflowDeployment("airflow", {
    namespace,
    imagePullSecrets: [serviceRegistry.secretName],
    dags: { size: "5Gi" },
    // A Secret with a `connection` key holding the metadata database URI, managed with the database.
    database: { external: { secretName: config.get("databaseSecretName") ?? "airflow-database" } },
    projectNamespaces,
    runConfig: {
        imagePullPolicy: "IfNotPresent",
        startupTimeoutSeconds: 600,
        imagePullSecrets: [taskPullSecret],
        // Nodes exchange datasets as files on one claim per DAG run, shared across nodes.
        volume: { size: "10Gi", accessModes: ["ReadWriteMany"], owner: 1000 },
        // Secrets in the project namespaces: one key as a variable, a whole Secret as variables,
        // and a service-account key file mounted as a volume.
        secrets: [
            {
                deployType: "env",
                deployTarget: "SQL_CONN",
                secret: "airflow-secrets",
                key: "sql_alchemy_conn",
            },
            { deployType: "env", secret: "mlflow-credentials" },
            {
                deployType: "volume",
                deployTarget: "/var/secrets/gcp",
                secret: "gcp-service-account",
                key: "key.json",
            },
        ],
        resources: {
            __default__: {
                nodeSelectors: { "cloud.google.com/gke-nodepool": "default-pool" },
                labels: { running: "airflow" },
                annotations: { "iam.amazonaws.com/role": "airflow" },
                tolerations: [
                    { key: "group", value: "data-processing", effect: "NoExecute" },
                    {
                        key: "group",
                        operator: "Equal",
                        value: "data-processing",
                        effect: "NoSchedule",
                    },
                ],
                requests: { cpu: "1", memory: "1Gi" },
                limits: { cpu: "1", memory: "1Gi" },
            },
            huge_machines: {
                nodeSelectors: { big_node_pool: "huge.10x" },
                tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }],
                requests: { cpu: "16", memory: "128Gi" },
                limits: { cpu: "32", memory: "256Gi" },
            },
        },
    },
});

export const releaseName = airflow.releaseName;
export const dagsClaimName = airflow.dagsClaimName;
export const podTemplates = airflow.podTemplatesConfigMap;
export const webUrl = airflow.webUrl;
export const registrySecret = serviceRegistry.secretName;
