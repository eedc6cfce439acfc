import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as gcs from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    dnsLabel,
    invalidInput,
    joinPath,
    planComponent,
    standardLabels,
    statefulOptions,
    usePlan,
    type NamespaceName,
    type Planned,
    type Reporter,
} from "../core";
import {
    KOALJA_S3_CONFIG_NAME,
    KOALJA_S3_SECRET_TYPE,
    KOALJA_SYSTEM_NAMESPACE,
    airflowConnectionEnvName,
    airflowConnectionUri,
    bucketArn,
    bucketPolicy,
    iamUserName,
    planStorage,
    serviceAccountId,
    type AwsStorage,
    type GcpStorage,
    type PlannedStorage,
    type StorageName,
    type StorageSpec,
} from "./storage-config";

export interface S3StorageArgs {
    /**
     * Namespace of the Koalja Secrets and the `koalja-s3-storage-config` ConfigMap; it must exist.
     * Default `koalja-system`: Koalja's S3 filesystem service reads the ConfigMap in its own
     * namespace (`koalja-system` in Koalja's deployment), then in `koalja-system`, and each Secret
     * in the namespace where it found the ConfigMap; never in a pipeline's namespace.
     * @example "koalja-system"
     */
    namespace?: NamespaceName;
    /**
     * Namespace of the Airflow connection Secret: Airflow's, which mounts it. Default: `namespace`.
     * @example "pipeline-services"
     */
    airflowNamespace?: NamespaceName;
    /**
     * Storages by name; `default` is required. Names are DNS labels.
     * @propertyNames { "format": "dns-label" }
     * @example { default: { provider: "aws", region: "eu-west-1" } }
     */
    storages: Record<string, StorageSpec>;
    /**
     * An Airflow connection id of letters, digits and '_' (it becomes an environment variable
     * name), for remote logging. Default `s3_logs`.
     * @pattern ^[A-Za-z0-9_]+$
     * @example "s3_logs"
     */
    airflowConnectionId?: string;
    /**
     * The storage Airflow writes its logs to: one of `storages`. Default `default`.
     * @example "logs"
     */
    airflowStorage?: StorageName;
    /**
     * Sets Pulumi's `protect` on the buckets (they are always `retainOnDelete`): deleting or
     * replacing one fails until it is unprotected. Default false.
     * @example true
     */
    protect?: boolean;
    /**
     * Make the Airflow connection Secret: the keys of `airflowStorage`, for Airflow's remote logs.
     * Default true. false when Airflow reaches its logs with a workload identity, or keeps them in
     * its pods: then no Secret holds a key for Airflow.
     * @example false
     */
    airflowConnection?: boolean;
}

/** What an S3Storage builds: the checked args, each storage planned, and the Airflow connection. */
export interface S3StorageBuild {
    args: S3StorageArgs;
    namespace: string;
    /** Namespace of the Airflow connection Secret. */
    airflowNamespace: string;
    /** Every storage, in the order of `storages`. */
    storages: PlannedStorage[];
    /** The storage Airflow logs go to. */
    logStorage: PlannedStorage;
    connectionId: string;
    /** The Airflow connection Secret, unless `airflowConnection` is false. */
    connection?: {
        /** `AIRFLOW_CONN_<ID>`: the connection's key in its Secret. */
        envName: string;
        secretName: string;
    };
}

/** An S3Storage's validated input; see {@link planS3Storage}. */
export type S3StoragePlan = Planned<"S3Storage", S3StorageBuild>;

interface Credentials {
    accessKey: pulumi.Output<string>;
    secretKey: pulumi.Output<string>;
}

/** A bucket's name, and the resources that create and secure it (none for an existing one). */
interface Bucket {
    name: pulumi.Output<string>;
    resources: pulumi.Resource[];
}

/**
 * S3 storage for pipelines, Koalja-style: buckets and least-privilege keys where asked, per storage a
 * `aljabrio/koalja-flex-s3` Secret, the `koalja-s3-storage-config` ConfigMap, and an Airflow connection
 * Secret for remote logging.
 */
