import { parse } from "yaml";
import { chartValuesProblems, DATA_CLAIM_TEMPLATE } from "../../components/airflow";
import { assertValidManifests, isSecretInput } from "../../components/testing";
import { runExample as runExampleIn, named, typesAndNames } from "./run-example";

const PASSWORD = "registry-pa55word";

/** Runs the example as `pulumi up` would: from its own folder, with its stack config. */
function runExample() {
    return runExampleIn(
        "kedro-airflow",
        {
            "kedro-airflow:registryPassword": PASSWORD,
            "kedro-airflow:databaseSecretName": "airflow-metadata-db",
        },
        ["kedro-airflow:registryPassword"],
    );
}

const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const SECRET = "kubernetes:core/v1:Secret";

/** What every profile's pod template shares: the run's secrets, the shared data volume, the task pull secret. */
const sharedContainer = {
    name: "base",
    imagePullPolicy: "IfNotPresent",
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    env: [
        {
            name: "SQL_CONN",
            valueFrom: { secretKeyRef: { name: "airflow-secrets", key: "sql_alchemy_conn" } },
        },
    ],
    envFrom: [{ secretRef: { name: "mlflow-credentials" } }],
    volumeMounts: [
        { name: "data", mountPath: "/home/kedro/data" },
        { name: "secret-0", mountPath: "/var/secrets/gcp", readOnly: true },
    ],
};
const sharedVolumes = [
    { name: "data", persistentVolumeClaim: { claimName: DATA_CLAIM_TEMPLATE } },
    {
        name: "secret-0",
        secret: {
            secretName: "gcp-service-account",
            items: [{ key: "key.json", path: "key.json" }],
        },
    },
];

