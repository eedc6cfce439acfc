import type * as pulumi from "@pulumi/pulumi";
import { S3Storage, type S3StorageArgs } from "../../components/storage";
import {
    assertValidManifests,
    defaultState,
    isSecretInput,
    runProgram,
    type Registration,
} from "../../components/testing";

const labels = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "pipeline-platform",
    "app.kubernetes.io/component": "storage",
};
const tags = { "managed-by": "pulumi", "part-of": "pipeline-platform", component: "storage" };

function storage(args: S3StorageArgs) {
    return runProgram(() => {
        const s = new S3Storage("s3", args);
        return {
            namespace: s.namespace,
            configMapName: s.configMapName,
            secretNames: s.secretNames,
            buckets: s.buckets,
            endpoints: s.endpoints,
            airflowConnectionSecretName: s.airflowConnectionSecretName,
            airflowConnectionId: s.airflowConnectionId,
            airflowConnectionSecretKey: s.airflowConnectionSecretKey,
            airflowStorage: s.airflowStorage,
        };
    });
}

const byName = (registrations: Registration[], name: string) =>
    registrations.find((r) => r.name === name) as Registration;
const decode = (data: Record<string, string>) =>
    Object.fromEntries(
        Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
    );
/** The outputs the mock provider computes for a credential resource: all strings. */
const computed = (type: string, name: string) =>
    defaultState({
        type,
        name,
        inputs: {},
    } as unknown as pulumi.runtime.MockResourceArgs) as Record<string, string>;

/** Every resource ARN a policy grants anything on. */
function policyResources(policy: string): string[] {
    const statements = JSON.parse(policy).Statement as Array<{
        Effect: string;
        Resource: string | string[];
    }>;
    expect(statements.every((s) => s.Effect === "Allow")).toBe(true);
    return statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
}