export class S3Storage extends pulumi.ComponentResource {
    /** Namespace of the Secrets and ConfigMap. */
    public readonly namespace: pulumi.Output<string>;
    /** `koalja-s3-storage-config`. */
    public readonly configMapName: pulumi.Output<string>;
    /** Credential Secret name per storage (`koalja-s3-default-secrets` for `default`). */
    public readonly secretNames: pulumi.Output<Record<string, string>>;
    /** Bucket name per storage. */
    public readonly buckets: pulumi.Output<Record<string, string>>;
    /** Endpoint URL (with scheme) per storage. */
    public readonly endpoints: pulumi.Output<Record<string, string>>;
    /** Secret holding the Airflow connection, under the key `airflowConnectionSecretKey`; none with `airflowConnection: false`. */
    public readonly airflowConnectionSecretName: pulumi.Output<string | undefined>;
    /** Airflow connection id (`remote_log_conn_id`). */
    public readonly airflowConnectionId: pulumi.Output<string>;
    /** Key of the connection in its Secret: `AIRFLOW_CONN_<ID>`, ready for `envFrom`. */
    public readonly airflowConnectionSecretKey: pulumi.Output<string | undefined>;
    /** The storage Airflow logs go to. */
    public readonly airflowStorage: pulumi.Output<string>;

    constructor(
        name: string,
        args: S3StorageArgs | S3StoragePlan,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const plan = usePlan("S3Storage", name, args, planS3Storage);
        super("pipeline-platform:storage:S3Storage", name, {}, opts);
        const namespace = plan.namespace;

        const labels = standardLabels("storage");
        const entries: Record<string, string> = {};
        const secretNames: Record<string, pulumi.Output<string>> = {};
        const buckets: Record<string, pulumi.Output<string>> = {};
        const endpoints: Record<string, string> = {};
        const credentials: Record<string, Credentials> = {};
        for (const storage of plan.storages) {
            const { spec, bucket } = storage;
            const childName = `${name}-${storage.name}`;
            const created =
                spec.provider === "external"
                    ? { name: pulumi.output(bucket), resources: [] }
                    : this.bucket(childName, spec, bucket, plan.args.protect);
            buckets[storage.name] = created.name;
            endpoints[storage.name] = storage.endpoint.endpoint;
            if (storage.secretName === undefined || storage.entry === undefined) {
                continue;
            }
            const creds =
                spec.provider === "aws"
                    ? this.awsKey(childName, spec, bucket, created)
                    : spec.provider === "gcp"
                      ? this.gcpKey(childName, storage.name, spec, bucket, created)
                      : {
                            accessKey: pulumi.secret(spec.accessKey),
                            secretKey: pulumi.secret(spec.secretKey),
                        };
            const secret = new k8s.core.v1.Secret(
                `${childName}-secret`,
                {
                    metadata: { name: storage.secretName, namespace, labels },
                    type: KOALJA_S3_SECRET_TYPE,
                    data: {
                        "access-key": pulumi.secret(creds.accessKey.apply(base64)),
                        "secret-key": pulumi.secret(creds.secretKey.apply(base64)),
                    },
                },
                { parent: this },
            );
            entries[storage.name] = storage.entry;
            secretNames[storage.name] = secret.metadata.name;
            credentials[storage.name] = creds;
        }

        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            {
                metadata: { name: KOALJA_S3_CONFIG_NAME, namespace, labels },
                data: entries,
            },
            { parent: this },
        );

