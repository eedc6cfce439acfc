import * as pulumi from "@pulumi/pulumi";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { readFileSync } from "fs";
import * as path from "path";
import {
    AirflowDeployment,
    planAirflowDeployment,
    remoteLogsFromStorage,
    type AirflowDeploymentArgs,
} from "../../components/airflow";
import { podTemplateFiles, runSettingsFiles } from "../../components/airflow/run-config";
import {
    assertValidManifests,
    isSecretInput,
    ProgramError,
    runProgram,
    type Registration,
} from "../../components/testing";
import { seedRunConfig } from "./seed";

const labels = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "pipeline-platform",
    "app.kubernetes.io/component": "airflow",
};

/** The chart's schema from the test fixtures, compiled independently of the component's copy. */
const fixtureSchema = JSON.parse(
    readFileSync(path.join(__dirname, "../fixtures/airflow-chart/values.schema.json"), "utf8"),
);
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validateChartValues = ajv.compile(fixtureSchema);

function expectValidChartValues(values: unknown): void {
    const valid = validateChartValues(values);
    expect(valid ? [] : validateChartValues.errors).toEqual([]);
    for (const key of Object.keys(values as object)) {
        expect(Object.keys(fixtureSchema.properties)).toContain(key);
    }
}

const production: AirflowDeploymentArgs = {
    namespace: "airflow",
    airflowImage: { repository: "registry.example.com/platform/airflow", tag: "3.0.5-1" },
    imagePullSecrets: ["airflow-registry"],
    dags: { size: "5Gi", storageClassName: "efs-sc" },
    database: { external: { secretName: "airflow-database" } },
    logs: {
        bucket: "pipeline-logs",
        prefix: "airflow/logs",
        connectionSecretName: "airflow-s3-logs",
        connectionId: "s3_logs",
    },
    ingress: {
        domains: { "example.com": {} },
        tls: { clusterIssuer: "letsencrypt" },
        ingressClassName: "contour",
    },
    projectNamespaces: ["imaging", "radiology"],
    runConfig: seedRunConfig,
};

function deploy(args: AirflowDeploymentArgs, name = "airflow") {
    return runProgram(() => {
        const airflow = new AirflowDeployment(name, args);
        return {
            releaseName: airflow.releaseName,
            namespace: airflow.namespace,
            dagsClaimName: airflow.dagsClaimName,
            webUrl: airflow.webUrl,
            podTemplatesConfigMap: airflow.podTemplatesConfigMap,
        };
    });
}

const byName = (registrations: Registration[], name: string) => {
    const found = registrations.find((r) => r.name === name);
    if (!found) {
        throw new Error(`no registration ${name}`);
    }
    return found;
};