describe("examples/kedro-airflow", () => {
    test("declares both registry secrets and the Airflow deployment with its run configuration", async () => {
        const result = await runExample();
        expect(typesAndNames(result.registrations, "pipeline-platform:")).toEqual([
            ["pipeline-platform:airflow:AirflowDeployment", "airflow"],
            ["pipeline-platform:registry:RegistrySecret", "airflow-registry"],
            ["pipeline-platform:registry:RegistrySecret", "kedro-registry"],
        ]);
        expect(result.outputs).toEqual({
            releaseName: "airflow",
            dagsClaimName: "airflow-dags",
            podTemplates: "airflow-pod-templates",
            webUrl: "http://airflow-api-server.airflow.svc.cluster.local:8080",
            registrySecret: "airflow-registry",
        });
        await assertValidManifests(result.registrations);
    });

    test("writes one pod template per profile: __default__ and huge_machines, each complete, nothing merged", async () => {
        const result = await runExample();
        const configMap = named(result.registrations, CONFIGMAP, "airflow-pod-templates");
        expect(configMap.inputs.metadata.namespace).toBe("airflow");
        expect(Object.keys(configMap.inputs.data)).toEqual([
            "__default__.yaml",
            "huge_machines.yaml",
        ]);
        expect(parse(configMap.inputs.data["__default__.yaml"])).toEqual({
            apiVersion: "v1",
            kind: "Pod",
            metadata: {
                name: "kedro-task",
                labels: { running: "airflow" },
                annotations: { "iam.amazonaws.com/role": "airflow" },
            },
            spec: {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                imagePullSecrets: [{ name: "kedro-registry" }],
                nodeSelector: { "cloud.google.com/gke-nodepool": "default-pool" },
                tolerations: [
                    { key: "group", value: "data-processing", effect: "NoExecute" },
                    {
                        key: "group",
                        operator: "Equal",
                        value: "data-processing",
                        effect: "NoSchedule",
                    },
                ],
                securityContext: { seccompProfile: { type: "RuntimeDefault" }, fsGroup: 1000 },
                containers: [
                    {
                        ...sharedContainer,
                        resources: {
                            requests: { cpu: "1", memory: "1Gi" },
                            limits: { cpu: "1", memory: "1Gi" },
                        },
                    },
                ],
                volumes: sharedVolumes,
            },
        });
        expect(parse(configMap.inputs.data["huge_machines.yaml"])).toEqual({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "kedro-task" },
            spec: {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                imagePullSecrets: [{ name: "kedro-registry" }],
                nodeSelector: { big_node_pool: "huge.10x" },
                tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }],
                securityContext: { seccompProfile: { type: "RuntimeDefault" }, fsGroup: 1000 },
                containers: [
                    {
                        ...sharedContainer,
                        resources: {
                            requests: { cpu: "16", memory: "128Gi" },
                            limits: { cpu: "32", memory: "256Gi" },
                        },
                    },
                ],
                volumes: sharedVolumes,
            },
        });
    });

    test("describes the shared data volume in the run settings for the DAG code that creates each run's claim", async () => {
        const result = await runExample();
        const settings = named(result.registrations, CONFIGMAP, "airflow-run-config");
        expect(JSON.parse(settings.inputs.data["run-config.json"])).toEqual({
            startupTimeoutSeconds: 600,
            imagePullPolicy: "IfNotPresent",
            profiles: ["__default__", "huge_machines"],
            defaultProfile: "__default__",
            podTemplatesPath: "/opt/airflow/kedro/pod-templates",
            volume: {
                enabled: true,
                claimNameTemplate: DATA_CLAIM_TEMPLATE,
                size: "10Gi",
                accessModes: ["ReadWriteMany"],
                mountPath: "/home/kedro/data",
                owner: 1000,
            },
        });
    });

    test("gives the chart valid values naming the service pull secret, the external database secret and the pod templates", async () => {
        const result = await runExample();
        const release = named(
            result.registrations,
            "kubernetes:helm.sh/v3:Release",
            "airflow-release",
        );
        const values = release.inputs.values;
        expect(chartValuesProblems(values)).toEqual([]);
        expect(values.imagePullSecrets).toEqual(["airflow-registry"]);
        expect(values.data).toEqual({ metadataSecretName: "airflow-metadata-db" });
        expect(values.postgresql).toEqual({ enabled: false });
        expect(values.config.kubernetes_executor).toEqual({
            multi_namespace_mode: "True",
            multi_namespace_mode_namespace_list: "airflow,kedro",
        });
        for (const component of ["workers", "scheduler", "dagProcessor"]) {
            expect(values[component].extraVolumes).toEqual([
                { name: "kedro-pod-templates", configMap: { name: "airflow-pod-templates" } },
                { name: "kedro-run-config", configMap: { name: "airflow-run-config" } },
            ]);
        }
        expect(
            named(result.registrations, "kubernetes:core/v1:PersistentVolumeClaim", "airflow-dags")
                .inputs.spec.resources,
        ).toEqual({ requests: { storage: "5Gi" } });
    });

    test("keeps the registry password in dockerconfigjson Secrets only: service scope in airflow, project scope in kedro", async () => {
        const result = await runExample();
        const pullSecrets = result.registrations.filter(
            (r) => r.type === SECRET && r.inputs.type === "kubernetes.io/dockerconfigjson",
        );
        expect(
            pullSecrets
                .map((s) => [
                    s.inputs.metadata.name,
                    s.inputs.metadata.namespace,
                    s.inputs.metadata.labels["pipeline-platform.io/registry-scope"],
                ])
                .sort(),
        ).toEqual([
            ["airflow-registry", "airflow", "service"],
            ["kedro-registry", "kedro", "project"],
        ]);
        for (const secret of pullSecrets) {
            expect(isSecretInput(secret, 'stringData[".dockerconfigjson"]')).toBe(true);
            expect(
                JSON.parse(secret.inputs.stringData[".dockerconfigjson"]).auths[
                    "registry.example.com/platform"
                ].password,
            ).toBe(PASSWORD);
        }
        const elsewhere = JSON.stringify(
            result.registrations.filter((r) => !pullSecrets.includes(r)).map((r) => r.inputs),
        );
        expect(elsewhere.includes(PASSWORD)).toBe(false);
    });

    test("two evaluations register identical inputs", async () => {
        const first = await runExample();
        const second = await runExample();
        const inputs = (result: typeof first) =>
            result.registrations
                .map((r) => [r.type, r.name, r.inputs])
                .sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
        expect(inputs(second)).toEqual(inputs(first));
    });
});
