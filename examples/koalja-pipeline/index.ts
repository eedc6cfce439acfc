// Koalja's pipeline front door as one Pulumi program: Contour serving one HTTPProxy per pipeline,
// hostnames from Koalja's domain-suffix rule (pipelines labelled app=prod under example.org, every
// other pipeline under example.com), TLS from cert-manager for the production pipeline, and the
// S3 storages Koalja's tasks read and write.
// A user's program imports from "pipeline-platform"; inside this repository the package is "../../components".
import * as pulumi from "@pulumi/pulumi";
import {
    ContourIngress,
    KoaljaDomainConfig,
    PipelineIngress,
    S3Storage,
    type DomainConfig,
    type StorageSpec,
} from "../../components";

const config = new pulumi.Config();
const namespace = config.get("namespace") ?? "imaging";
const clusterIssuer = config.get("clusterIssuer") ?? "letsencrypt";

// Koalja's `koalja-domain-config`: the most specific matching selector wins; example.com is the default.
const domains: DomainConfig = {
    "example.org": { selector: { app: "prod" } },
    "example.com": {},
};

const contour = new ContourIngress("contour", { ingressClassName: "contour" });

// The same suffixes as a ConfigMap in koalja-system, for Koalja's own controller to read.
const domainConfig = new KoaljaDomainConfig("domain-config", { domains });

// The production pipeline: example.org, HTTPS with a certificate cert-manager issues and renews.
const otsu = new PipelineIngress(
    "otsu",
    {
        pipeline: "otsu",
        namespace,
        labels: { app: "prod" },
        domains,
        service: { name: "otsu-frontend", port: 80 },
        tasks: [{ task: "threshold", service: "otsu-threshold", port: 8080, replacePrefix: "/" }],
        timeouts: { response: "60s" },
        tls: { clusterIssuer },
        ingressClassName: contour.ingressClassName,
    },
    { dependsOn: [contour] },
);

// A pipeline still in development: no app=prod label, so the default suffix, plain HTTP.
const segmentation = new PipelineIngress(
    "segmentation",
    {
        pipeline: "segmentation",
        namespace,
        labels: { app: "dev" },
        domains,
        service: { name: "segmentation-frontend", port: 80 },
        ingressClassName: contour.ingressClassName,
    },
    { dependsOn: [contour] },
);

// Koalja's `default` storage is an in-cluster MinIO whose keys come from secret config. Setting
// `archiveRegion` adds an AWS bucket with its own least-privilege key (needs AWS credentials).
const storages: Record<string, StorageSpec> = {
    default: {
        provider: "external",
        endpoint: config.get("minioEndpoint") ?? "http://minio.storage:9000",
        bucket: config.get("minioBucket") ?? "pipelines",
        accessKey: config.requireSecret("minioAccessKey"),
        secretKey: config.requireSecret("minioSecretKey"),
    },
};
const archiveRegion = config.get("archiveRegion");
if (archiveRegion !== undefined) {
    storages.archive = { provider: "aws", region: archiveRegion };
}
const storage = new S3Storage("storage", { storages });

export const ingressClassName = contour.ingressClassName;
export const domainConfigMap = domainConfig.configMapName;
export const otsuUrl = otsu.url;
export const segmentationUrl = segmentation.url;
export const storageConfigMap = storage.configMapName;
export const storageSecrets = storage.secretNames;
export const buckets = storage.buckets;