describe("AirflowDeployment", () => {
    test("registers the keys, the DAG claim, RBAC per project namespace, the run configuration, the release and the ingress", async () => {
        const result = await deploy(production);
        // Registration order follows Output resolution, so the set of children is compared sorted.
        expect(result.registrations.map((r) => [r.type, r.name]).sort()).toEqual(
            [
                ["pipeline-platform:airflow:AirflowDeployment", "airflow"],
                ["random:index/randomBytes:RandomBytes", "airflow-fernet-key-bytes"],
                ["kubernetes:core/v1:Secret", "airflow-fernet-key"],
                ["random:index/randomBytes:RandomBytes", "airflow-api-secret-key-bytes"],
                ["kubernetes:core/v1:Secret", "airflow-api-secret-key"],
                ["random:index/randomBytes:RandomBytes", "airflow-jwt-secret-bytes"],
                ["kubernetes:core/v1:Secret", "airflow-jwt-secret"],
                ["kubernetes:core/v1:PersistentVolumeClaim", "airflow-dags"],
                ["kubernetes:rbac.authorization.k8s.io/v1:Role", "airflow-pod-launcher-imaging"],
                [
                    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
                    "airflow-pod-launcher-imaging",
                ],
                ["kubernetes:rbac.authorization.k8s.io/v1:Role", "airflow-pod-launcher-radiology"],
                [
                    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
                    "airflow-pod-launcher-radiology",
                ],
                ["kubernetes:core/v1:ConfigMap", "airflow-pod-templates"],
                ["kubernetes:core/v1:ConfigMap", "airflow-run-config"],
                ["kubernetes:helm.sh/v3:Release", "airflow-release"],
                ["pipeline-platform:ingress:PipelineIngress", "airflow-ingress"],
                [
                    "kubernetes:apiextensions.k8s.io/v1:CustomResource",
                    "airflow-ingress-certificate",
                ],
                ["kubernetes:apiextensions.k8s.io/v1:CustomResource", "airflow-ingress-proxy"],
            ]
                .map(([type, name]) => [
                    type.replace(
                        "apiextensions.k8s.io/v1:CustomResource",
                        name.endsWith("certificate")
                            ? "cert-manager.io/v1:Certificate"
                            : "projectcontour.io/v1:HTTPProxy",
                    ),
                    name,
                ])
                .sort(),
        );
        const component = byName(result.registrations, "airflow");
        const ingress = byName(result.registrations, "airflow-ingress");
        for (const child of result.registrations.filter((r) => r !== component)) {
            expect([child.name, child.parent]).toEqual([
                child.name,
                child.name.startsWith("airflow-ingress-") ? ingress.urn : component.urn,
            ]);
        }
        expect(result.outputs).toEqual({
            releaseName: "airflow",
            namespace: "airflow",
            dagsClaimName: "airflow-dags",
            webUrl: "https://airflow.airflow.example.com",
            podTemplatesConfigMap: "airflow-pod-templates",
        });
        await assertValidManifests(result.registrations);
    });

    test("owns three generated keys in Secrets; the fernet key is URL-safe base64 of 32 bytes", async () => {
        const result = await deploy(production);
        const secrets = ["airflow-fernet-key", "airflow-api-secret-key", "airflow-jwt-secret"].map(
            (n) =>
                byName(
                    result.registrations.filter((r) => r.type === "kubernetes:core/v1:Secret"),
                    n,
                ),
        );
        expect(
            secrets.map((s) => [
                s.inputs.metadata,
                s.inputs.type,
                Object.keys(s.inputs.stringData),
            ]),
        ).toEqual([
            [
                { name: "airflow-fernet-key", namespace: "airflow", labels },
                "Opaque",
                ["fernet-key"],
            ],
            [
                { name: "airflow-api-secret-key", namespace: "airflow", labels },
                "Opaque",
                ["api-secret-key"],
            ],
            [
                { name: "airflow-jwt-secret", namespace: "airflow", labels },
                "Opaque",
                ["jwt-secret"],
            ],
        ]);
        for (const secret of secrets) {
            const [key] = Object.keys(secret.inputs.stringData);
            expect(isSecretInput(secret, `stringData["${key}"]`)).toBe(true);
        }
        const fernet: string = secrets[0].inputs.stringData["fernet-key"];
        expect(fernet).toMatch(/^[A-Za-z0-9_-]{43}=$/);
        expect(Buffer.from(fernet, "base64url")).toHaveLength(32);
        for (const secret of secrets.slice(1)) {
            expect(Object.values(secret.inputs.stringData)[0]).toMatch(/^[0-9a-f]{64}$/);
        }
        const bytes = result.registrations.filter(
            (r) => r.type === "random:index/randomBytes:RandomBytes",
        );
        expect(bytes.map((b) => b.inputs)).toEqual([
            { length: 32 },
            { length: 32 },
            { length: 32 },
        ]);
    });

    test("keeps the generated keys and every input identical across two evaluations", async () => {
        const first = await deploy(production);
        const second = await deploy(production);
        const inputs = (result: typeof first) =>
            result.registrations
                .map((r) => [r.type, r.name, r.inputs])
                .sort((a, b) => `${a[0]}/${a[1]}`.localeCompare(`${b[0]}/${b[1]}`));
        expect(inputs(second)).toEqual(inputs(first));
        expect(byName(second.registrations, "airflow-fernet-key").inputs.stringData).toEqual(
            byName(first.registrations, "airflow-fernet-key").inputs.stringData,
        );
    });

    test("creates the DAG claim, ReadWriteMany by default, mounted through dags.persistence.existingClaim", async () => {
        const result = await deploy({ ...production, dags: undefined });
        expect(byName(result.registrations, "airflow-dags").inputs).toEqual({
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: { name: "airflow-dags", namespace: "airflow", labels },
            spec: { accessModes: ["ReadWriteMany"], resources: { requests: { storage: "1Gi" } } },
        });
        expect(byName(result.registrations, "airflow-release").inputs.values.dags).toEqual({
            persistence: { enabled: true, existingClaim: "airflow-dags" },
        });
        const sized = await deploy(production);
        expect(byName(sized.registrations, "airflow-dags").inputs.spec).toEqual({
            accessModes: ["ReadWriteMany"],
            resources: { requests: { storage: "5Gi" } },
            storageClassName: "efs-sc",
        });
    });

    const launcherRules = [
        {
            apiGroups: [""],
            resources: ["pods"],
            verbs: ["create", "get", "list", "watch", "delete", "patch"],
        },
        { apiGroups: [""], resources: ["pods/log"], verbs: ["get", "list"] },
        { apiGroups: [""], resources: ["events"], verbs: ["get", "list", "watch"] },
        {
            apiGroups: [""],
            resources: ["persistentvolumeclaims"],
            verbs: ["create", "get", "list", "delete"],
        },
    ];
    const execRule = { apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"] };

    test.each<[string, AirflowDeploymentArgs["runConfig"], object[]]>([
        ["no run configuration", undefined, launcherRules],
        ["a run configuration without podExec", seedRunConfig, launcherRules],
        ["podExec: false", { ...seedRunConfig, podExec: false }, launcherRules],
        ["podExec: true", { ...seedRunConfig, podExec: true }, [...launcherRules, execRule]],
    ])(
        "grants pods/exec only when runConfig.podExec asks for it: %s",
        async (_case, runConfig, rules) => {
            const result = await deploy({ ...production, runConfig });
            for (const ns of ["imaging", "radiology"]) {
                expect(
                    byName(
                        result.registrations.filter((r) => r.type.endsWith(":Role")),
                        `airflow-pod-launcher-${ns}`,
                    ).inputs.rules,
                ).toEqual(rules);
            }
        },
    );

    test("grants the worker and scheduler exactly the pod-launcher rules in each project namespace", async () => {
        const result = await deploy(production);
        for (const ns of ["imaging", "radiology"]) {
            expect(
                byName(
                    result.registrations.filter((r) => r.type.endsWith(":Role")),
                    `airflow-pod-launcher-${ns}`,
                ).inputs,
            ).toEqual({
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "Role",
                metadata: { name: "airflow-pod-launcher", namespace: ns, labels },
                rules: [
                    {
                        apiGroups: [""],
                        resources: ["pods"],
                        verbs: ["create", "get", "list", "watch", "delete", "patch"],
                    },
                    { apiGroups: [""], resources: ["pods/log"], verbs: ["get", "list"] },
                    { apiGroups: [""], resources: ["events"], verbs: ["get", "list", "watch"] },
                    {
                        apiGroups: [""],
                        resources: ["persistentvolumeclaims"],
                        verbs: ["create", "get", "list", "delete"],
                    },
                ],
            });
            expect(
                byName(
                    result.registrations.filter((r) => r.type.endsWith(":RoleBinding")),
                    `airflow-pod-launcher-${ns}`,
                ).inputs,
            ).toEqual({
                apiVersion: "rbac.authorization.k8s.io/v1",
                kind: "RoleBinding",
                metadata: { name: "airflow-pod-launcher", namespace: ns, labels },
                roleRef: {
                    apiGroup: "rbac.authorization.k8s.io",
                    kind: "Role",
                    name: "airflow-pod-launcher",
                },
                subjects: [
                    { kind: "ServiceAccount", name: "airflow-worker", namespace: "airflow" },
                    { kind: "ServiceAccount", name: "airflow-scheduler", namespace: "airflow" },
                ],
            });
        }
    });

    test("writes the pod templates and run settings ConfigMaps from the run configuration", async () => {
        const result = await deploy(production);
        expect(byName(result.registrations, "airflow-pod-templates").inputs).toEqual({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "airflow-pod-templates", namespace: "airflow", labels },
            data: podTemplateFiles(seedRunConfig),
        });
        expect(
            Object.keys(byName(result.registrations, "airflow-pod-templates").inputs.data),
        ).toEqual(["__default__.yaml", "huge_machines.yaml"]);
        expect(byName(result.registrations, "airflow-run-config").inputs).toEqual({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "airflow-run-config", namespace: "airflow", labels },
            data: runSettingsFiles(seedRunConfig),
        });
    });

    test("installs the pinned chart without hooks, waiting for its jobs, with exactly these values", async () => {
        const result = await deploy(production);
        const release = byName(result.registrations, "airflow-release");
        const { values, ...rest } = release.inputs;
        expect(rest).toEqual({
            compat: "true",
            name: "airflow",
            namespace: "airflow",
            chart: "airflow",
            version: "1.19.0",
            repositoryOpts: { repo: "https://airflow.apache.org" },
            waitForJobs: true,
            timeout: 900,
        });
        const mounts = {
            extraVolumes: [
                { name: "kedro-pod-templates", configMap: { name: "airflow-pod-templates" } },
                { name: "kedro-run-config", configMap: { name: "airflow-run-config" } },
            ],
            extraVolumeMounts: [
                {
                    name: "kedro-pod-templates",
                    mountPath: "/opt/airflow/kedro/pod-templates",
                    readOnly: true,
                },
                {
                    name: "kedro-run-config",
                    mountPath: "/opt/airflow/kedro/run-config",
                    readOnly: true,
                },
            ],
        };
        expect(values).toEqual({
            executor: "KubernetesExecutor",
            airflowVersion: "3.1.7",
            defaultAirflowTag: "3.1.7",
            images: {
                airflow: { repository: "registry.example.com/platform/airflow", tag: "3.0.5-1" },
            },
            imagePullSecrets: ["airflow-registry"],
            fernetKeySecretName: "airflow-fernet-key",
            apiSecretKeySecretName: "airflow-api-secret-key",
            jwtSecretName: "airflow-jwt-secret",
            migrateDatabaseJob: { useHelmHooks: false },
            createUserJob: { enabled: false, useHelmHooks: false },
            apiServer: { serviceAccount: { name: "airflow-api-server" } },
            data: { metadataSecretName: "airflow-database" },
            postgresql: { enabled: false },
            dags: { persistence: { enabled: true, existingClaim: "airflow-dags" } },
            workers: { serviceAccount: { name: "airflow-worker" }, ...mounts },
            scheduler: { serviceAccount: { name: "airflow-scheduler" }, ...mounts },
            triggerer: { serviceAccount: { name: "airflow-triggerer" } },
            dagProcessor: { serviceAccount: { name: "airflow-dag-processor" }, ...mounts },
            config: {
                logging: {
                    remote_logging: "True",
                    remote_base_log_folder: "s3://pipeline-logs/airflow/logs",
                    remote_log_conn_id: "s3_logs",
                },
                kubernetes_executor: {
                    multi_namespace_mode: "True",
                    multi_namespace_mode_namespace_list: "airflow,imaging,radiology",
                },
            },
            extraEnvFrom: "- secretRef:\n    name: airflow-s3-logs\n",
        });
        // The release waits for its Secrets, the DAG claim, the ConfigMaps and the RoleBindings (which wait for their Roles).
        const waitedFor = result.registrations.filter(
            (r) =>
                r.type.startsWith("kubernetes:") &&
                !r.type.endsWith(":Role") &&
                r.name !== "airflow-release" &&
                !r.name.startsWith("airflow-ingress"),
        );
        expect(release.dependencies).toEqual(waitedFor.map((r) => r.urn).sort());
        expect(waitedFor).toHaveLength(8);
    });

    test.each<[string, AirflowDeploymentArgs]>([
        ["production", production],
        [
            "development: bundled database, Celery, nothing optional",
            {
                namespace: "dev",
                executor: "CeleryExecutor",
                database: { bundled: true },
                projectNamespaces: [],
            },
        ],
        [
            "LocalExecutor with a run configuration and no volume",
            {
                namespace: "airflow",
                executor: "LocalExecutor",
                database: { bundled: true },
                projectNamespaces: ["imaging"],
                runConfig: { volume: { disabled: true } },
            },
        ],
        [
            "values merged last",
            {
                ...production,
                values: {
                    scheduler: { replicas: 2 },
                    config: { core: { parallelism: 64 } },
                    workers: { resources: { requests: { cpu: "500m" } } },
                },
            },
        ],
    ])("computes Helm values that validate against the chart's schema: %s", async (_case, args) => {
        const result = await deploy(args);
        expectValidChartValues(byName(result.registrations, "airflow-release").inputs.values);
        await assertValidManifests(result.registrations);
    });

    test("a development deployment: bundled database, no ingress, the in-cluster web URL", async () => {
        const result = await deploy(
            {
                namespace: "dev",
                executor: "CeleryExecutor",
                database: { bundled: true },
                projectNamespaces: [],
            },
            "platform",
        );
        const values = byName(result.registrations, "platform-release").inputs.values;
        expect([
            values.executor,
            values.postgresql,
            values.data,
            values.config,
            values.imagePullSecrets,
        ]).toEqual(["CeleryExecutor", { enabled: true }, undefined, undefined, undefined]);
        expect(values.workers).toEqual({ serviceAccount: { name: "platform-airflow-worker" } });
        expect(result.outputs).toEqual({
            releaseName: "platform",
            namespace: "dev",
            dagsClaimName: "platform-dags",
            // The chart names its Services after the release (`airflow.fullname`, no standard naming).
            webUrl: "http://platform-api-server.dev.svc.cluster.local:8080",
            podTemplatesConfigMap: undefined,
        });
    });

    test("merges values last: objects key by key, everything else replaced", async () => {
        const result = await deploy({
            ...production,
            values: {
                scheduler: { replicas: 2 },
                config: { logging: { logging_level: "DEBUG" } },
                executor: "CeleryExecutor",
            },
        });
        const values = byName(result.registrations, "airflow-release").inputs.values;
        expect(values.scheduler).toEqual({
            ...values.scheduler,
            replicas: 2,
            serviceAccount: { name: "airflow-scheduler" },
        });
        expect(values.config.logging).toEqual({
            remote_logging: "True",
            remote_base_log_folder: "s3://pipeline-logs/airflow/logs",
            remote_log_conn_id: "s3_logs",
            logging_level: "DEBUG",
        });
        expect(values.executor).toBe("CeleryExecutor");
    });

    test("takes remote logging from an S3Storage's log storage and connection Secret once they are known", async () => {
        const result = await runProgram(() => {
            const storage = {
                buckets: pulumi.output({ default: "koalja-default", archive: "koalja-archive" }),
                airflowConnectionSecretName: pulumi.output("koalja-airflow-connection"),
                airflowConnectionId: pulumi.output("koalja_s3"),
                airflowStorage: pulumi.output("archive"),
            };
            const airflow = new AirflowDeployment("airflow", {
                ...production,
                logs: remoteLogsFromStorage(storage, { prefix: "logs" }),
            });
            return { name: airflow.releaseName };
        });
        const values = byName(result.registrations, "airflow-release").inputs.values;
        expect([values.config.logging, values.extraEnvFrom]).toEqual([
            {
                remote_logging: "True",
                remote_base_log_folder: "s3://koalja-archive/logs",
                remote_log_conn_id: "koalja_s3",
            },
            "- secretRef:\n    name: koalja-airflow-connection\n",
        ]);
        expectValidChartValues(values);
    });

    test("never puts a credential into the Helm values", async () => {
        const sentinel = "sentinel-credential-7f3a";
        const result = await runProgram(() => {
            const airflow = new AirflowDeployment("airflow", {
                ...production,
                database: { external: { secretName: pulumi.output("airflow-database") } },
                logs: {
                    ...production.logs!,
                    connectionSecretName: pulumi.secret("airflow-s3-logs"),
                },
            });
            return { name: airflow.releaseName, sentinel: pulumi.secret(sentinel) };
        });
        const text = JSON.stringify(byName(result.registrations, "airflow-release").inputs.values);
        const keys = result.registrations
            .filter((r) => r.type === "kubernetes:core/v1:Secret")
            .map((s) => Object.values(s.inputs.stringData)[0] as string);
        expect(keys).toHaveLength(3);
        for (const credential of [...keys, sentinel]) {
            expect(text).not.toContain(credential);
        }
        expect(text).not.toMatch(
            /fernetKey"|webserverSecretKey"|apiSecretKey"|jwtSecret"|"pass"|password/,
        );
    });
});

