import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import { dns1123LabelProblems, dnsLabel, invalidInput, standardLabels } from "../core";
import {
    KOALJA_S3_CONFIG_NAME,
    KOALJA_S3_SECRET_TYPE,
    airflowConnectionEnvName,
    airflowConnectionUri,
    bucketArn,
    bucketPolicy,
    defaultBucketName,
    iamUserName,
    serviceAccountId,
    storageEndpoint,
    storageEntryYaml,
    storageSecretName,
    validateStorages,
    type AwsStorage,
    type GcpStorage,
    type StorageEndpoint,
    type StorageSpec,
} from "./storage-config";

export interface S3StorageArgs {
    /**
     * Namespace of the Secrets and the ConfigMap; it must exist. Default `koalja-system`, where Koalja
     * looks when a pipeline namespace has no storage config of its own.
     * @example "koalja-system"
     */
    namespace?: string;
    /**
     * Storages by name; `default` is required. Names are DNS labels.
     * @example { default: { provider: "aws", region: "eu-west-1" } }
     */
    storages: Record<string, StorageSpec>;
    /**
     * Airflow connection id for remote logging. Default `s3_logs`.
     * @example "s3_logs"
     */
    airflowConnectionId?: string;
    /**
     * The storage Airflow writes its logs to. Default `default`.
     * @example "logs"
     */
    airflowStorage?: string;
}

interface Credentials {
    bucket: pulumi.Output<string>;
    accessKey: pulumi.Output<string>;
    secretKey: pulumi.Output<string>;
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
    /** Secret holding the Airflow connection, under the key `airflowConnectionSecretKey`. */
    public readonly airflowConnectionSecretName: pulumi.Output<string>;
    /** Airflow connection id (`remote_log_conn_id`). */
    public readonly airflowConnectionId: pulumi.Output<string>;
    /** Key of the connection in its Secret: `AIRFLOW_CONN_<ID>`, ready for `envFrom`. */
    public readonly airflowConnectionSecretKey: pulumi.Output<string>;
    /** The storage Airflow logs go to. */
    public readonly airflowStorage: pulumi.Output<string>;

    constructor(name: string, args: S3StorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-platform:storage:S3Storage", name, {}, opts);
        const project = pulumi.getProject();
        const stack = pulumi.getStack();
        const namespace = args.namespace ?? "koalja-system";
        const connectionId = args.airflowConnectionId ?? "s3_logs";
        const logStorage = args.airflowStorage ?? "default";
        validateArgs(args, namespace, connectionId, logStorage, project, stack);

        const labels = standardLabels("storage");
        const entries: Record<string, string> = {};
        const secretNames: Record<string, pulumi.Output<string>> = {};
        const buckets: Record<string, pulumi.Output<string>> = {};
        const endpoints: Record<string, string> = {};
        const credentials: Record<string, Credentials> = {};
        for (const [storage, spec] of Object.entries(args.storages)) {
            const bucket = spec.bucket ?? defaultBucketName(project, stack, storage);
            const endpoint = storageEndpoint(spec);
            const childName = `${name}-${storage}`;
            const creds =
                spec.provider === "aws"
                    ? this.awsStorage(childName, spec, bucket)
                    : spec.provider === "gcp"
                      ? this.gcpStorage(childName, storage, spec, bucket)
                      : {
                            bucket: pulumi.output(bucket),
                            accessKey: pulumi.secret(spec.accessKey),
                            secretKey: pulumi.secret(spec.secretKey),
                        };
            const secret = new k8s.core.v1.Secret(
                `${childName}-secret`,
                {
                    metadata: { name: storageSecretName(storage), namespace, labels },
                    type: KOALJA_S3_SECRET_TYPE,
                    data: {
                        "access-key": pulumi.secret(creds.accessKey.apply(base64)),
                        "secret-key": pulumi.secret(creds.secretKey.apply(base64)),
                    },
                },
                { parent: this },
            );
            entries[storage] = storageEntryYaml(bucket, endpoint, storageSecretName(storage));
            secretNames[storage] = secret.metadata.name;
            buckets[storage] = creds.bucket;
            endpoints[storage] = endpoint.endpoint;
            credentials[storage] = creds;
        }

        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            {
                metadata: { name: KOALJA_S3_CONFIG_NAME, namespace, labels },
                data: entries,
            },
            { parent: this },
        );

        const envName = airflowConnectionEnvName(connectionId);
        const logCreds = credentials[logStorage];
        const logEndpoint: StorageEndpoint = storageEndpoint(args.storages[logStorage]);
        const connection = new k8s.core.v1.Secret(
            `${name}-airflow-connection`,
            {
                metadata: {
                    name: dnsLabel(`airflow-conn-${connectionId.toLowerCase().replace(/_/g, "-")}`),
                    namespace,
                    labels,
                },
                type: "Opaque",
                stringData: {
                    [envName]: pulumi.secret(
                        pulumi
                            .all([logCreds.accessKey, logCreds.secretKey])
                            .apply(([access, secretKey]) =>
                                airflowConnectionUri(access, secretKey, logEndpoint),
                            ),
                    ),
                },
            },
            { parent: this },
        );

