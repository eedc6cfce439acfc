import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import {
    dnsLabel,
    imageReferenceProblems,
    invalidInput,
    joinPath,
    movePath,
    nestedReporter,
    planComponent,
    reportRefusals,
    standardLabels,
    statefulOptions,
    usePlan,
    type AwsRegion,
    type ImageTag,
    type Labels,
    type NamespaceName,
    type ObjectName,
    type Planned,
    type Quantity,
    type Reporter,
    type SecretName,
} from "../core";
import {
    PipelineIngress,
    planPipelineIngress,
    type DomainConfig,
    type IngressClassName,
    type PipelineIngressPlan,
    type PipelineTls,
    type RouteTimeouts,
} from "../ingress";
import {
    planWorkloadIdentity,
    WorkloadIdentity,
    type BucketName,
    type CloudWorkloadIdentity,
    type GcpWorkloadIdentity,
    type KeyPrefix,
    type WorkloadIdentityPlan,
} from "../identity";
import { celeryValues, type AirflowCelery } from "./celery";
import { AIRFLOW_CHART, AIRFLOW_CHART_PORTS, assertValidChartValues } from "./chart";
import { gitSyncValues, type AirflowGitDags } from "./git-dags";
import {
    planRunConfig,
    type PlannedRunConfig,
    type RunConfig,
    type StorageClassName,
    type VolumeAccessMode,
} from "./run-config";
import {
    AIRFLOW_COMPONENTS,
    airflowValues,
    concat,
    mergeValues,
    pickValues,
    refuseCredentials,
    splitValues,
    valuesPath,
    type AirflowComponent,
    type Executor,
    type LogsPlan,
    type ValuesPath,
} from "./values";
import { refuseGuardedAirflowValues } from "./guarded-values";

/** The DAG volume DAG installers write and Airflow reads. */
export interface AirflowDags {
    /**
     * Size of the claim. Default `1Gi`.
     * @example "5Gi"
     */
    size?: Quantity;
    /**
     * Storage class of the claim. Default: the cluster's default class.
     * @example "efs-sc"
     */
    storageClassName?: StorageClassName;
    /**
     * Access modes. Default `["ReadWriteMany"]`: installers, the scheduler, the DAG processor and
     * workers mount it on different nodes.
     * @minItems 1
     * @uniqueItems true
     * @example ["ReadWriteMany"]
     */
    accessModes?: VolumeAccessMode[];
    /**
     * DAGs from a git repository (the chart's git-sync writes them to the claim, and Airflow reads
     * `<repository>/<subPath>` only, so DAG installers' copies are not read). Default: none, DAG
     * installers fill the claim.
     * @example { repository: "https://github.com/example/dags.git", ref: "main", subPath: "dags", credentialsSecret: "airflow-git-token" }
     */
    git?: AirflowGitDags;
}

/** The metadata database: exactly one of an external one (production) and the chart's bundled PostgreSQL (development). */
export interface AirflowDatabase {
    /**
     * An external database (production).
     * @example { secretName: "airflow-database" }
     */
    external?: AirflowExternalDatabase;
    /**
     * The chart's PostgreSQL with its default credentials: development only.
     * @example true
     */
    bundled?: boolean;
}

/** An external metadata database. */
export interface AirflowExternalDatabase {
    /**
     * A Secret in the Airflow namespace whose `connection` key holds the database URI.
     * @example "airflow-database"
     */
    secretName: pulumi.Input<SecretName>;
}

/** A custom Airflow image built on the pinned Airflow version. */
export interface AirflowImage {
    /**
     * The image repository `host[:port]/path`, without protocol and tag.
     * @minLength 1
     * @example "registry.example.com/platform/airflow"
     */
    repository: string;
    /**
     * An immutable tag.
     * @example "3.1.7-1"
     */
    tag: ImageTag;
}

/**
 * Remote task logs in an S3 bucket, reached with the credentials of a connection Secret. Fill it
 * from an `S3Storage` with {@link remoteLogsFromStorage}, or by hand for any S3-compatible store.
 */
export interface AirflowConnectionLogs {
    /**
     * An S3 bucket name (3 to 63 lower-case letters, digits, '.' and '-'), e.g. an `S3Storage`'s
     * `buckets.default`.
     * @pattern ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$
     * @example "pipeline-logs"
     */
    bucket: pulumi.Input<string>;
    /**
     * A key prefix inside the bucket (letters, digits and the characters !_.*'()/-). Default
     * `airflow/logs`.
     * @pattern ^[A-Za-z0-9!_.*'()/-]*$
     * @example "airflow/logs"
     */
    prefix?: string;
    /**
     * Secret in the Airflow namespace whose key `AIRFLOW_CONN_<CONNECTION ID>` holds the Airflow
     * connection (URI or JSON); its keys become environment variables of the Airflow containers.
     * @example "airflow-s3-logs"
     */
    connectionSecretName: pulumi.Input<SecretName>;
    /**
     * An Airflow connection id (letters, digits, '_' and '-').
     * @pattern ^[A-Za-z0-9_-]+$
     * @example "s3_logs"
     */
    connectionId: pulumi.Input<string>;
}

