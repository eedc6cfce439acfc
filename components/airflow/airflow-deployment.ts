import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import {
    dns1123LabelProblems,
    dns1123SubdomainProblems,
    dnsLabel,
    invalidInput,
    joinPath,
    parseImageReference,
    quantityProblems,
    isNegativeQuantity,
    standardLabels,
} from "../core";
import { PipelineIngress, planPipelineIngress, type PipelineIngressArgs } from "../ingress";
import { AIRFLOW_CHART, assertValidChartValues } from "./chart";
import {
    podTemplateFiles,
    runSettingsFiles,
    validateRunConfig,
    type RunConfig,
} from "./run-config";
import {
    airflowValues,
    EXECUTORS,
    mergeValues,
    refuseCredentials,
    type Executor,
    type ValuesPlan,
} from "./values";

/** The DAG volume DAG installers write and Airflow reads. */
export interface AirflowDags {
    /** Size of the claim. Default `1Gi`. Example: `5Gi`. */
    size?: string;
    /** Storage class of the claim. Default: the cluster's default class. Example: `efs-sc`. */
    storageClassName?: string;
    /**
     * Access modes. Default `["ReadWriteMany"]`: installers, the scheduler, the DAG processor and
     * workers mount it on different nodes.
     */
    accessModes?: Array<"ReadWriteOnce" | "ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOncePod">;
}

/** The metadata database: an external one (production) or the chart's bundled PostgreSQL (development). */
export interface AirflowDatabase {
    /** A Secret in the Airflow namespace with a `connection` key holding the database URI. */
    external?: { secretName: pulumi.Input<string> };
    /** The chart's PostgreSQL with its default credentials: development only. */
    bundled?: boolean;
}

/**
 * Remote task logs in an S3 bucket. Fill it from an `S3Storage` with {@link remoteLogsFromStorage},
 * or by hand for any S3-compatible store.
 */
export interface AirflowRemoteLogs {
    /** Bucket name, e.g. an `S3Storage`'s `buckets.default`. */
    bucket: pulumi.Input<string>;
    /** Key prefix inside the bucket. Default `airflow/logs`. */
    prefix?: string;
    /**
     * Secret in the Airflow namespace whose key `AIRFLOW_CONN_<CONNECTION ID>` holds the Airflow
     * connection (URI or JSON); its keys become environment variables of the Airflow containers.
     */
    connectionSecretName: pulumi.Input<string>;
    /** The Airflow connection id, e.g. `s3_logs`. */
    connectionId: pulumi.Input<string>;
}

/** The web UI's hostname and TLS: a `PipelineIngress` in the Airflow namespace. */
export type AirflowIngress = Omit<
    PipelineIngressArgs,
    "namespace" | "service" | "tasks" | "pipeline"
> & {
    /** First label of the hostname. Default `airflow`. */
    pipeline?: string;
};

export interface AirflowDeploymentArgs {
    /** Namespace of the release and of everything the component creates there. Example: `airflow`. */
    namespace: string;
    /** Helm release name (at most 53 characters). Default: `dnsLabel(name)`. */
    releaseName?: string;
    /** Default `KubernetesExecutor`; `CeleryExecutor` and `LocalExecutor` are supported too. */
    executor?: Executor;
    /**
     * Custom Airflow image built on the pinned Airflow version; no protocol.
     * Default: `apache/airflow` at the pinned version. Example: `{ repository: "registry.example.com/airflow", tag: "3.0.5-1" }`.
     */
    airflowImage?: { repository: string; tag: string };
    /**
     * Service-scope registry Secret the Airflow images are pulled with (the chart takes one), e.g. a
     * service `RegistrySecret`'s `secretName`. Default none.
     */
    imagePullSecrets?: pulumi.Input<string>[];
    /** The DAG volume. */
    dags?: AirflowDags;
    /** The metadata database: exactly one of `external` and `bundled`. */
    database: AirflowDatabase;
    /** Remote task logs. Default: logs stay in the pods. */
    logs?: AirflowRemoteLogs;
    /** A `PipelineIngress` for the web UI. Default: none; `webUrl` is then the in-cluster URL. */
    ingress?: AirflowIngress;
    /**
     * Namespaces where task pods run. Each gets a Role and RoleBinding for the worker and scheduler
     * service accounts. Example: `["imaging"]`.
     */
    projectNamespaces: string[];
    /** The kedro-airflow-k8s run configuration: pod templates and run settings. Default none. */
    runConfig?: RunConfig;
    /**
     * Chart values merged last (objects by key, everything else replaced). Validated against the
     * chart's schema; credentials are refused. Example: `{ scheduler: { replicas: 2 } }`.
     */
    values?: Record<string, unknown>;
    /** Seconds the release may take, migrations included. Default `900`. */
    timeoutSeconds?: number;
}