describe("AirflowDeployment remote logs with a workload identity", () => {
    const OIDC =
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    const serviceAccounts = {
        scheduler: "airflow-scheduler",
        workers: "airflow-worker",
        apiServer: "airflow-api-server",
        triggerer: "airflow-triggerer",
        dagProcessor: "airflow-dag-processor",
    };
    const keyless: AirflowDeploymentArgs = {
        ...production,
        runConfig: undefined,
        logs: {
            bucket: "pipeline-platform-staging-logs",
            region: "eu-central-1",
            workloadIdentity: { provider: "aws", oidcProviderArn: OIDC },
        },
    };

    test("on AWS: an IAM role for the five service accounts, annotated; s3:// logs through a connection that names only the region; no key, no Secret", async () => {
        const result = await deploy(keyless);
        const identity = byName(result.registrations, "airflow-logs-identity");
        expect(identity.type).toBe("pipeline-platform:identity:WorkloadIdentity");
        expect(identity.parent).toBe(byName(result.registrations, "airflow").urn);
        const role = byName(result.registrations, "airflow-logs-identity-role");
        expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Condition).toEqual({
            StringEquals: {
                "oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub":
                    Object.values(serviceAccounts).map(
                        (sa) => `system:serviceaccount:airflow:${sa}`,
                    ),
                "oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud":
                    "sts.amazonaws.com",
            },
        });
        // The release waits for the role and its policy (a component's dependents wait for its children).
        const release = byName(result.registrations, "airflow-release");
        expect(release.dependencies).toEqual(
            expect.arrayContaining([
                role.urn,
                byName(result.registrations, "airflow-logs-identity-access").urn,
            ]),
        );
        const values = release.inputs.values;
        const annotations = {
            "eks.amazonaws.com/role-arn":
                "arn:aws:iam::123456789012:role/pipeline-platform-test-airflow-logs-identity",
        };
        for (const [component, name] of Object.entries(serviceAccounts)) {
            expect(values[component].serviceAccount).toEqual({ name, annotations });
        }
        expect(values.config.logging).toEqual({
            remote_logging: "True",
            remote_base_log_folder: "s3://pipeline-platform-staging-logs/airflow/logs",
            remote_log_conn_id: "remote_logs",
        });
        expect(values.env).toEqual([
            {
                name: "AIRFLOW_CONN_REMOTE_LOGS",
                value: '{"conn_type":"aws","extra":{"region_name":"eu-central-1"}}',
            },
        ]);
        expect(values.extraEnvFrom).toBeUndefined();
        expect(
            result.registrations.filter((r) => /AccessKey|HmacKey|iam\/user:User/.test(r.type)),
        ).toEqual([]);
        expectValidChartValues(values);
        await assertValidManifests(result.registrations);
    });

    test("on GCP: a Google service account for the five service accounts, annotated; gs:// logs through a connection that names only the project", async () => {
        const result = await deploy({
            ...keyless,
            logs: {
                bucket: "pipeline-platform-prod-logs",
                prefix: "logs/airflow",
                connectionId: "gcs_logs",
                workloadIdentity: {
                    provider: "gcp",
                    project: "pipeline-platform-prod",
                    accountId: "airflow-logs",
                },
            },
        });
        const values = byName(result.registrations, "airflow-release").inputs.values;
        for (const [component, name] of Object.entries(serviceAccounts)) {
            expect(values[component].serviceAccount).toEqual({
                name,
                annotations: {
                    "iam.gke.io/gcp-service-account":
                        "airflow-logs@pipeline-platform-prod.iam.gserviceaccount.com",
                },
            });
        }
        expect(values.config.logging.remote_base_log_folder).toBe(
            "gs://pipeline-platform-prod-logs/logs/airflow",
        );
        expect(values.env).toEqual([
            {
                name: "AIRFLOW_CONN_GCS_LOGS",
                value: '{"conn_type":"google_cloud_platform","extra":{"project":"pipeline-platform-prod"}}',
            },
        ]);
        expect(
            result.registrations
                .filter((r) => r.type.startsWith("gcp:"))
                .map((r) => r.type)
                .sort(),
        ).toEqual([
            "gcp:serviceaccount/account:Account",
            ...Object.keys(serviceAccounts).map(() => "gcp:serviceaccount/iAMMember:IAMMember"),
            "gcp:storage/bucketIAMMember:BucketIAMMember",
        ]);
        expectValidChartValues(values);
    });
});