/**
 * Rotation of Airflow's fernet key, driven by config: each rotation adds a generated key that
 * encrypts from then on, while the earlier keys stay in Airflow's comma-separated `fernet_key` and
 * keep decrypting. No key is ever replaced: its random bytes have fixed inputs, and a retired key's
 * bytes stay in the stack.
 */
export interface AirflowFernetKey {
    /**
     * Rotations, oldest first, each named by a DNS label of your choosing (the month, a ticket).
     * Each adds a key that becomes the first of `fernet_key` (the one that encrypts). Append to the
     * list; never rename or reorder an entry: its name names its key. `initial` is the first key's
     * name and cannot be a rotation. Default none.
     * @uniqueItems true
     * @example ["2025-06"]
     */
    rotations?: ObjectName[];
    /**
     * Keys that no longer decrypt anything (after `airflow rotate-fernet-key` re-encrypted the
     * database with the newest): `initial` or a rotation. They leave `fernet_key`; their bytes stay
     * in the stack. The newest key cannot be retired. Default none.
     * @uniqueItems true
     * @example ["initial"]
     */
    retired?: ObjectName[];
}

/**
 * Remote task logs reached with a workload identity: no key exists anywhere. The scheduler,
 * workers, API server, triggerer and DAG processor run as service accounts a `WorkloadIdentity`
 * (an IAM role on AWS, a Google service account on GCP) is handed to; Airflow's connection names
 * only the region or project.
 */
export interface AirflowIdentityLogs {
    /**
     * The bucket: on AWS an S3 bucket (`s3://`), on GCP a Cloud Storage bucket (`gs://`).
     * @example "pipeline-platform-staging-logs"
     */
    bucket: BucketName;
    /**
     * The key prefix of the logs: path segments joined by `/`, no leading or trailing `/`, no `*`
     * or `?`. Default `airflow/logs`.
     * @example "airflow/logs"
     */
    prefix?: KeyPrefix;
    /**
     * The bucket's AWS region, which the connection names (AWS only).
     * @example "eu-central-1"
     */
    region?: AwsRegion;
    /**
     * The Airflow connection id (letters, digits and '_'; it becomes `AIRFLOW_CONN_<ID>`). Default
     * `remote_logs`.
     * @pattern ^[A-Za-z0-9_]+$
     * @example "remote_logs"
     */
    connectionId?: string;
    /**
     * How the cloud trusts Airflow's service accounts.
     * @example { provider: "aws", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE" }
     */
    workloadIdentity: CloudWorkloadIdentity;
}

/**
 * Remote task logs: through a connection Secret with keys, or with a workload identity.
 * @example { bucket: "pipeline-logs", connectionSecretName: "airflow-s3-logs", connectionId: "s3_logs" }
 */
export type AirflowRemoteLogs = AirflowConnectionLogs | AirflowIdentityLogs;

/** The web UI's hostname and TLS: a `PipelineIngress` in the Airflow namespace. */
export interface AirflowIngress {
    /**
     * First label of the hostname. Default `airflow`.
     * @example "airflow"
     */
    pipeline?: ObjectName;
    /**
     * Labels matched against the domain selectors. Default none (the default suffix).
     * @example { app: "prod" }
     */
    labels?: Labels;
    /**
     * Platform-wide domain suffixes (Koalja's `koalja-system` domain config).
     * @example { "example.org": { selector: { app: "prod" } }, "example.com": {} }
     */
    domains: DomainConfig;
    /**
     * Domain configs by namespace; the Airflow namespace's entry replaces `domains` (never merged).
     * Default none.
     * @propertyNames { "format": "dns-label" }
     * @example { airflow: { "internal.example.com": {} } }
     */
    namespaceDomains?: Record<string, DomainConfig>;
    /**
     * Timeouts of the web UI's route. Default: Contour's defaults.
     * @example { response: "60s", idle: "5m" }
     */
    timeouts?: RouteTimeouts;
    /**
     * TLS from a Secret (`{ secretName }`) or a cert-manager Certificate (`{ clusterIssuer }`).
     * Default: plain HTTP.
     * @example { clusterIssuer: "letsencrypt" }
     */
    tls?: PipelineTls;
    /**
     * IngressClass of the Contour that serves the proxy, e.g. a `ContourIngress`'s
     * `ingressClassName`. Default: unset (served by a Contour without class).
     * @example "contour"
     */
    ingressClassName?: pulumi.Input<IngressClassName>;
}