/** What task pods and the kedro run flow need in a project namespace, and nothing else. */
export const POD_LAUNCHER_RULES = [
    {
        apiGroups: [""],
        resources: ["pods"],
        verbs: ["create", "get", "list", "watch", "delete", "patch"],
    },
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get", "list"] },
    { apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"] },
    { apiGroups: [""], resources: ["events"], verbs: ["get", "list", "watch"] },
    {
        apiGroups: [""],
        resources: ["persistentvolumeclaims"],
        verbs: ["create", "get", "list", "delete"],
    },
];

const SECRET_KEYS = [
    { role: "fernet-key", key: "fernet-key", field: "fernetKey" },
    { role: "webserver-secret-key", key: "webserver-secret-key", field: "webserverSecretKey" },
    { role: "api-secret-key", key: "api-secret-key", field: "apiSecretKey" },
    { role: "jwt-secret", key: "jwt-secret", field: "jwtSecret" },
] as const;

/**
 * Apache Airflow from the official Helm chart, production-ready: generated and owned keys, no Helm
 * hooks, a DAG volume for DAG installers, remote logs, RBAC for task pods in project namespaces and
 * the kedro-airflow-k8s run configuration as pod templates.
 */
export class AirflowDeployment extends pulumi.ComponentResource {
    public readonly releaseName: pulumi.Output<string>;
    public readonly namespace: pulumi.Output<string>;
    /** The DAG claim DAG installers write to. */
    public readonly dagsClaimName: pulumi.Output<string>;
    /** The web UI: the ingress URL, or the in-cluster API server URL without an ingress. */
    public readonly webUrl: pulumi.Output<string>;
    /** The ConfigMap of pod templates, when a run configuration is given. */
    public readonly podTemplatesConfigMap: pulumi.Output<string | undefined>;

    constructor(name: string, args: AirflowDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-platform:airflow:AirflowDeployment", name, {}, opts);
        const { names, plan } = validateAirflowDeploymentArgs(name, args);
        const userValues = args.values ?? {};

        const labels = standardLabels("airflow");
        const namespace = args.namespace;
        const children: pulumi.Resource[] = [];

        for (const { role, key } of SECRET_KEYS) {
            const bytes = new random.RandomBytes(
                `${name}-${role}-bytes`,
                { length: 32 },
                { parent: this },
            );
            // Fernet wants URL-safe base64 of 32 bytes; the other keys are 64 hex digits.
            const value = role === "fernet-key" ? bytes.base64.apply(urlSafeBase64) : bytes.hex;
            children.push(
                new k8s.core.v1.Secret(
                    `${name}-${role}`,
                    {
                        metadata: { name: names.secrets[role], namespace, labels },
                        type: "Opaque",
                        stringData: { [key]: pulumi.secret(value) },
                    },
                    { parent: this },
                ),
            );
        }

        const dags = args.dags ?? {};
        const dagsClaim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-dags`,
            {
                metadata: { name: names.dagsClaim, namespace, labels },
                spec: {
                    accessModes: dags.accessModes ?? ["ReadWriteMany"],
                    resources: { requests: { storage: dags.size ?? "1Gi" } },
                    ...(dags.storageClassName !== undefined
                        ? { storageClassName: dags.storageClassName }
                        : {}),
                },
            },
            { parent: this },
        );
        children.push(dagsClaim);

        for (const projectNamespace of args.projectNamespaces) {
            const role = new k8s.rbac.v1.Role(
                `${name}-pod-launcher-${projectNamespace}`,
                {
                    metadata: { name: names.podLauncher, namespace: projectNamespace, labels },
                    rules: POD_LAUNCHER_RULES,
                },
                { parent: this },
            );
            children.push(
                new k8s.rbac.v1.RoleBinding(
                    `${name}-pod-launcher-${projectNamespace}`,
                    {
                        metadata: { name: names.podLauncher, namespace: projectNamespace, labels },
                        roleRef: {
                            apiGroup: "rbac.authorization.k8s.io",
                            kind: "Role",
                            name: names.podLauncher,
                        },
                        subjects: [
                            names.serviceAccounts.worker,
                            names.serviceAccounts.scheduler,
                        ].map((sa) => ({ kind: "ServiceAccount", name: sa, namespace })),
                    },
                    { parent: this, dependsOn: [role] },
                ),
            );
        }

        if (args.runConfig) {
            children.push(
                new k8s.core.v1.ConfigMap(
                    `${name}-pod-templates`,
                    {
                        metadata: { name: names.podTemplates, namespace, labels },
                        data: podTemplateFiles(args.runConfig),
                    },
                    { parent: this },
                ),
            );
            children.push(
                new k8s.core.v1.ConfigMap(
                    `${name}-run-config`,
                    {
                        metadata: { name: names.runSettings, namespace, labels },
                        data: runSettingsFiles(args.runConfig),
                    },
                    { parent: this },
                ),
            );
        }

        const values = pulumi.output(plan).apply((resolved) => {
            const merged = mergeValues(airflowValues(resolved), userValues);
            assertValidChartValues(merged, "values");
            return merged;
        });
        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: names.release,
                namespace,
                chart: AIRFLOW_CHART.chart,
                version: AIRFLOW_CHART.version,
                repositoryOpts: { repo: AIRFLOW_CHART.repo },
                values,
                waitForJobs: true,
                timeout: args.timeoutSeconds ?? 900,
            },
            { parent: this, dependsOn: children },
        );

        let webUrl: pulumi.Output<string> = pulumi.output(
            `http://${names.apiServerService}.${namespace}.svc.cluster.local:8080`,
        );
        if (args.ingress) {
            const ingress = new PipelineIngress(
                `${name}-ingress`,
                ingressArgs(args.ingress, namespace, names.apiServerService),
                { parent: this, dependsOn: [release] },
            );
            webUrl = ingress.url;
        }

        this.releaseName = release.name;
        this.namespace = pulumi.output(namespace);
        this.dagsClaimName = dagsClaim.metadata.name;
        this.webUrl = webUrl;
        this.podTemplatesConfigMap = pulumi.output(args.runConfig ? names.podTemplates : undefined);
        this.registerOutputs({
            releaseName: this.releaseName,
            namespace: this.namespace,
            dagsClaimName: this.dagsClaimName,
            webUrl: this.webUrl,
            podTemplatesConfigMap: this.podTemplatesConfigMap,
        });
    }
}

