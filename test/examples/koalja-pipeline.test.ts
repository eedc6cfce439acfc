import { parse } from "yaml";
import { assertValidManifests, isSecretInput } from "../../components/testing";
import { runExample as runExampleIn, named, typesAndNames } from "./run-example";

const secrets = {
    "koalja-pipeline:minioAccessKey": "minio-access",
    "koalja-pipeline:minioSecretKey": "minio/secret+key",
};

/** Runs the example as `pulumi up` would: from its own folder, with its stack config. */
function runExample(config: Record<string, string> = {}) {
    return runExampleIn("koalja-pipeline", { ...secrets, ...config }, Object.keys(secrets));
}

const HTTPPROXY = "kubernetes:projectcontour.io/v1:HTTPProxy";
const SECRET = "kubernetes:core/v1:Secret";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const labels = (component: string) => ({
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "pipeline-platform",
    "app.kubernetes.io/component": component,
});

describe("examples/koalja-pipeline", () => {
    test("declares Contour, the domain config, both pipeline ingresses and the storage", async () => {
        const result = await runExample();
        // Registration order follows Output resolution, so components are compared sorted.
        expect(typesAndNames(result.registrations, "pipeline-platform:")).toEqual([
            ["pipeline-platform:ingress:ContourIngress", "contour"],
            ["pipeline-platform:ingress:KoaljaDomainConfig", "domain-config"],
            ["pipeline-platform:ingress:PipelineIngress", "otsu"],
            ["pipeline-platform:ingress:PipelineIngress", "segmentation"],
            ["pipeline-platform:storage:S3Storage", "storage"],
        ]);
        expect(result.outputs).toEqual({
            ingressClassName: "contour",
            domainConfigMap: "koalja-domain-config",
            otsuUrl: "https://otsu.imaging.example.org",
            segmentationUrl: "http://segmentation.imaging.example.com",
            storageConfigMap: "koalja-s3-storage-config",
            storageSecrets: { default: "koalja-s3-default-secrets" },
            buckets: { default: "pipelines" },
        });
        await assertValidManifests(result.registrations);
    });

    test("the app=prod pipeline gets example.org with a cert-manager certificate; the other gets the default suffix without TLS", async () => {
        const result = await runExample();
        const otsu = named(result.registrations, HTTPPROXY, "otsu-proxy");
        expect(otsu.inputs.metadata).toEqual({
            name: "otsu",
            namespace: "imaging",
            labels: labels("ingress"),
            annotations: { "pulumi.com/waitFor": "jsonpath={.status.currentStatus}=valid" },
        });
        expect(otsu.inputs.spec).toEqual({
            ingressClassName: "contour",
            virtualhost: { fqdn: "otsu.imaging.example.org", tls: { secretName: "otsu-tls" } },
            routes: [
                {
                    conditions: [{ prefix: "/" }],
                    services: [{ name: "otsu-frontend", port: 80 }],
                    enableWebsockets: true,
                    timeoutPolicy: { response: "60s" },
                },
                {
                    conditions: [{ prefix: "/threshold" }],
                    services: [{ name: "otsu-threshold", port: 8080 }],
                    pathRewritePolicy: {
                        replacePrefix: [{ prefix: "/threshold", replacement: "/" }],
                    },
                    timeoutPolicy: { response: "60s" },
                },
            ],
        });
        const certificate = named(
            result.registrations,
            "kubernetes:cert-manager.io/v1:Certificate",
            "otsu-certificate",
        );
        expect(certificate.inputs.metadata).toEqual({
            name: "otsu-tls",
            namespace: "imaging",
            labels: labels("ingress"),
        });
        expect(certificate.inputs.spec).toEqual({
            secretName: "otsu-tls",
            dnsNames: ["otsu.imaging.example.org"],
            issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt" },
        });
        expect(otsu.dependencies).toContain(certificate.urn);

        const segmentation = named(result.registrations, HTTPPROXY, "segmentation-proxy");
        expect(segmentation.inputs.spec).toEqual({
            ingressClassName: "contour",
            virtualhost: { fqdn: "segmentation.imaging.example.com" },
            routes: [
                {
                    conditions: [{ prefix: "/" }],
                    services: [{ name: "segmentation-frontend", port: 80 }],
                    enableWebsockets: true,
                },
            ],
        });
        expect(
            result.registrations
                .filter((r) => r.type === "kubernetes:cert-manager.io/v1:Certificate")
                .map((r) => r.name),
        ).toEqual(["otsu-certificate"]);

        const contourRelease = named(
            result.registrations,
            "kubernetes:helm.sh/v3:Release",
            "contour-contour",
        );
        // The proxies' component waits for Contour's chart, which installs the HTTPProxy CRD.
        for (const pipeline of ["otsu", "segmentation"]) {
            expect(
                named(result.registrations, "pipeline-platform:ingress:PipelineIngress", pipeline)
                    .dependencies,
            ).toContain(contourRelease.urn);
        }
    });

    test("writes Koalja's koalja-domain-config with the prod selector and the empty default", async () => {
        const result = await runExample();
        const configMap = named(result.registrations, CONFIGMAP, "domain-config-config");
        expect(configMap.inputs.metadata).toEqual({
            name: "koalja-domain-config",
            namespace: "koalja-system",
            labels: labels("ingress"),
        });
        expect(configMap.inputs.data).toEqual({
            "example.com": "",
            "example.org": "selector:\n  app: prod\n",
        });
    });

    test("keeps the MinIO keys in a secret koalja-s3-default-secrets and names it in koalja-s3-storage-config", async () => {
        const result = await runExample();
        const secret = named(result.registrations, SECRET, "storage-default-secret");
        expect(secret.inputs.metadata).toEqual({
            name: "koalja-s3-default-secrets",
            namespace: "koalja-system",
            labels: labels("storage"),
        });
        expect(secret.inputs.type).toBe("aljabrio/koalja-flex-s3");
        expect(secret.inputs.data).toEqual({
            "access-key": Buffer.from("minio-access").toString("base64"),
            "secret-key": Buffer.from("minio/secret+key").toString("base64"),
        });
        expect([
            isSecretInput(secret, 'data["access-key"]'),
            isSecretInput(secret, 'data["secret-key"]'),
        ]).toEqual([true, true]);

        const configMap = named(result.registrations, CONFIGMAP, "storage-config");
        expect(configMap.inputs.metadata).toEqual({
            name: "koalja-s3-storage-config",
            namespace: "koalja-system",
            labels: labels("storage"),
        });
        expect(Object.keys(configMap.inputs.data)).toEqual(["default"]);
        expect(parse(configMap.inputs.data.default)).toEqual({
            name: "pipelines",
            endpoint: "http://minio.storage:9000",
            secretName: "koalja-s3-default-secrets",
            secure: false,
        });

        const connection = named(result.registrations, SECRET, "storage-airflow-connection");
        expect(connection.inputs.stringData).toEqual({
            AIRFLOW_CONN_S3_LOGS:
                "aws://minio-access:minio%2Fsecret%2Bkey@/?endpoint_url=http%3A%2F%2Fminio.storage%3A9000&region_name=us-east-1",
        });
        expect(isSecretInput(connection, "stringData.AIRFLOW_CONN_S3_LOGS")).toBe(true);

        const plain = JSON.stringify(
            result.registrations.filter((r) => r.type !== SECRET).map((r) => r.inputs),
        );
        expect([plain.includes("minio-access"), plain.includes("minio/secret+key")]).toEqual([
            false,
            false,
        ]);
        expect(result.registrations.filter((r) => r.type.startsWith("aws:"))).toEqual([]);
    });

    test("with archiveRegion set, adds an encrypted AWS bucket whose key reaches only that bucket", async () => {
        const result = await runExample({ "koalja-pipeline:archiveRegion": "eu-west-1" });
        expect(typesAndNames(result.registrations, "aws:")).toEqual([
            ["aws:iam/accessKey:AccessKey", "storage-archive-key"],
            ["aws:iam/user:User", "storage-archive-user"],
            ["aws:iam/userPolicy:UserPolicy", "storage-archive-policy"],
            ["aws:s3/bucket:Bucket", "storage-archive-bucket"],
            [
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "storage-archive-public-access",
            ],
            [
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "storage-archive-encryption",
            ],
            ["aws:s3/bucketVersioning:BucketVersioning", "storage-archive-versioning"],
        ]);
        expect(
            named(result.registrations, "aws:s3/bucket:Bucket", "storage-archive-bucket").inputs
                .bucket,
        ).toBe("koalja-pipeline-dev-archive");
        expect(
            JSON.parse(
                named(
                    result.registrations,
                    "aws:iam/userPolicy:UserPolicy",
                    "storage-archive-policy",
                ).inputs.policy,
            ).Statement.map((s: { Resource: string }) => s.Resource),
        ).toEqual([
            "arn:aws:s3:::koalja-pipeline-dev-archive",
            "arn:aws:s3:::koalja-pipeline-dev-archive/*",
        ]);
        const archive = named(result.registrations, SECRET, "storage-archive-secret");
        expect(archive.inputs.metadata.name).toBe("koalja-s3-archive-secrets");
        expect(archive.inputs.type).toBe("aljabrio/koalja-flex-s3");
        expect([
            isSecretInput(archive, 'data["access-key"]'),
            isSecretInput(archive, 'data["secret-key"]'),
        ]).toEqual([true, true]);
        const configMap = named(result.registrations, CONFIGMAP, "storage-config");
        expect(parse(configMap.inputs.data.archive)).toEqual({
            name: "koalja-pipeline-dev-archive",
            endpoint: "https://s3.eu-west-1.amazonaws.com",
            secretName: "koalja-s3-archive-secrets",
            secure: true,
        });
        expect(result.outputs.storageSecrets).toEqual({
            default: "koalja-s3-default-secrets",
            archive: "koalja-s3-archive-secrets",
        });
        await assertValidManifests(result.registrations);
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