export interface AirflowDeploymentArgs {
    /**
     * Namespace of the release and of everything the component creates there.
     * @example "airflow"
     */
    namespace: NamespaceName;
    /**
     * Helm release name (Helm allows at most 53 characters). Default: `dnsLabel(name)`.
     * @maxLength 53
     * @example "airflow"
     */
    releaseName?: ObjectName;
    /**
     * The Airflow executor that runs tasks. Default `KubernetesExecutor`.
     * @example "KubernetesExecutor"
     */
    executor?: Executor;
    /**
     * Custom Airflow image. Default: `apache/airflow` at the pinned Airflow version.
     * @example { repository: "registry.example.com/platform/airflow", tag: "3.1.7-1" }
     */
    airflowImage?: AirflowImage;
    /**
     * The service-scope registry Secrets the Airflow images are pulled with, e.g. a service
     * `RegistrySecret`'s `secretName` (the chart's `imagePullSecrets`). Default none.
     * @uniqueItems true
     * @example ["airflow-registry"]
     */
    imagePullSecrets?: pulumi.Input<SecretName>[];
    /**
     * The DAG volume. Default: 1Gi, ReadWriteMany, the cluster's default class.
     * @example { size: "5Gi", storageClassName: "efs-sc" }
     */
    dags?: AirflowDags;
    /**
     * Celery scaling (executor `CeleryExecutor` only): PgBouncer and KEDA worker autoscaling.
     * Default: none.
     * @example { pgbouncer: { maxClientConn: 200 }, autoscaling: { minWorkers: 1, maxWorkers: 10 } }
     */
    celery?: AirflowCelery;
    /**
     * The metadata database: exactly one of `external` and `bundled`.
     * @example { external: { secretName: "airflow-database" } }
     */
    database: AirflowDatabase;
    /**
     * Remote task logs, through a connection Secret or with a workload identity. Default: logs stay
     * in the pods.
     * @example { bucket: "pipeline-logs", connectionSecretName: "airflow-s3-logs", connectionId: "s3_logs" }
     */
    logs?: AirflowRemoteLogs;
    /**
     * A `PipelineIngress` for the web UI. Default: none; `webUrl` is then the in-cluster URL.
     * @example { domains: { "example.com": {} }, tls: { clusterIssuer: "letsencrypt" } }
     */
    ingress?: AirflowIngress;
    /**
     * Namespaces where task pods run (none of them the Airflow namespace). Each gets a Role and
     * RoleBinding for the worker and scheduler service accounts.
     * @uniqueItems true
     * @example ["imaging"]
     */
    projectNamespaces: NamespaceName[];
    /**
     * The kedro-airflow-k8s run configuration: pod templates and run settings. Default none.
     * @example { startupTimeoutSeconds: 600, resources: { __default__: { requests: { cpu: "1", memory: "1Gi" } } } }
     */
    runConfig?: RunConfig;
    /**
     * Chart values merged last (objects by key, everything else replaced). Plain data (Outputs
     * inside are checked once known), validated against the chart's schema; credentials are refused.
     * Default none.
     * @example { scheduler: { replicas: 2 } }
     */
    values?: Record<string, unknown>;
    /**
     * Seconds the release may take, migrations included. Default `900`.
     * @asType integer
     * @minimum 1
     * @example 900
     */
    timeoutSeconds?: number;
    /**
     * Rotations of the fernet key. Default: one key, generated once and kept.
     * @example { rotations: ["2025-06"] }
     */
    fernetKey?: AirflowFernetKey;
    /**
     * Sets Pulumi's `protect` on the DAG claim and the fernet key (its Secret and random bytes),
     * which are always `retainOnDelete`: deleting or replacing them fails until they are
     * unprotected. Default false.
     * @example true
     */
    protect?: boolean;
}

/** The deterministic names of everything the release and its children refer to. */
export interface AirflowDeploymentNames {
    release: string;
    apiServerService: string;
    dagsClaim: string;
    podLauncher: string;
    podTemplates: string;
    runSettings: string;
    secrets: Record<(typeof SECRET_KEYS)[number]["role"], string>;
    /** The service account of each chart component, by its values key. */
    serviceAccounts: Record<AirflowComponent, string>;
}