/**
 * Remote-logging arguments from an `S3Storage` (or anything shaped like it): the bucket of its log
 * storage (`options.storage`, else its `airflowStorage`, else `default`) and its Airflow connection
 * Secret. That Secret must live in the Airflow namespace (give the S3Storage the same namespace).
 */
export function remoteLogsFromStorage(
    storage: {
        buckets: pulumi.Input<Record<string, string>>;
        airflowConnectionSecretName: pulumi.Input<string>;
        airflowConnectionId: pulumi.Input<string>;
        airflowStorage?: pulumi.Input<string>;
    },
    options: { storage?: string; prefix?: string } = {},
): AirflowRemoteLogs {
    return {
        bucket: pulumi
            .all([storage.buckets, options.storage ?? storage.airflowStorage ?? "default"])
            .apply(([buckets, key]) => {
                if (!(key in buckets)) {
                    invalidInput({
                        path: "logs.bucket",
                        given: key,
                        expected: `a storage of the S3Storage (${Object.keys(buckets).join(", ")})`,
                        example: "default",
                    });
                }
                return buckets[key];
            }),
        prefix: options.prefix,
        connectionSecretName: storage.airflowConnectionSecretName,
        connectionId: storage.airflowConnectionId,
    };
}

/** The deterministic names of everything the release and its children refer to. */
interface DeploymentNames {
    release: string;
    apiServerService: string;
    dagsClaim: string;
    podLauncher: string;
    podTemplates: string;
    runSettings: string;
    secrets: Record<(typeof SECRET_KEYS)[number]["role"], string>;
    serviceAccounts: { worker: string; scheduler: string };
}

