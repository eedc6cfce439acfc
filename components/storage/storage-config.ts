import type * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { dnsLabel, invalidInput, joinPath, shortHash, type AwsRegion } from "../core";

/**
 * The name of a storage: a DNS label (it names the storage's Secret and its cloud resources).
 * @format dns-label
 * @example "default"
 */
export type StorageName = string;

/** An S3 bucket in AWS, created with an IAM user and access key that reach only that bucket. */
export interface AwsStorage {
    provider: "aws";
    /** AWS region of the bucket. */
    region: AwsRegion;
    /**
     * Bucket name, by the S3 rules. Default: derived from project, stack and storage name (no
     * randomness).
     * @example "acme-pipelines-prod"
     */
    bucket?: string;
    /**
     * Create the bucket (encrypted, versioned, public access blocked). Default true; false needs
     * `bucket`.
     * @example false
     */
    create?: boolean;
    /**
     * Give Koalja this storage: an IAM user with a static access key to the bucket alone, a
     * `aljabrio/koalja-flex-s3` Secret holding it (Koalja's driver reads keys only) and an entry in
     * `koalja-s3-storage-config`. Default true. false: the bucket alone, for consumers that reach it
     * with a workload identity (Airflow's remote logs); no key exists. Not for `default`.
     * @example false
     */
    koalja?: boolean;
}

/** A Cloud Storage bucket used through its S3 interface, with a service account and HMAC key. */
export interface GcpStorage {
    provider: "gcp";
    /**
     * A Cloud Storage location: a region, dual-region or multi-region name.
     * @pattern ^[A-Za-z0-9-]+$
     * @example "EUROPE-WEST1"
     */
    location: string;
    /**
     * GCP project of the bucket and service account. Default: the provider's project.
     * @format gcp-project
     * @example "acme-data"
     */
    project?: string;
    /**
     * Bucket name, by the S3 and Cloud Storage rules. Default: derived from project, stack and
     * storage name.
     * @example "acme-pipelines-prod"
     */
    bucket?: string;
    /**
     * Create the bucket (uniform access, versioned, public access prevented). Default true; false
     * needs `bucket`.
     * @example false
     */
    create?: boolean;
    /**
     * Give Koalja this storage: a service account with an HMAC key to the bucket alone, a
     * `aljabrio/koalja-flex-s3` Secret holding it (Koalja's driver reads keys only) and an entry in
     * `koalja-s3-storage-config`. Default true. false: the bucket alone, for consumers that reach it
     * with a workload identity (Airflow's remote logs); no key exists. Not for `default`.
     * @example false
     */
    koalja?: boolean;
}

/** Any S3-compatible store (MinIO, Ceph...), with keys the caller provides. */
export interface ExternalStorage {
    provider: "external";
    /**
     * Endpoint URL with scheme, host and port only; the scheme decides `secure`.
     * @example "http://minio.storage:9000"
     */
    endpoint: string;
    /**
     * Existing bucket, by the S3 rules.
     * @example "pipelines"
     */
    bucket: string;
    /**
     * Access key. Kept secret: only ever written into Kubernetes Secrets.
     * @secret
     * @minLength 1
     * @example "config.requireSecret(\"minioAccessKey\")"
     */
    accessKey: pulumi.Input<string>;
    /**
     * Secret key. Kept secret: only ever written into Kubernetes Secrets.
     * @secret
     * @minLength 1
     * @example "config.requireSecret(\"minioSecretKey\")"
     */
    secretKey: pulumi.Input<string>;
    /**
     * A signing region name (letters, digits, '-', '_') for clients that need one. Default
     * `us-east-1` (MinIO's default).
     * @pattern ^[A-Za-z0-9_-]+$
     * @example "us-east-1"
     */
    region?: string;
}

/**
 * Where a storage's bucket lives, and how its keys are made.
 * @example { provider: "aws", region: "eu-west-1" }
 */
export type StorageSpec = AwsStorage | GcpStorage | ExternalStorage;

/** The Secret type Koalja's flex volume driver reads. */
export const KOALJA_S3_SECRET_TYPE = "aljabrio/koalja-flex-s3";
/** The ConfigMap Koalja reads its storages from. */
export const KOALJA_S3_CONFIG_NAME = "koalja-s3-storage-config";
/** Koalja's own namespace, where its S3 filesystem service looks for the storage config. */
export const KOALJA_SYSTEM_NAMESPACE = "koalja-system";