/** What an AirflowDeployment builds: the checked args and everything derived from them. */
export interface AirflowDeploymentBuild {
    args: AirflowDeploymentArgs;
    /** Reports refusals found while building (chart values known only during `pulumi up`). */
    reporter: Reporter;
    names: AirflowDeploymentNames;
    /** The DAG claim's spec. */
    dagsClaim: { size: string; accessModes: VolumeAccessMode[]; storageClassName?: string };
    /**
     * The fernet keys, newest first: the resource name of each key's random bytes, and whether it
     * is in `fernet_key` (retired keys are not, their bytes stay).
     */
    fernetKeys: Array<{ bytes: string; active: boolean }>;
    /** The run configuration's files, when one is given. */
    runConfig?: PlannedRunConfig;
    /**
     * The chart values: computed, and the user's merged over them once both are known. The user's
     * Output positions are checked against the chart's schema when they resolve.
     */
    values: {
        computed: Record<string, unknown>;
        user: Record<string, unknown>;
        userOutputs: ValuesPath[];
    };
    /** The web UI's PipelineIngress, when one is asked for. */
    ingress?: PipelineIngressPlan;
    /** The cloud identity of Airflow's service accounts, for remote logs without keys. */
    logsIdentity?: WorkloadIdentityPlan;
    /** The in-cluster URL of the API server (the web UI). */
    clusterUrl: string;
    timeoutSeconds: number;
}

/** An AirflowDeployment's validated input; see {@link planAirflowDeployment}. */
export type AirflowDeploymentPlan = Planned<"AirflowDeployment", AirflowDeploymentBuild>;