        let connectionSecretName: pulumi.Output<string | undefined> = pulumi.output(undefined);
        if (plan.connection) {
            const logCreds = credentials[plan.logStorage.name];
            const logEndpoint = plan.logStorage.endpoint;
            connectionSecretName = new k8s.core.v1.Secret(
                `${name}-airflow-connection`,
                {
                    metadata: {
                        name: plan.connection.secretName,
                        namespace: plan.airflowNamespace,
                        labels,
                    },
                    type: "Opaque",
                    stringData: {
                        [plan.connection.envName]: pulumi.secret(
                            pulumi
                                .all([logCreds.accessKey, logCreds.secretKey])
                                .apply(([access, secretKey]) =>
                                    airflowConnectionUri(access, secretKey, logEndpoint),
                                ),
                        ),
                    },
                },
                { parent: this },
            ).metadata.name;
        }

        this.namespace = configMap.metadata.namespace;
        this.configMapName = configMap.metadata.name;
        this.secretNames = pulumi.output(secretNames);
        this.buckets = pulumi.output(buckets);
        this.endpoints = pulumi.output(endpoints);
        this.airflowConnectionSecretName = connectionSecretName;
        this.airflowConnectionId = pulumi.output(plan.connectionId);
        this.airflowConnectionSecretKey = pulumi.output(plan.connection?.envName);
        this.airflowStorage = pulumi.output(plan.logStorage.name);
        this.registerOutputs({
            namespace: this.namespace,
            configMapName: this.configMapName,
            secretNames: this.secretNames,
            buckets: this.buckets,
            endpoints: this.endpoints,
            airflowConnectionSecretName: this.airflowConnectionSecretName,
            airflowConnectionId: this.airflowConnectionId,
            airflowConnectionSecretKey: this.airflowConnectionSecretKey,
            airflowStorage: this.airflowStorage,
        });
    }

    /** The bucket, created when asked: encrypted, versioned, never public. */
    private bucket(
        name: string,
        spec: AwsStorage | GcpStorage,
        bucketName: string,
        protect: boolean | undefined,
    ): Bucket {
        if (!(spec.create ?? true)) {
            return { name: pulumi.output(bucketName), resources: [] };
        }
        const tags = {
            "managed-by": "pulumi",
            "part-of": "pipeline-platform",
            component: "storage",
        };
        if (spec.provider === "gcp") {
            // Cloud Storage encrypts every object at rest with Google-managed keys; nothing to turn on.
            const created = new gcs.Bucket(
                `${name}-bucket`,
                {
                    name: bucketName,
                    location: spec.location,
                    project: spec.project,
                    uniformBucketLevelAccess: true,
                    publicAccessPrevention: "enforced",
                    versioning: { enabled: true },
                    labels: tags,
                },
                { parent: this, ...statefulOptions(protect) },
            );
            return { name: created.name, resources: [created] };
        }
        const region = spec.region;
        const created = new s3.Bucket(
            `${name}-bucket`,
            { bucket: bucketName, region, tags },
            { parent: this, ...statefulOptions(protect) },
        );
        const encryption = new s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: created.bucket,
                region,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
            },
            { parent: this },
        );
        const versioning = new s3.BucketVersioning(
            `${name}-versioning`,
            {
                bucket: created.bucket,
                region,
                versioningConfiguration: { status: "Enabled" },
            },
            { parent: this },
        );
        const publicAccess = new s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            {
                bucket: created.bucket,
                region,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            { parent: this },
        );
        return { name: created.bucket, resources: [created, encryption, versioning, publicAccess] };
    }

    /** An IAM user whose only permissions are on the bucket, and its access key (for Koalja). */
    private awsKey(
        name: string,
        spec: AwsStorage,
        bucketName: string,
        bucket: Bucket,
    ): Credentials {
        const user = new iam.User(
            `${name}-user`,
            {
                name: iamUserName(bucketName),
                tags: {
                    "managed-by": "pulumi",
                    "part-of": "pipeline-platform",
                    component: "storage",
                },
            },
            { parent: this },
        );
        // The ARN is computed from the name so previews show the real policy, not an unknown.
        const policy = new iam.UserPolicy(
            `${name}-policy`,
            {
                user: user.name,
                policy: bucketPolicy(bucketArn(spec.region, bucketName)),
            },
            { parent: this, dependsOn: bucket.resources },
        );
        const key = new iam.AccessKey(
            `${name}-key`,
            { user: user.name },
            { parent: this, dependsOn: [policy] },
        );
        return { accessKey: pulumi.secret(key.id), secretKey: pulumi.secret(key.secret) };
    }

    /** A service account with object access to the bucket alone, and its HMAC key (for Koalja). */
    private gcpKey(
        name: string,
        storage: string,
        spec: GcpStorage,
        bucketName: string,
        bucket: Bucket,
    ): Credentials {
        const project = spec.project;
        const account = new serviceaccount.Account(
            `${name}-account`,
            {
                accountId: serviceAccountId(storage, bucketName),
                displayName: `pipeline-platform S3 access to ${bucketName}`,
                project,
            },
            { parent: this },
        );
        const access = new gcs.BucketIAMMember(
            `${name}-access`,
            {
                bucket: bucketName,
                role: "roles/storage.objectAdmin",
                member: pulumi.interpolate`serviceAccount:${account.email}`,
            },
            { parent: this, dependsOn: bucket.resources },
        );
        const key = new gcs.HmacKey(
            `${name}-hmac`,
            {
                serviceAccountEmail: account.email,
                project,
            },
            { parent: this, dependsOn: [access] },
        );
        return {
            accessKey: pulumi.secret(key.accessId),
            secretKey: pulumi.secret(key.secret),
        };
    }
}