/** Validates the arguments that names and values derive from; returns the names. */
/**
 * Checks every argument of an AirflowDeployment without creating anything; throws
 * `InputPropertyError` at the first bad value. Output values get placeholders here and are checked
 * again once known. Used by the constructor and by callers that validate a whole platform first.
 */
export function validateAirflowDeploymentArgs(
    name: string,
    args: AirflowDeploymentArgs,
): { names: DeploymentNames; plan: PlanInputs } {
    const names = deploymentNames(name, args);
    const plan = valuesPlan(args, names);
    const userValues = args.values ?? {};
    refuseCredentials(userValues, "values");
    assertValidChartValues(mergeValues(airflowValues(placeholders(plan)), userValues), "values");
    return { names, plan };
}

function deploymentNames(name: string, args: AirflowDeploymentArgs): DeploymentNames {
    requireLabel(args.namespace, "namespace", "airflow");
    const release = args.releaseName ?? dnsLabel(name);
    const releaseProblems = dns1123LabelProblems(release);
    if (releaseProblems.length > 0 || release.length > 53) {
        invalidInput({
            path: "releaseName",
            given: release,
            expected: "a Helm release name: a DNS label of at most 53 characters",
            example: "airflow",
        });
    }
    // The chart's `airflow.fullname`: the release name when it contains "airflow".
    const fullname = (release.includes("airflow") ? release : `${release}-airflow`)
        .slice(0, 63)
        .replace(/-+$/, "");
    return {
        release,
        apiServerService: `${fullname}-api-server`,
        dagsClaim: dnsLabel(`${release}-dags`),
        podLauncher: dnsLabel(`${release}-pod-launcher`),
        podTemplates: dnsLabel(`${release}-pod-templates`),
        runSettings: dnsLabel(`${release}-run-config`),
        secrets: Object.fromEntries(
            SECRET_KEYS.map(({ role }) => [role, dnsLabel(`${release}-${role}`)]),
        ) as DeploymentNames["secrets"],
        serviceAccounts: {
            worker: dnsLabel(`${fullname}-worker`),
            scheduler: dnsLabel(`${fullname}-scheduler`),
        },
    };
}

function requireLabel(value: string, path: string, example: string): void {
    const problems = typeof value === "string" ? dns1123LabelProblems(value) : ["must be a string"];
    if (problems.length > 0) {
        invalidInput({
            path,
            given: value,
            expected: `a namespace name that ${problems.join(" and ")}`,
            example,
        });
    }
}