/** What task pods and the kedro run flow need in a project namespace, and nothing else. */
export const POD_LAUNCHER_RULES = [
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

/** Exec into task pods, granted only when `runConfig.podExec` asks for it. */
const POD_EXEC_RULE = { apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"] };

const SECRET_KEYS = [
    { role: "fernet-key", key: "fernet-key" },
    { role: "api-secret-key", key: "api-secret-key" },
    { role: "jwt-secret", key: "jwt-secret" },
] as const;

/** The name of the first fernet key in `fernetKey.retired`. */
const INITIAL_FERNET_KEY = "initial";

/** The Airflow pods' annotation that names the fernet keys in use, newest first. */
export const FERNET_KEYS_ANNOTATION = "pipeline-platform.io/fernet-keys";

/** Helm refuses longer release names. */
const MAX_RELEASE_NAME = 53;

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

    constructor(
        name: string,
        args: AirflowDeploymentArgs | AirflowDeploymentPlan,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const plan = usePlan("AirflowDeployment", name, args, planAirflowDeployment);
        super("pipeline-platform:airflow:AirflowDeployment", name, {}, opts);
        const { names } = plan;
        const labels = standardLabels("airflow");
        const namespace = plan.args.namespace;
        const children: pulumi.Resource[] = [];

        // The fernet key and its bytes hold what Airflow encrypted; the other keys only sign sessions.
        const kept = statefulOptions(plan.args.protect);
        for (const { role, key } of SECRET_KEYS) {
            let value: pulumi.Output<string>;
            if (role === "fernet-key") {
                // Fernet wants URL-safe base64 of 32 bytes. The bytes' inputs never change, so no
                // update replaces a key; rotation adds one in front (Airflow encrypts with the first).
                const keys = plan.fernetKeys.map(({ bytes, active }) => ({
                    active,
                    value: new random.RandomBytes(bytes, { length: 32 }, { parent: this, ...kept })
                        .base64,
                }));
                value = pulumi
                    .all(keys.filter((k) => k.active).map((k) => k.value.apply(urlSafeBase64)))
                    .apply((values) => values.join(","));
            } else {
                value = new random.RandomBytes(
                    `${name}-${role}-bytes`,
                    { length: 32 },
                    { parent: this },
                ).hex;
            }
            children.push(
                new k8s.core.v1.Secret(
                    `${name}-${role}`,
                    {
                        metadata: { name: names.secrets[role], namespace, labels },
                        type: "Opaque",
                        stringData: { [key]: pulumi.secret(value) },
                    },
                    { parent: this, ...(role === "fernet-key" ? kept : {}) },
                ),
            );
        }

        const dagsClaim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-dags`,
            {
                metadata: { name: names.dagsClaim, namespace, labels },
                spec: {
                    accessModes: plan.dagsClaim.accessModes,
                    resources: { requests: { storage: plan.dagsClaim.size } },
                    ...(plan.dagsClaim.storageClassName !== undefined
                        ? { storageClassName: plan.dagsClaim.storageClassName }
                        : {}),
                },
            },
            { parent: this, ...kept },
        );
        children.push(dagsClaim);

        for (const projectNamespace of plan.args.projectNamespaces) {
            const role = new k8s.rbac.v1.Role(
                `${name}-pod-launcher-${projectNamespace}`,
                {
                    metadata: { name: names.podLauncher, namespace: projectNamespace, labels },
                    rules:
                        plan.args.runConfig?.podExec === true
                            ? [...POD_LAUNCHER_RULES, POD_EXEC_RULE]
                            : POD_LAUNCHER_RULES,
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
                            names.serviceAccounts.workers,
                            names.serviceAccounts.scheduler,
                        ].map((sa) => ({ kind: "ServiceAccount", name: sa, namespace })),
                    },
                    { parent: this, dependsOn: [role] },
                ),
            );
        }

        if (plan.runConfig) {
            children.push(
                new k8s.core.v1.ConfigMap(
                    `${name}-pod-templates`,
                    {
                        metadata: { name: names.podTemplates, namespace, labels },
                        data: plan.runConfig.podTemplates,
                    },
                    { parent: this },
                ),
            );
            children.push(
                new k8s.core.v1.ConfigMap(
                    `${name}-run-config`,
                    {
                        metadata: { name: names.runSettings, namespace, labels },
                        data: plan.runConfig.runSettings,
                    },
                    { parent: this },
                ),
            );
        }

        if (plan.logsIdentity) {
            children.push(
                new WorkloadIdentity(`${name}-logs-identity`, plan.logsIdentity, { parent: this }),
            );
        }

        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: names.release,
                namespace,
                chart: AIRFLOW_CHART.chart,
                version: AIRFLOW_CHART.version,
                repositoryOpts: { repo: AIRFLOW_CHART.repo },
                values: releaseValues(plan),
                waitForJobs: true,
                timeout: plan.timeoutSeconds,
            },
            { parent: this, dependsOn: children },
        );

        let webUrl = pulumi.output(plan.clusterUrl);
        if (plan.ingress) {
            const ingress = new PipelineIngress(`${name}-ingress`, plan.ingress, {
                parent: this,
                dependsOn: [release],
            });
            webUrl = ingress.url;
        }

        this.releaseName = release.name;
        this.namespace = pulumi.output(namespace);
        this.dagsClaimName = dagsClaim.metadata.name;
        this.webUrl = webUrl;
        this.podTemplatesConfigMap = pulumi.output(plan.runConfig ? names.podTemplates : undefined);
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
 * The release's values once every Output is known: the user's merged over the computed ones. The
 * positions of the user's values that were Outputs are checked here, against the chart's schema and
 * for credentials, as the plan checked the rest.
 */
function releaseValues({
    values,
    reporter,
}: AirflowDeploymentBuild): pulumi.Output<Record<string, unknown>> {
    return pulumi
        .all([pulumi.output(values.computed), pulumi.output(values.user)])
        .apply(([computed, user]) => {
            const merged = mergeValues(
                computed as Record<string, unknown>,
                user as Record<string, unknown>,
            );
            if (values.userOutputs.length > 0) {
                const resolved = pickValues(merged, values.userOutputs);
                const paths = values.userOutputs.map((p) => valuesPath("", p));
                reportRefusals(reporter, () => {
                    refuseCredentials(resolved, "values");
                    assertValidChartValues(resolved, "values", (at) =>
                        paths.some((p) => within(at, p)),
                    );
                    refuseGuardedAirflowValues(
                        pickValues(user as Record<string, unknown>, values.userOutputs),
                        "values",
                    );
                });
            }
            return merged;
        });
}

/**
 * Remote-logging arguments from an `S3Storage` (or anything shaped like it): the bucket of its log
 * storage (`options.storage`, else its `airflowStorage`, else `default`) and its Airflow connection
 * Secret. That Secret must live in the Airflow namespace (give the S3Storage the same namespace),
 * and exist: an S3Storage with `airflowConnection: false` has none.
 */
export function remoteLogsFromStorage(
    storage: {
        buckets: pulumi.Input<Record<string, string>>;
        airflowConnectionSecretName: pulumi.Input<string | undefined>;
        airflowConnectionId: pulumi.Input<string>;
        airflowStorage?: pulumi.Input<string>;
    },
    options: { storage?: string; prefix?: string } = {},
): AirflowConnectionLogs {
    return {
        bucket: pulumi
            .all([storage.buckets, options.storage ?? storage.airflowStorage ?? "default"])
            .apply(([buckets, key]) => {
                if (!Object.prototype.hasOwnProperty.call(buckets, key)) {
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
        connectionSecretName: pulumi.output(storage.airflowConnectionSecretName).apply((secret) => {
            if (secret === undefined) {
                invalidInput({
                    path: "logs.connectionSecretName",
                    given: secret,
                    expected:
                        "the connection Secret of an S3Storage that makes one (airflowConnection is false); for logs without keys use a workload identity",
                    example: "airflow-conn-s3-logs",
                });
            }
            return secret;
        }),
        connectionId: storage.airflowConnectionId,
    };
}

/**
 * Checks an AirflowDeployment's args (shape, then the rules across fields, the chart values known at
 * preview, the run configuration and the web UI's ingress) without creating anything, and returns
 * the plan its constructor builds from. Refusals name the instance (`AirflowDeployment "name":
 * runConfig.volume.size: got …`), or report through `reporter` when a platform plans it.
 */
export function planAirflowDeployment(
    name: string,
    args: AirflowDeploymentArgs,
    reporter?: Reporter,
): AirflowDeploymentPlan {
    return planComponent(
        "AirflowDeployment",
        "AirflowDeploymentArgs",
        name,
        args,
        (checked: AirflowDeploymentArgs, reports: Reporter): AirflowDeploymentBuild => {
            checkDatabase(checked.database);
            if (checked.airflowImage !== undefined) {
                checkAirflowImage(checked.airflowImage);
            }
            const airflowNamespace = checked.projectNamespaces.indexOf(checked.namespace);
            if (airflowNamespace !== -1) {
                invalidInput({
                    path: joinPath("projectNamespaces", airflowNamespace),
                    given: checked.namespace,
                    expected: "project namespaces other than the Airflow namespace itself",
                    example: "imaging",
                });
            }
            const names = deploymentNames(name, checked.releaseName);
            const runConfig =
                checked.runConfig === undefined
                    ? undefined
                    : reportRefusals(nestedReporter(reports, movePath("", "runConfig")), () =>
                          planRunConfig(checked.runConfig as RunConfig),
                      );
            const ingress =
                checked.ingress === undefined
                    ? undefined
                    : planIngress(name, checked.ingress, checked.namespace, names, reports);
            const logsIdentity =
                checked.logs !== undefined && "workloadIdentity" in checked.logs
                    ? planLogsIdentity(name, checked.namespace, checked.logs, names, reports)
                    : undefined;
            const values = planValues(checked, names, runConfig !== undefined, logsIdentity);
            const fernetKeys = planFernetKeys(name, checked.fernetKey ?? {});
            const dags = checked.dags ?? {};
            return {
                args: checked,
                reporter: reports,
                names,
                dagsClaim: {
                    size: dags.size ?? "1Gi",
                    accessModes: dags.accessModes ?? ["ReadWriteMany"],
                    storageClassName: dags.storageClassName,
                },
                fernetKeys,
                runConfig,
                values,
                ingress,
                logsIdentity,
                clusterUrl: `http://${names.apiServerService}.${checked.namespace}.svc.cluster.local:${AIRFLOW_CHART_PORTS.apiServer}`,
                timeoutSeconds: checked.timeoutSeconds ?? 900,
            };
        },
        reporter,
    );
}