function base64(value: string): string {
    return Buffer.from(value, "utf8").toString("base64");
}

/**
 * Checks an S3Storage's args (storage names, endpoints, bucket names, the `default` storage, the
 * Airflow storage) without creating anything and returns the plan its constructor builds from.
 * Default bucket names come from the Pulumi project and stack.
 */
export function planS3Storage(
    name: string,
    args: S3StorageArgs,
    reporter?: Reporter,
): S3StoragePlan {
    return planComponent(
        "S3Storage",
        "S3StorageArgs",
        name,
        args,
        (checked: S3StorageArgs) => {
            const names = Object.keys(checked.storages);
            if (!names.includes("default")) {
                invalidInput({
                    path: "storages",
                    given: names,
                    expected: "a map of storages with a `default` entry (Koalja requires one)",
                    example: `{ default: { provider: "aws", region: "eu-west-1" } }`,
                });
            }
            const project = pulumi.getProject();
            const stack = pulumi.getStack();
            const storages = Object.entries(checked.storages).map(([storage, spec]) =>
                planStorage(storage, spec, joinPath("storages", storage), project, stack),
            );
            const logName = checked.airflowStorage ?? "default";
            const logStorage = storages.find((storage) => storage.name === logName);
            if (logStorage === undefined) {
                return invalidInput({
                    path: "airflowStorage",
                    given: logName,
                    expected: `one of the storages (${names.join(", ")})`,
                    example: "default",
                });
            }
            const connectionId = checked.airflowConnectionId ?? "s3_logs";
            const namespace = checked.namespace ?? KOALJA_SYSTEM_NAMESPACE;
            const withConnection = checked.airflowConnection ?? true;
            if (withConnection && logStorage.secretName === undefined) {
                invalidInput({
                    path: "airflowConnection",
                    given: true,
                    expected: `no connection Secret for a storage without a key (storages.${logStorage.name}.koalja is false): reach it with a workload identity`,
                    example: false,
                });
            }
            return {
                args: checked,
                namespace,
                airflowNamespace: checked.airflowNamespace ?? namespace,
                storages,
                logStorage,
                connectionId,
                connection: withConnection
                    ? {
                          envName: airflowConnectionEnvName(connectionId),
                          secretName: dnsLabel(
                              `airflow-conn-${connectionId.toLowerCase().replace(/_/g, "-")}`,
                          ),
                      }
                    : undefined,
            };
        },
        reporter,
    );
}