/** Validates every remaining argument and gathers what the chart values need (Outputs unresolved). */
function valuesPlan(args: AirflowDeploymentArgs, names: DeploymentNames): PlanInputs {
    const executor = args.executor ?? "KubernetesExecutor";
    if (!EXECUTORS.includes(executor)) {
        invalidInput({
            path: "executor",
            given: executor,
            expected: EXECUTORS.join(", "),
            example: "KubernetesExecutor",
        });
    }
    if (args.airflowImage !== undefined) {
        const { repository, tag } = args.airflowImage;
        parseImageReference(`${repository}:${tag}`, "airflowImage");
        if (tag === "latest") {
            invalidInput({
                path: "airflowImage.tag",
                given: tag,
                expected: "an immutable version tag",
                example: "3.0.5-1",
            });
        }
    }
    const pullSecrets = args.imagePullSecrets ?? [];
    if (pullSecrets.length > 1) {
        invalidInput({
            path: "imagePullSecrets",
            given: pullSecrets,
            expected:
                "at most one Secret: the chart pulls its images with registry.secretName (add more to the service accounts with RegistrySecret serviceAccounts)",
            example: '["airflow-registry"]',
        });
    }
    const database = args.database ?? {};
    if ((database.external !== undefined) === (database.bundled === true)) {
        invalidInput({
            path: "database",
            given:
                database.external !== undefined
                    ? { external: "…", bundled: database.bundled }
                    : database,
            expected:
                "exactly one of database.external (production) and database.bundled (development)",
            example: '{ external: { secretName: "airflow-database" } }',
        });
    }
    validateDags(args.dags ?? {});
    const seen = new Set<string>();
    args.projectNamespaces.forEach((ns, i) => {
        requireLabel(ns, joinPath("projectNamespaces", i), "imaging");
        if (seen.has(ns) || ns === args.namespace) {
            invalidInput({
                path: joinPath("projectNamespaces", i),
                given: ns,
                expected: "each project namespace once, none the Airflow namespace itself",
                example: "imaging",
            });
        }
        seen.add(ns);
    });
    if (args.logs) {
        validateLogs(args.logs);
    }
    if (args.ingress) {
        validateIngress(ingressArgs(args.ingress, args.namespace, names.apiServerService));
    }
    if (args.runConfig) {
        validateRunConfig(args.runConfig, "runConfig");
    }
    if (
        args.timeoutSeconds !== undefined &&
        !(Number.isInteger(args.timeoutSeconds) && args.timeoutSeconds > 0)
    ) {
        invalidInput({
            path: "timeoutSeconds",
            given: args.timeoutSeconds,
            expected: "a whole number of seconds above 0",
            example: "900",
        });
    }
    const prefix = (args.logs?.prefix ?? "airflow/logs").replace(/^\/+|\/+$/g, "");
    return {
        executor,
        namespace: args.namespace,
        airflowImage: args.airflowImage,
        registrySecretName: pullSecrets[0],
        database:
            database.external !== undefined
                ? { metadataSecretName: database.external.secretName }
                : { bundled: true },
        dagsClaimName: names.dagsClaim,
        secretNames: {
            fernetKey: names.secrets["fernet-key"],
            webserverSecretKey: names.secrets["webserver-secret-key"],
            apiSecretKey: names.secrets["api-secret-key"],
            jwtSecret: names.secrets["jwt-secret"],
        },
        serviceAccounts: names.serviceAccounts,
        projectNamespaces: args.projectNamespaces,
        logs: args.logs
            ? {
                  baseFolder: pulumi.interpolate`s3://${args.logs.bucket}/${prefix}`,
                  connectionId: args.logs.connectionId,
                  connectionSecretName: args.logs.connectionSecretName,
              }
            : undefined,
        runConfigMaps: args.runConfig
            ? { podTemplates: names.podTemplates, runSettings: names.runSettings }
            : undefined,
    };
}