/**
 * The chart values: the computed ones and the user's, checked against the chart's schema as far as
 * they are known at preview, and the user's Output positions, checked once known.
 */
function planValues(
    args: AirflowDeploymentArgs,
    names: AirflowDeploymentNames,
    withRunConfig: boolean,
    logsIdentity: WorkloadIdentityPlan | undefined,
): AirflowDeploymentBuild["values"] {
    const executor = args.executor ?? "KubernetesExecutor";
    const celery =
        args.celery === undefined
            ? {}
            : celeryValues(args.celery, executor, args.database.external !== undefined);
    const computed = airflowValues({
        executor,
        gitSync: args.dags?.git === undefined ? undefined : gitSyncValues(args.dags.git),
        pgbouncer: celery.pgbouncer,
        keda: celery.keda,
        namespace: args.namespace,
        airflowImage: args.airflowImage,
        imagePullSecrets: args.imagePullSecrets ?? [],
        database:
            args.database.external !== undefined
                ? { metadataSecretName: args.database.external.secretName }
                : { bundled: true },
        dagsClaimName: names.dagsClaim,
        secretNames: {
            fernetKey: names.secrets["fernet-key"],
            apiSecretKey: names.secrets["api-secret-key"],
            jwtSecret: names.secrets["jwt-secret"],
        },
        serviceAccounts: names.serviceAccounts,
        serviceAccountAnnotations: logsIdentity?.plan.annotations,
        projectNamespaces: args.projectNamespaces,
        logs: args.logs && logsValues(args.logs),
        runConfigMaps: withRunConfig
            ? { podTemplates: names.podTemplates, runSettings: names.runSettings }
            : undefined,
    });
    const fernet = args.fernetKey ?? {};
    if ((fernet.rotations ?? []).length + (fernet.retired ?? []).length > 0) {
        // Pods read the fernet key at start; this annotation changes with the keys, so a rotation
        // or a retirement restarts them. It names keys, never holds one.
        computed.airflowPodAnnotations = { [FERNET_KEYS_ANNOTATION]: activeFernetKeys(fernet) };
    }
    const user = args.values ?? {};
    refuseCredentials(user, "values");
    const computedKnown = splitValues(computed);
    const userKnown = splitValues(user);
    // Output positions are absent here, so what the chart requires there is checked once known.
    const later = [...computedKnown.outputs, ...userKnown.outputs].map((p) => valuesPath("", p));
    assertValidChartValues(
        mergeValues(computedKnown.known, userKnown.known),
        "values",
        (at) => !later.some((p) => within(at, p)),
    );
    refuseGuardedAirflowValues(user, "values");
    return { computed, user, userOutputs: userKnown.outputs };
}