describe("AirflowDeployment plan", () => {
    const development: AirflowDeploymentArgs = {
        namespace: "dev",
        database: { bundled: true },
        projectNamespaces: ["imaging"],
    };

    test("a plan handed to the constructor registers exactly what the args would", async () => {
        const fromArgs = await deploy(production);
        const fromPlan = await runProgram(() => {
            new AirflowDeployment("airflow", planAirflowDeployment("airflow", production));
        });
        const inputs = (registrations: Registration[]) =>
            registrations
                .map((r) => [r.type, r.name, r.inputs])
                .sort((a, b) => `${a[0]}/${a[1]}`.localeCompare(`${b[0]}/${b[1]}`));
        expect(inputs(fromPlan.registrations)).toEqual(inputs(fromArgs.registrations));
    });

    test("refuses a plan made for another name, before registering anything", async () => {
        const failure = await runProgram(() => {
            new AirflowDeployment("other", planAirflowDeployment("airflow", development));
        }).then(
            () => undefined,
            (err: unknown) => err,
        );
        expect(failure).toBeInstanceOf(ProgramError);
        expect(String((failure as ProgramError).cause)).toContain(
            'AirflowDeployment "other" was handed the plan of AirflowDeployment "airflow"',
        );
        expect((failure as ProgramError).registrations).toEqual([]);
    });

    test.each([["__default__"], ["huge_machines"], ["gpu-v100.large"], ["_private"]])(
        "accepts the profile name %s",
        (profile) => {
            const plan = planAirflowDeployment("airflow", {
                ...development,
                runConfig: { resources: { [profile]: {} } },
            });
            expect(Object.keys(plan.plan.runConfig?.podTemplates ?? {})).toContain(
                `${profile}.yaml`,
            );
        },
    );

    test("accepts the seed's run configuration", () => {
        expect(
            planAirflowDeployment("airflow", { ...development, runConfig: seedRunConfig }).plan
                .runConfig,
        ).toEqual({
            podTemplates: podTemplateFiles(seedRunConfig),
            runSettings: runSettingsFiles(seedRunConfig),
        });
    });

    test("merges Output values once they are known, objects key by key as for known values", async () => {
        const result = await deploy({
            ...development,
            database: { external: { secretName: pulumi.output("airflow-database") } },
            values: {
                workers: pulumi.output({
                    replicas: 3,
                    serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": "arn" } },
                }),
            },
        });
        const values = byName(result.registrations, "airflow-release").inputs.values;
        expect([values.workers, values.data]).toEqual([
            {
                replicas: 3,
                serviceAccount: {
                    name: "airflow-worker",
                    annotations: { "eks.amazonaws.com/role-arn": "arn" },
                },
            },
            { metadataSecretName: "airflow-database" },
        ]);
        expectValidChartValues(values);
    });

    test("names neither the fernet key nor any credential in the rejection", () => {
        const refusal = (() => {
            try {
                planAirflowDeployment("airflow", {
                    ...development,
                    values: { fernetKey: "c2VjcmV0LWZlcm5ldC1rZXk=" },
                });
            } catch (err) {
                return (err as Error).message;
            }
            return "accepted";
        })();
        expect(refusal).not.toContain("c2VjcmV0LWZlcm5ldC1rZXk=");
        expect(refusal).toContain("values.fernetKey: got <redacted>;");
    });
});
