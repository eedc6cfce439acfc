import type { RunConfig } from "../../components/airflow";

/** The seed's `run_config` (kedro-airflow-k8s documentation), in this package's field names. */
export const seedRunConfig: RunConfig = {
    imagePullPolicy: "IfNotPresent",
    startupTimeoutSeconds: 600,
    serviceAccountName: "airflow",
    imagePullSecrets: ["my-registry-credentials"],
    volume: { size: "1Gi", owner: 0 },
    secrets: [
        {
            deployType: "env",
            deployTarget: "SQL_CONN",
            secret: "airflow-secrets",
            key: "sql_alchemy_conn",
        },
    ],
    resources: {
        __default__: {
            // The seed writes the key `node_pool_label/k8s.io`, which the API server refuses (a prefix is a
            // DNS subdomain: no `_`); the same intent with a valid key.
            nodeSelectors: { "k8s.io/node_pool_label": "example_value" },
            labels: { running: "airflow" },
            annotations: { "iam.amazonaws.com/role": "airflow" },
            tolerations: [
                { key: "group", value: "data-processing", effect: "NoExecute" },
                { key: "group", operator: "Equal", value: "data-processing", effect: "NoSchedule" },
            ],
            requests: { cpu: "1", memory: "1Gi" },
            limits: { cpu: "1", memory: "1Gi" },
        },
        huge_machines: {
            nodeSelectors: { big_node_pool: "huge.10x" },
            requests: { cpu: "16", memory: "128Gi" },
            limits: { cpu: "32", memory: "256Gi" },
        },
    },
};