/** Whether a values path is `parent` or lies under it. */
function within(path: string, parent: string): boolean {
    return path === parent || path.startsWith(`${parent}.`) || path.startsWith(`${parent}[`);
}

/** The names of the keys in `fernet_key`, newest first: `2025-06,initial`. */
function activeFernetKeys({ rotations = [], retired = [] }: AirflowFernetKey): string {
    return [INITIAL_FERNET_KEY, ...rotations]
        .filter((key) => !retired.includes(key))
        .reverse()
        .join(",");
}

/**
 * The fernet keys, newest first: the first key keeps the resource name it always had
 * (`<name>-fernet-key-bytes`), each rotation adds `<name>-fernet-key-bytes-<rotation>`.
 */
function planFernetKeys(
    name: string,
    { rotations = [], retired = [] }: AirflowFernetKey,
): AirflowDeploymentBuild["fernetKeys"] {
    const initial = rotations.indexOf(INITIAL_FERNET_KEY);
    if (initial !== -1) {
        invalidInput({
            path: joinPath("fernetKey.rotations", initial),
            given: INITIAL_FERNET_KEY,
            expected: `a rotation name other than "${INITIAL_FERNET_KEY}" (the first key's name)`,
            example: "2025-06",
        });
    }
    const keys = [INITIAL_FERNET_KEY, ...rotations];
    retired.forEach((key, i) => {
        if (!keys.includes(key)) {
            invalidInput({
                path: joinPath("fernetKey.retired", i),
                given: key,
                expected: `a key to retire: ${keys.map((k) => JSON.stringify(k)).join(" or ")}`,
                example: INITIAL_FERNET_KEY,
            });
        }
        if (key === keys[keys.length - 1]) {
            invalidInput({
                path: joinPath("fernetKey.retired", i),
                given: key,
                expected:
                    "a key older than the newest: the newest encrypts, add a rotation before retiring it",
                example: INITIAL_FERNET_KEY,
            });
        }
    });
    return keys
        .map((key) => ({
            bytes:
                key === INITIAL_FERNET_KEY
                    ? `${name}-fernet-key-bytes`
                    : `${name}-fernet-key-bytes-${key}`,
            active: !retired.includes(key),
        }))
        .reverse();
}

function checkDatabase(database: AirflowDatabase): void {
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
}

function checkAirflowImage({ repository, tag }: AirflowImage): void {
    const [problem] = imageReferenceProblems(`${repository}:${tag}`);
    if (problem !== undefined) {
        invalidInput({
            path: "airflowImage.repository",
            given: repository,
            expected: `an image repository that, with its tag, is an image reference: ${problem}`,
            example: "registry.example.com/platform/airflow",
        });
    }
}

/** The web UI's PipelineIngress, planned for the child `<name>-ingress`, refusals reported under `ingress`. */
function planIngress(
    name: string,
    ingress: AirflowIngress,
    namespace: string,
    names: AirflowDeploymentNames,
    reporter: Reporter,
): PipelineIngressPlan {
    return planPipelineIngress(
        `${name}-ingress`,
        {
            ...ingress,
            pipeline: ingress.pipeline ?? "airflow",
            namespace,
            service: { name: names.apiServerService, port: 8080 },
        },
        nestedReporter(reporter, movePath("", "ingress")),
    );
}