describe("S3Storage on AWS", () => {
    const args: S3StorageArgs = { storages: { default: { provider: "aws", region: "eu-west-1" } } };

    test("creates an encrypted, versioned, private bucket and a user whose policy reaches only that bucket", async () => {
        const result = await storage(args);
        expect(result.registrations.map((r) => [r.type, r.name]).sort()).toEqual([
            ["aws:iam/accessKey:AccessKey", "s3-default-key"],
            ["aws:iam/user:User", "s3-default-user"],
            ["aws:iam/userPolicy:UserPolicy", "s3-default-policy"],
            ["aws:s3/bucket:Bucket", "s3-default-bucket"],
            ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "s3-default-public-access"],
            [
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "s3-default-encryption",
            ],
            ["aws:s3/bucketVersioning:BucketVersioning", "s3-default-versioning"],
            ["kubernetes:core/v1:ConfigMap", "s3-config"],
            ["kubernetes:core/v1:Secret", "s3-airflow-connection"],
            ["kubernetes:core/v1:Secret", "s3-default-secret"],
            ["pipeline-platform:storage:S3Storage", "s3"],
        ]);
        const component = byName(result.registrations, "s3");
        expect(
            result.registrations
                .filter((r) => r !== component)
                .every((r) => r.parent === component.urn),
        ).toBe(true);

        const bucket = "pipeline-platform-test-default";
        expect(byName(result.registrations, "s3-default-bucket").inputs).toEqual({
            bucket,
            region: "eu-west-1",
            tags,
        });
        expect(byName(result.registrations, "s3-default-encryption").inputs).toEqual({
            bucket,
            region: "eu-west-1",
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        });
        expect(byName(result.registrations, "s3-default-versioning").inputs).toEqual({
            bucket,
            region: "eu-west-1",
            versioningConfiguration: { status: "Enabled" },
        });
        expect(byName(result.registrations, "s3-default-public-access").inputs).toEqual({
            bucket,
            region: "eu-west-1",
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        const user = `koalja-s3-${bucket}`;
        expect(byName(result.registrations, "s3-default-user").inputs).toEqual({
            name: user,
            tags,
        });
        const policy = byName(result.registrations, "s3-default-policy");
        expect(policy.inputs.user).toBe(user);
        expect(policyResources(policy.inputs.policy)).toEqual([
            `arn:aws:s3:::${bucket}`,
            `arn:aws:s3:::${bucket}/*`,
        ]);
        expect(byName(result.registrations, "s3-default-key").inputs).toEqual({ user });
        expect(byName(result.registrations, "s3-default-key").dependencies).toContain(policy.urn);

        const secret = byName(result.registrations, "s3-default-secret");
        expect(secret.inputs.metadata).toEqual({
            name: "koalja-s3-default-secrets",
            namespace: "koalja-system",
            labels,
        });
        expect(secret.inputs.type).toBe("aljabrio/koalja-flex-s3");
        const keySecret = computed("aws:iam/accessKey:AccessKey", "s3-default-key").secret;
        expect(decode(secret.inputs.data)).toEqual({
            "access-key": "s3-default-key-id",
            "secret-key": keySecret,
        });
        expect(isSecretInput(secret, 'data["access-key"]')).toBe(true);
        expect(isSecretInput(secret, 'data["secret-key"]')).toBe(true);

        expect(byName(result.registrations, "s3-config").inputs).toEqual({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "koalja-s3-storage-config", namespace: "koalja-system", labels },
            data: {
                default: `name: ${bucket}\nendpoint: https://s3.eu-west-1.amazonaws.com\nsecretName: koalja-s3-default-secrets\nsecure: true\n`,
            },
        });

        const connection = byName(result.registrations, "s3-airflow-connection");
        expect(connection.inputs).toEqual({
            apiVersion: "v1",
            kind: "Secret",
            type: "Opaque",
            metadata: { name: "airflow-conn-s3-logs", namespace: "koalja-system", labels },
            stringData: {
                AIRFLOW_CONN_S3_LOGS: `aws://s3-default-key-id:${encodeURIComponent(keySecret)}@/?endpoint_url=https%3A%2F%2Fs3.eu-west-1.amazonaws.com&region_name=eu-west-1`,
            },
        });
        expect(isSecretInput(connection, "stringData.AIRFLOW_CONN_S3_LOGS")).toBe(true);

        expect(result.outputs).toEqual({
            namespace: "koalja-system",
            configMapName: "koalja-s3-storage-config",
            secretNames: { default: "koalja-s3-default-secrets" },
            buckets: { default: bucket },
            endpoints: { default: "https://s3.eu-west-1.amazonaws.com" },
            airflowConnectionSecretName: "airflow-conn-s3-logs",
            airflowConnectionId: "s3_logs",
            airflowConnectionSecretKey: "AIRFLOW_CONN_S3_LOGS",
            airflowStorage: "default",
        });
        expect(result.secretOutputs).toEqual([]);
        await assertValidManifests(result.registrations);
    });

    test("uses an existing bucket when create is false, scoping the policy to it in its partition", async () => {
        const result = await storage({
            storages: {
                default: {
                    provider: "aws",
                    region: "cn-north-1",
                    bucket: "acme-pipelines",
                    create: false,
                },
            },
        });
        expect(result.registrations.filter((r) => r.type.startsWith("aws:s3/"))).toEqual([]);
        const policy = byName(result.registrations, "s3-default-policy");
        expect(policyResources(policy.inputs.policy)).toEqual([
            "arn:aws-cn:s3:::acme-pipelines",
            "arn:aws-cn:s3:::acme-pipelines/*",
        ]);
        expect(result.outputs.buckets).toEqual({ default: "acme-pipelines" });
        expect(result.outputs.endpoints).toEqual({
            default: "https://s3.cn-north-1.amazonaws.com",
        });
    });

    test("registers identical inputs on two evaluations", async () => {
        const first = await storage(args);
        const second = await storage(args);
        expect(second.registrations).toEqual(first.registrations);
    });
});