function validateDags(dags: AirflowDags): void {
    if (
        dags.size !== undefined &&
        (quantityProblems(dags.size).length > 0 || isNegativeQuantity(dags.size))
    ) {
        invalidInput({
            path: "dags.size",
            given: dags.size,
            expected: "a storage quantity",
            example: "5Gi",
        });
    }
    if (
        dags.storageClassName !== undefined &&
        dns1123SubdomainProblems(dags.storageClassName).length > 0
    ) {
        invalidInput({
            path: "dags.storageClassName",
            given: dags.storageClassName,
            expected: "a StorageClass name",
            example: "efs-sc",
        });
    }
    const modes = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];
    if (
        dags.accessModes !== undefined &&
        (dags.accessModes.length === 0 || dags.accessModes.some((m) => !modes.includes(m)))
    ) {
        invalidInput({
            path: "dags.accessModes",
            given: dags.accessModes,
            expected: `one or more of ${modes.join(", ")}`,
            example: '["ReadWriteMany"]',
        });
    }
}

function validateLogs(logs: AirflowRemoteLogs): void {
    if (typeof logs.connectionId === "string" && !/^[A-Za-z0-9_-]+$/.test(logs.connectionId)) {
        invalidInput({
            path: "logs.connectionId",
            given: logs.connectionId,
            expected: "an Airflow connection id (letters, digits, '_', '-')",
            example: "s3_logs",
        });
    }
    if (
        typeof logs.connectionSecretName === "string" &&
        dns1123SubdomainProblems(logs.connectionSecretName).length > 0
    ) {
        invalidInput({
            path: "logs.connectionSecretName",
            given: logs.connectionSecretName,
            expected: "a Secret name",
            example: "airflow-s3-logs",
        });
    }
    if (
        typeof logs.bucket === "string" &&
        !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(logs.bucket)
    ) {
        invalidInput({
            path: "logs.bucket",
            given: logs.bucket,
            expected: "an S3 bucket name",
            example: "pipeline-logs",
        });
    }
    if (logs.prefix !== undefined && !/^[A-Za-z0-9!_.*'()/-]*$/.test(logs.prefix)) {
        invalidInput({
            path: "logs.prefix",
            given: logs.prefix,
            expected: "an S3 key prefix (letters, digits, '/', '-', '_', '.')",
            example: "airflow/logs",
        });
    }
}

/** The PipelineIngress's own checks, reported under `ingress.` so the path names this component's argument. */
function validateIngress(ingress: PipelineIngressArgs): void {
    planPipelineIngress("ingress", ingress, {
        label: "",
        path: (relative) => (relative === "" ? "ingress" : `ingress.${relative}`),
    });
}

function ingressArgs(
    ingress: AirflowIngress,
    namespace: string,
    service: string,
): PipelineIngressArgs {
    return {
        ...ingress,
        pipeline: ingress.pipeline ?? "airflow",
        namespace,
        service: { name: service, port: 8080 },
    };
}

/** The values plan before its Outputs are known. */
type PlanInputs = Omit<ValuesPlan, "registrySecretName" | "database" | "logs"> & {
    registrySecretName?: pulumi.Input<string>;
    database: { metadataSecretName: pulumi.Input<string> } | { bundled: true };
    logs?: {
        baseFolder: pulumi.Input<string>;
        connectionId: pulumi.Input<string>;
        connectionSecretName: pulumi.Input<string>;
    };
};

/** The plan with every Output replaced by a placeholder string, for preview-time validation. */
function placeholders(plan: PlanInputs): ValuesPlan {
    const fill = (value: pulumi.Input<string>, placeholder: string): string =>
        typeof value === "string" ? value : placeholder;
    return {
        ...plan,
        registrySecretName:
            plan.registrySecretName === undefined
                ? undefined
                : fill(plan.registrySecretName, "registry"),
        database:
            "metadataSecretName" in plan.database
                ? { metadataSecretName: fill(plan.database.metadataSecretName, "database") }
                : plan.database,
        logs: plan.logs
            ? {
                  baseFolder: fill(plan.logs.baseFolder, "s3://bucket/prefix"),
                  connectionId: fill(plan.logs.connectionId, "logs"),
                  connectionSecretName: fill(plan.logs.connectionSecretName, "logs"),
              }
            : undefined,
    };
}

function urlSafeBase64(standard: string): string {
    return standard.replace(/\+/g, "-").replace(/\//g, "_");
}