/** What the chart values say about remote logs: where, which connection, and how it is supplied. */
function logsValues(logs: AirflowRemoteLogs): LogsPlan {
    const prefix = (logs.prefix ?? "airflow/logs").replace(/^\/+|\/+$/g, "");
    if (!("workloadIdentity" in logs)) {
        return {
            folder: concat("s3://", logs.bucket, `/${prefix}`),
            connectionId: logs.connectionId,
            connectionSecretName: logs.connectionSecretName,
        };
    }
    const connectionId = logs.connectionId ?? "remote_logs";
    const aws = logs.workloadIdentity.provider === "aws";
    // No login, no password, no key file: the SDK's default chain finds the identity (the web
    // identity token IRSA mounts; GKE's metadata server), so the connection names only where.
    const connection = aws
        ? { conn_type: "aws", extra: { region_name: logs.region } }
        : {
              conn_type: "google_cloud_platform",
              extra: { project: (logs.workloadIdentity as GcpWorkloadIdentity).project },
          };
    return {
        folder: `${aws ? "s3" : "gs"}://${logs.bucket}/${prefix}`,
        connectionId,
        connectionEnv: {
            name: `AIRFLOW_CONN_${connectionId.toUpperCase()}`,
            value: JSON.stringify(connection),
        },
    };
}

/**
 * The cloud identity of the Airflow components' service accounts, planned for the child
 * `<name>-logs-identity`, refusals reported under `logs`. On AWS the connection must name the
 * bucket's region; on GCP there is none to name.
 */
function planLogsIdentity(
    name: string,
    namespace: string,
    logs: AirflowIdentityLogs,
    names: AirflowDeploymentNames,
    reporter: Reporter,
): WorkloadIdentityPlan {
    const aws = logs.workloadIdentity.provider === "aws";
    if (aws !== (logs.region !== undefined)) {
        invalidInput({
            path: "logs.region",
            given: logs.region,
            expected: aws
                ? "the bucket's AWS region: the connection names it, since no key file does"
                : "no region for a Cloud Storage bucket (the connection names the project)",
            example: aws ? "eu-central-1" : "no region",
        });
    }
    const paths: Record<string, string> = {
        cloud: "logs.workloadIdentity",
        bucket: "logs.bucket",
        prefix: "logs.prefix",
    };
    return planWorkloadIdentity(
        `${name}-logs-identity`,
        {
            namespace,
            serviceAccounts: Object.values(names.serviceAccounts),
            bucket: logs.bucket,
            prefix: (logs.prefix ?? "airflow/logs").replace(/^\/+|\/+$/g, ""),
            cloud: logs.workloadIdentity,
        },
        nestedReporter(reporter, (relative) => {
            const [head] = relative.split(/[.[]/);
            return head in paths ? movePath(head, paths[head])(relative) : relative;
        }),
    );
}

function deploymentNames(name: string, releaseName: string | undefined): AirflowDeploymentNames {
    const release = releaseName ?? dnsLabel(name);
    if (release.length > MAX_RELEASE_NAME) {
        invalidInput({
            path: "releaseName",
            given: releaseName,
            expected: `a Helm release name of at most ${MAX_RELEASE_NAME} characters: the default, dnsLabel(name) = "${release}", is longer`,
            example: "airflow",
        });
    }
    // The chart's `airflow.fullname` (the release name: `useStandardNaming` is off) names its
    // Services; `airflow.serviceAccountName` (the release name when it contains "airflow", else
    // `<release>-airflow`) prefixes the service accounts.
    const accountPrefix = (release.includes("airflow") ? release : `${release}-airflow`)
        .slice(0, 63)
        .replace(/-+$/, "");
    return {
        release,
        apiServerService: `${release}-api-server`,
        dagsClaim: dnsLabel(`${release}-dags`),
        podLauncher: dnsLabel(`${release}-pod-launcher`),
        podTemplates: dnsLabel(`${release}-pod-templates`),
        runSettings: dnsLabel(`${release}-run-config`),
        secrets: Object.fromEntries(
            SECRET_KEYS.map(({ role }) => [role, dnsLabel(`${release}-${role}`)]),
        ) as AirflowDeploymentNames["secrets"],
        serviceAccounts: Object.fromEntries(
            Object.entries(AIRFLOW_COMPONENTS).map(([component, suffix]) => [
                component,
                dnsLabel(`${accountPrefix}-${suffix}`),
            ]),
        ) as Record<AirflowComponent, string>,
    };
}

function urlSafeBase64(standard: string): string {
    return standard.replace(/\+/g, "-").replace(/\//g, "_");
}