/** `koalja-s3-<storage>-secrets`, which for `default` is Koalja's `koalja-s3-default-secrets`. */
export function storageSecretName(storage: string): string {
    return `koalja-s3-${storage}-secrets`;
}

/** Where a storage is reached: `endpoint` with scheme, whether it is TLS, and a signing region. */
export interface StorageEndpoint {
    endpoint: string;
    secure: boolean;
    region: string;
}

/** The endpoint of a storage: AWS regional, GCS interoperability, or the given one. */
function storageEndpoint(spec: StorageSpec): StorageEndpoint {
    switch (spec.provider) {
        case "aws":
            return {
                endpoint: `https://s3.${spec.region}.amazonaws.com`,
                secure: true,
                region: spec.region,
            };
        case "gcp":
            return { endpoint: "https://storage.googleapis.com", secure: true, region: "auto" };
        case "external": {
            const url = new URL(spec.endpoint);
            return {
                endpoint: `${url.protocol}//${url.host}`,
                secure: url.protocol === "https:",
                region: spec.region ?? "us-east-1",
            };
        }
    }
}

/** One entry of `koalja-s3-storage-config`: the fields Koalja's `BucketConfig` reads. */
function storageEntryYaml(bucket: string, endpoint: StorageEndpoint, secretName: string): string {
    return stringify({
        name: bucket,
        endpoint: endpoint.endpoint,
        secretName,
        secure: endpoint.secure,
    });
}

/** The bucket name used when none is given: project, stack and storage, as a DNS label. */
function defaultBucketName(project: string, stack: string, storage: string): string {
    return dnsLabel(`${project}-${stack}-${storage}`);
}

const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;

/** S3 bucket naming rules (general purpose buckets); GCS adds its own on top. */
export function bucketNameProblems(name: string, provider: StorageSpec["provider"]): string[] {
    const problems: string[] = [];
    if (name.length < 3 || name.length > 63) {
        problems.push(`must be 3 to 63 characters (has ${name.length})`);
    }
    if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
        problems.push(
            "must consist of lower-case letters, digits, '.' and '-', and start and end with a letter or digit",
        );
    }
    if (name.includes("..")) {
        problems.push("must not contain '..'");
    }
    if (IP_ADDRESS.test(name)) {
        problems.push("must not look like an IP address");
    }
    if (
        /^(xn--|sthree-|amzn-s3-demo-)/.test(name) ||
        /(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(name)
    ) {
        problems.push(
            "must not use a prefix or suffix AWS reserves (xn--, sthree-, -s3alias, --ol-s3)",
        );
    }
    if (provider === "gcp" && (name.startsWith("goog") || /g[o0][o0]gle/.test(name))) {
        problems.push("must not start with 'goog' or contain 'google' (Cloud Storage rule)");
    }
    return problems;
}

/** An IAM user name (at most 64 characters) for the bucket's key. */
export function iamUserName(bucket: string): string {
    const name = `koalja-s3-${bucket}`;
    return name.length <= 64
        ? name
        : `${name.slice(0, 56).replace(/[-.]+$/, "")}-${shortHash(name)}`;
}

/** A GCP service account id (6 to 30 characters, starts with a letter) for the bucket's key. */
export function serviceAccountId(storage: string, bucket: string): string {
    const head = `ks3-${storage}`.slice(0, 23).replace(/-+$/, "");
    return `${head}-${shortHash(bucket, 6)}`;
}

/** The ARN of a bucket in the region's partition. */
export function bucketArn(region: string, bucket: string): string {
    const partition = region.startsWith("cn-")
        ? "aws-cn"
        : region.startsWith("us-gov-")
          ? "aws-us-gov"
          : "aws";
    return `arn:${partition}:s3:::${bucket}`;
}

/** The IAM policy of a storage's user: list that one bucket, read and write its objects, nothing else. */
export function bucketPolicy(arn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ListBucket",
                Effect: "Allow",
                Action: ["s3:ListBucket", "s3:GetBucketLocation"],
                Resource: arn,
            },
            {
                Sid: "ReadWriteObjects",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                Resource: `${arn}/*`,
            },
        ],
    });
}