        this.namespace = configMap.metadata.namespace;
        this.configMapName = configMap.metadata.name;
        this.secretNames = pulumi.output(secretNames);
        this.buckets = pulumi.output(buckets);
        this.endpoints = pulumi.output(endpoints);
        this.airflowConnectionSecretName = connection.metadata.name;
        this.airflowConnectionId = pulumi.output(connectionId);
        this.airflowConnectionSecretKey = pulumi.output(envName);
        this.airflowStorage = pulumi.output(logStorage);
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

    /** An S3 bucket (when asked) and an IAM user whose only permissions are on that bucket. */
    private awsStorage(name: string, spec: AwsStorage, bucketName: string): Credentials {
        const region = spec.region;
        const dependsOn: pulumi.Resource[] = [];
        let bucket = pulumi.output(bucketName);
        if (spec.create ?? true) {
            const created = new aws.s3.Bucket(
                `${name}-bucket`,
                {
                    bucket: bucketName,
                    region,
                    tags: {
                        "managed-by": "pulumi",
                        "part-of": "pipeline-platform",
                        component: "storage",
                    },
                },
                { parent: this },
            );
            const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
                `${name}-encryption`,
                {
                    bucket: created.bucket,
                    region,
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                },
                { parent: this },
            );
            const versioning = new aws.s3.BucketVersioning(
                `${name}-versioning`,
                {
                    bucket: created.bucket,
                    region,
                    versioningConfiguration: { status: "Enabled" },
                },
                { parent: this },
            );
            const publicAccess = new aws.s3.BucketPublicAccessBlock(
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
            dependsOn.push(created, encryption, versioning, publicAccess);
            bucket = created.bucket;
        }
        const user = new aws.iam.User(
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
        const policy = new aws.iam.UserPolicy(
            `${name}-policy`,
            {
                user: user.name,
                policy: bucketPolicy(bucketArn(region, bucketName)),
            },
            { parent: this, dependsOn },
        );
        const key = new aws.iam.AccessKey(
            `${name}-key`,
            { user: user.name },
            { parent: this, dependsOn: [policy] },
        );
        return { bucket, accessKey: pulumi.secret(key.id), secretKey: pulumi.secret(key.secret) };
    }

    /** A Cloud Storage bucket (when asked), a service account with object access to it alone, and an HMAC key. */
    private gcpStorage(
        name: string,
        storage: string,
        spec: GcpStorage,
        bucketName: string,
    ): Credentials {
        const project = spec.project;
        let bucket = pulumi.output(bucketName);
        const dependsOn: pulumi.Resource[] = [];
        if (spec.create ?? true) {
            // Cloud Storage encrypts every object at rest with Google-managed keys; nothing to turn on.
            const created = new gcp.storage.Bucket(
                `${name}-bucket`,
                {
                    name: bucketName,
                    location: spec.location,
                    project,
                    uniformBucketLevelAccess: true,
                    publicAccessPrevention: "enforced",
                    versioning: { enabled: true },
                    labels: {
                        "managed-by": "pulumi",
                        "part-of": "pipeline-platform",
                        component: "storage",
                    },
                },
                { parent: this },
            );
            dependsOn.push(created);
            bucket = created.name;
        }
        const account = new gcp.serviceaccount.Account(
            `${name}-account`,
            {
                accountId: serviceAccountId(storage, bucketName),
                displayName: `pipeline-platform S3 access to ${bucketName}`,
                project,
            },
            { parent: this },
        );
        const access = new gcp.storage.BucketIAMMember(
            `${name}-access`,
            {
                bucket: bucketName,
                role: "roles/storage.objectAdmin",
                member: pulumi.interpolate`serviceAccount:${account.email}`,
            },
            { parent: this, dependsOn },
        );
        const key = new gcp.storage.HmacKey(
            `${name}-hmac`,
            {
                serviceAccountEmail: account.email,
                project,
            },
            { parent: this, dependsOn: [access] },
        );
        return {
            bucket,
            accessKey: pulumi.secret(key.accessId),
            secretKey: pulumi.secret(key.secret),
        };
    }
}

function base64(value: string): string {
    return Buffer.from(value, "utf8").toString("base64");
}

function validateArgs(
    args: S3StorageArgs,
    namespace: string,
    connectionId: string,
    logStorage: string,
    project: string,
    stack: string,
): void {
    const namespaceProblems = dns1123LabelProblems(namespace);
    if (namespaceProblems.length > 0) {
        invalidInput({
            path: "namespace",
            given: namespace,
            expected: `a namespace name that ${namespaceProblems.join(" and ")}`,
            example: "koalja-system",
        });
    }
    validateStorages(args.storages, project, stack);
    if (!/^[A-Za-z0-9_]+$/.test(connectionId)) {
        invalidInput({
            path: "airflowConnectionId",
            given: connectionId,
            expected:
                "an Airflow connection id of letters, digits and '_' (it becomes an environment variable name)",
            example: "s3_logs",
        });
    }
    if (!Object.prototype.hasOwnProperty.call(args.storages, logStorage)) {
        invalidInput({
            path: "airflowStorage",
            given: logStorage,
            expected: `one of the storages (${Object.keys(args.storages).join(", ")})`,
            example: "default",
        });
    }
}