describe("S3Storage on GCP", () => {
    test("creates a private versioned bucket, a service account granted on that bucket only, and an HMAC key", async () => {
        const result = await storage({
            storages: {
                default: {
                    provider: "gcp",
                    location: "EUROPE-WEST1",
                    project: "acme-data",
                    bucket: "acme-pipelines",
                },
            },
        });
        expect(
            result.registrations
                .filter((r) => r.type.startsWith("gcp:"))
                .map((r) => [r.type, r.name])
                .sort(),
        ).toEqual([
            ["gcp:serviceaccount/account:Account", "s3-default-account"],
            ["gcp:storage/bucket:Bucket", "s3-default-bucket"],
            ["gcp:storage/bucketIAMMember:BucketIAMMember", "s3-default-access"],
            ["gcp:storage/hmacKey:HmacKey", "s3-default-hmac"],
        ]);
        expect(byName(result.registrations, "s3-default-bucket").inputs).toEqual({
            name: "acme-pipelines",
            location: "EUROPE-WEST1",
            project: "acme-data",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: true },
            labels: tags,
        });
        const account = byName(result.registrations, "s3-default-account");
        expect(account.inputs).toEqual({
            accountId: "ks3-default-21a0f5",
            displayName: "pipeline-platform S3 access to acme-pipelines",
            project: "acme-data",
        });
        const email = "ks3-default-21a0f5@acme-data.iam.gserviceaccount.com";
        const grants = result.registrations.filter(
            (r) => r.type.startsWith("gcp:storage/bucketIAM") || r.type.startsWith("gcp:projects/"),
        );
        expect(grants.map((r) => r.inputs)).toEqual([
            {
                bucket: "acme-pipelines",
                role: "roles/storage.objectAdmin",
                member: `serviceAccount:${email}`,
            },
        ]);
        expect(byName(result.registrations, "s3-default-hmac").inputs).toEqual({
            serviceAccountEmail: email,
            project: "acme-data",
        });

        const hmac = computed("gcp:storage/hmacKey:HmacKey", "s3-default-hmac");
        const secret = byName(result.registrations, "s3-default-secret");
        expect(decode(secret.inputs.data)).toEqual({
            "access-key": hmac.accessId,
            "secret-key": hmac.secret,
        });
        expect(secret.secretPaths).toEqual(["data"]);
        expect(byName(result.registrations, "s3-config").inputs.data).toEqual({
            default:
                "name: acme-pipelines\nendpoint: https://storage.googleapis.com\nsecretName: koalja-s3-default-secrets\nsecure: true\n",
        });
        expect(byName(result.registrations, "s3-airflow-connection").inputs.stringData).toEqual({
            AIRFLOW_CONN_S3_LOGS: `aws://${hmac.accessId}:${encodeURIComponent(hmac.secret)}@/?endpoint_url=https%3A%2F%2Fstorage.googleapis.com&region_name=auto`,
        });
        await assertValidManifests(result.registrations);
    });
});

describe("S3Storage with a storage only workload identities reach (koalja: false)", () => {
    test.each([
        [
            "AWS",
            { provider: "aws", region: "eu-central-1", bucket: "acme-logs", koalja: false },
            [
                ["aws:s3/bucket:Bucket", "s3-logs-bucket"],
                ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "s3-logs-public-access"],
                [
                    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                    "s3-logs-encryption",
                ],
                ["aws:s3/bucketVersioning:BucketVersioning", "s3-logs-versioning"],
            ],
            "https://s3.eu-central-1.amazonaws.com",
        ],
        [
            "GCP",
            { provider: "gcp", location: "EUROPE-WEST4", bucket: "acme-logs", koalja: false },
            [["gcp:storage/bucket:Bucket", "s3-logs-bucket"]],
            "https://storage.googleapis.com",
        ],
    ] as const)(
        "on %s: the bucket alone, no user, key, Secret or Koalja entry, and no Airflow connection",
        async (_cloud, logs, bucketResources, endpoint) => {
            const result = await storage({
                storages: {
                    default: {
                        provider: "external",
                        endpoint: "http://minio.minio.svc:9000",
                        bucket: "pipelines",
                        accessKey: "not-a-real-access-key",
                        secretKey: "not-a-real-secret-key",
                    },
                    logs: logs as S3StorageArgs["storages"][string],
                },
                airflowStorage: "logs",
                airflowConnection: false,
            });
            expect(
                result.registrations
                    .filter(
                        (r) => r.name.startsWith("s3-logs") || r.name === "s3-airflow-connection",
                    )
                    .map((r) => [r.type, r.name])
                    .sort(),
            ).toEqual(bucketResources);
            expect(Object.keys(byName(result.registrations, "s3-config").inputs.data)).toEqual([
                "default",
            ]);
            expect(result.outputs).toEqual({
                namespace: "koalja-system",
                configMapName: "koalja-s3-storage-config",
                secretNames: { default: "koalja-s3-default-secrets" },
                buckets: { default: "pipelines", logs: "acme-logs" },
                endpoints: { default: "http://minio.minio.svc:9000", logs: endpoint },
                airflowConnectionSecretName: undefined,
                airflowConnectionId: "s3_logs",
                airflowConnectionSecretKey: undefined,
                airflowStorage: "logs",
            });
            await assertValidManifests(result.registrations);
        },
    );
});