/** `AIRFLOW_CONN_<ID>`: the environment variable Airflow reads a connection from. */
export function airflowConnectionEnvName(connectionId: string): string {
    return `AIRFLOW_CONN_${connectionId.toUpperCase()}`;
}

/**
 * An Airflow `aws` connection URI for an S3-compatible store: keys as login and password,
 * `endpoint_url` and `region_name` as extras. Every part is URL-encoded.
 *
 * @example airflowConnectionUri("AK", "s/k", { endpoint: "http://minio:9000", secure: false, region: "us-east-1" })
 *   === "aws://AK:s%2Fk@/?endpoint_url=http%3A%2F%2Fminio%3A9000&region_name=us-east-1"
 */
export function airflowConnectionUri(
    accessKey: string,
    secretKey: string,
    endpoint: StorageEndpoint,
): string {
    const e = encodeURIComponent;
    return `aws://${e(accessKey)}:${e(secretKey)}@/?endpoint_url=${e(endpoint.endpoint)}&region_name=${e(endpoint.region)}`;
}

/** A storage whose domain rules hold, with what follows from it. */
export interface PlannedStorage {
    /** The storage's name, a key of `storages`. */
    name: string;
    spec: StorageSpec;
    /** The bucket, named or derived. */
    bucket: string;
    endpoint: StorageEndpoint;
    /** The credential Secret Koalja reads; none for a storage without `koalja`. */
    secretName?: string;
    /** Its entry in `koalja-s3-storage-config`; none without `koalja`. */
    entry?: string;
}

/**
 * The domain rules of one storage whose shape is checked: an endpoint with scheme, host and port
 * only; a bucket name S3 (and Cloud Storage) accepts, given when the bucket is not created.
 * Refusals name paths under `path`.
 */
export function planStorage(
    name: string,
    spec: StorageSpec,
    path: string,
    project: string,
    stack: string,
): PlannedStorage {
    if (spec.provider === "external") {
        checkEndpoint(spec.endpoint, joinPath(path, "endpoint"));
    } else if (spec.create === false && spec.bucket === undefined) {
        invalidInput({
            path: joinPath(path, "bucket"),
            given: spec.bucket,
            expected: "the name of the existing bucket when create is false",
            example: "acme-pipelines",
        });
    }
    const bucket = spec.bucket ?? defaultBucketName(project, stack, name);
    const problems = bucketNameProblems(bucket, spec.provider);
    if (problems.length > 0) {
        invalidInput({
            path: joinPath(path, "bucket"),
            given: bucket,
            expected: `a bucket name that ${problems.join(" and ")}`,
            example: "acme-pipelines-prod",
        });
    }
    const endpoint = storageEndpoint(spec);
    if (spec.provider !== "external" && spec.koalja === false) {
        if (name === "default") {
            invalidInput({
                path: joinPath(path, "koalja"),
                given: false,
                expected:
                    "a Koalja Secret for the default storage: Koalja reads koalja-s3-default-secrets",
                example: true,
            });
        }
        return { name, spec, bucket, endpoint };
    }
    const secretName = storageSecretName(name);
    return {
        name,
        spec,
        bucket,
        endpoint,
        secretName,
        entry: storageEntryYaml(bucket, endpoint, secretName),
    };
}

/** Koalja's driver connects to `<scheme>://<host>[:<port>]`: nothing more, nothing less. */
function checkEndpoint(endpoint: string, path: string): void {
    let url: URL | undefined;
    try {
        url = new URL(endpoint);
    } catch {
        url = undefined;
    }
    if (
        url === undefined ||
        (url.protocol !== "http:" && url.protocol !== "https:") ||
        url.host === "" ||
        !/^https?:\/\//i.test(endpoint)
    ) {
        invalidInput({
            path,
            given: endpoint,
            expected:
                "an endpoint URL with http:// or https:// (without one Koalja's driver cannot connect)",
            example: "http://minio.storage:9000",
        });
    }
    if (
        url.pathname !== "/" ||
        url.search !== "" ||
        url.hash !== "" ||
        url.username !== "" ||
        url.password !== ""
    ) {
        invalidInput({
            path,
            given: endpoint,
            expected:
                "scheme, host and port only: no path, query or credentials (keys go in accessKey and secretKey)",
            example: "https://s3.example.com",
        });
    }
}