describe("S3Storage with an external store", () => {
    const args: S3StorageArgs = {
        namespace: "storage",
        airflowConnectionId: "minio_logs",
        airflowStorage: "logs",
        storages: {
            default: {
                provider: "external",
                endpoint: "http://minio.storage:9000",
                bucket: "pipelines",
                accessKey: "minio",
                secretKey: "minio/secret",
            },
            logs: {
                provider: "external",
                endpoint: "https://s3.example.com",
                bucket: "airflow-logs",
                accessKey: "logger",
                secretKey: "s3cr3t",
                region: "eu-central-1",
            },
        },
    };

    test("writes one Secret per storage and one ConfigMap entry each, with secure from the scheme", async () => {
        const result = await storage(args);
        expect(
            result.registrations.filter((r) => !r.type.startsWith("kubernetes:") && r.custom),
        ).toEqual([]);
        expect(decode(byName(result.registrations, "s3-default-secret").inputs.data)).toEqual({
            "access-key": "minio",
            "secret-key": "minio/secret",
        });
        const logs = byName(result.registrations, "s3-logs-secret");
        expect(logs.inputs.metadata.name).toBe("koalja-s3-logs-secrets");
        expect(decode(logs.inputs.data)).toEqual({
            "access-key": "logger",
            "secret-key": "s3cr3t",
        });
        expect(isSecretInput(logs, "data")).toBe(true);
        expect(byName(result.registrations, "s3-config").inputs.data).toEqual({
            default:
                "name: pipelines\nendpoint: http://minio.storage:9000\nsecretName: koalja-s3-default-secrets\nsecure: false\n",
            logs: "name: airflow-logs\nendpoint: https://s3.example.com\nsecretName: koalja-s3-logs-secrets\nsecure: true\n",
        });
        const connection = byName(result.registrations, "s3-airflow-connection");
        expect(connection.inputs.metadata.name).toBe("airflow-conn-minio-logs");
        expect(connection.inputs.stringData).toEqual({
            AIRFLOW_CONN_MINIO_LOGS:
                "aws://logger:s3cr3t@/?endpoint_url=https%3A%2F%2Fs3.example.com&region_name=eu-central-1",
        });
        expect(result.outputs).toMatchObject({
            namespace: "storage",
            secretNames: { default: "koalja-s3-default-secrets", logs: "koalja-s3-logs-secrets" },
            buckets: { default: "pipelines", logs: "airflow-logs" },
            endpoints: { default: "http://minio.storage:9000", logs: "https://s3.example.com" },
            airflowConnectionSecretName: "airflow-conn-minio-logs",
            airflowConnectionId: "minio_logs",
            airflowConnectionSecretKey: "AIRFLOW_CONN_MINIO_LOGS",
            airflowStorage: "logs",
        });
        await assertValidManifests(result.registrations);
    });

    test("registers identical inputs on two evaluations", async () => {
        const first = await storage(args);
        const second = await storage(args);
        expect(second.registrations).toEqual(first.registrations);
    });
});
