// What the sweep (sweep.test.ts) drives: each component with its generated args definition, its
// plan function, its constructor and a valid base to break one position of at a time.
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { readStackConfig } from "../../bin/render";
import {
    AirflowDeployment,
    planAirflowDeployment,
    type AirflowDeploymentArgs,
} from "../../components/airflow";
import {
    DagInstallerChart,
    planDagInstallerChart,
    planWorkflowExtension,
    WorkflowExtension,
    type DagInstallerChartArgs,
    type WorkflowExtensionArgs,
} from "../../components/dags";
import {
    PipelinePlatform,
    planPlatform,
    type PipelinePlatformArgs,
} from "../../components/platform";
import {
    planProcessingImage,
    ProcessingImage,
    type ProcessingImageArgs,
} from "../../components/images";
import {
    ContourIngress,
    KoaljaDomainConfig,
    PipelineIngress,
    planContourIngress,
    planKoaljaDomainConfig,
    planPipelineIngress,
    type ContourIngressArgs,
    type KoaljaDomainConfigArgs,
    type PipelineIngressArgs,
} from "../../components/ingress";
import {
    planRegistrySecret,
    RegistrySecret,
    type RegistrySecretArgs,
} from "../../components/registry";
import { planS3Storage, S3Storage, type S3StorageArgs } from "../../components/storage";
import { planProjectFence, ProjectFence, type ProjectFenceArgs } from "../../components/tenancy";
import {
    planWorkloadIdentity,
    WorkloadIdentity,
    type WorkloadIdentityArgs,
} from "../../components/identity";
import type { InvokeMock } from "../../components/testing";

export interface SweepSubject {
    kind: string;
    definition: string;
    plan(name: string, args: unknown): unknown;
    construct(name: string, args: unknown): unknown;
    /** A valid args value; every variant breaks one position of it. */
    base(): unknown;
    /** The sweep must reach at least this many variants (positions × hostile values). */
    minimumVariants: number;
    /** The sweep must reach at least this many secret (`@secret`) positions. */
    secretPositions?: number;
    invokes?: Record<string, InvokeMock>;
}

const context = path.relative(process.cwd(), path.join(__dirname, "../fixtures/images/context"));

export const SWEEP_SUBJECTS: SweepSubject[] = [
    {
        kind: "RegistrySecret",
        definition: "RegistrySecretArgs",
        plan: (name, args) => planRegistrySecret(name, args as RegistrySecretArgs),
        construct: (name, args) => new RegistrySecret(name, args as RegistrySecretArgs),
        base: () => ({
            registry: {
                location: "off-cluster",
                url: "https://registry.example.com/team",
                username: "robot",
                password: "sweep-sentinel-registry-password",
            },
            scope: "project",
            namespaces: ["project-a"],
            serviceAccounts: ["default"],
            testPullImage: "registry.example.com/team/hello:1.0.0",
            testPullTimeoutMs: 10000,
            secretName: "registry-project",
        }),
        minimumVariants: 80,
        secretPositions: 1,
    },
    {
        kind: "RegistrySecret",
        definition: "RegistrySecretArgs",
        plan: (name, args) => planRegistrySecret(name, args as RegistrySecretArgs),
        construct: (name, args) => new RegistrySecret(name, args as RegistrySecretArgs),
        base: () => ({
            registry: {
                location: "ecr",
                region: "eu-central-1",
                registryId: "123456789012",
                refreshInterval: "6h",
                auth: {
                    secretRef: {
                        name: "ecr-keys",
                        accessKeyIdKey: "id",
                        secretAccessKeyKey: "key",
                    },
                },
            },
            scope: "service",
            namespaces: ["services"],
            namespaceSelector: { team: "a" },
        }),
        minimumVariants: 80,
    },
    {
        kind: "ProcessingImage",
        definition: "ProcessingImageArgs",
        plan: (name, args) => planProcessingImage(name, args as ProcessingImageArgs),
        construct: (name, args) => new ProcessingImage(name, args as ProcessingImageArgs),
        base: () => ({
            context,
            dockerfile: path.join(context, "Dockerfile"),
            target: "runtime",
            buildArgs: { PYTHON_VERSION: "3.12" },
            platform: "linux/amd64",
            registry: {
                location: "gcr",
                url: "https://europe-west1-docker.pkg.dev/my-project/pipelines",
                workloadIdentity: {
                    projectId: "my-project-123",
                    clusterLocation: "europe-west1",
                    clusterName: "pipelines",
                    serviceAccount: { name: "reader" },
                },
            },
            name: "otsus-method",
            tag: "1.0.0",
            buildOnPreview: false,
            createRepository: true,
        }),
        minimumVariants: 100,
        secretPositions: 1,
    },
    {
        kind: "ContourIngress",
        definition: "ContourIngressArgs",
        plan: (name, args) => planContourIngress(name, args as ContourIngressArgs),
        construct: (name, args) => new ContourIngress(name, args as ContourIngressArgs),
        base: () => ({
            existing: false,
            ingressClassName: "contour-internal",
            namespace: "projectcontour",
            rootNamespaces: ["imaging", "genomics"],
        }),
        minimumVariants: 30,
    },
    {
        kind: "PipelineIngress",
        definition: "PipelineIngressArgs",
        plan: (name, args) => planPipelineIngress(name, args as PipelineIngressArgs),
        construct: (name, args) => new PipelineIngress(name, args as PipelineIngressArgs),
        base: () => ({
            pipeline: "otsu",
            namespace: "imaging",
            labels: { app: "prod" },
            domains: { "example.org": { selector: { app: "prod" } }, "example.com": {} },
            namespaceDomains: { genomics: { "genomics.example.org": {} } },
            service: { name: "otsu-frontend", port: 80 },
            tasks: [
                { task: "threshold", service: "otsu-threshold", port: 8080, replacePrefix: "/" },
            ],
            timeouts: { response: "60s", idle: "infinity" },
            tls: { clusterIssuer: "letsencrypt" },
            ingressClassName: pulumi.output("contour"),
        }),
        minimumVariants: 150,
    },
    {
        kind: "KoaljaDomainConfig",
        definition: "KoaljaDomainConfigArgs",
        plan: (name, args) => planKoaljaDomainConfig(name, args as KoaljaDomainConfigArgs),
        construct: (name, args) => new KoaljaDomainConfig(name, args as KoaljaDomainConfigArgs),
        base: () => ({
            namespace: "koalja-system",
            domains: { "example.org": { selector: { app: "prod" } }, "example.com": {} },
        }),
        minimumVariants: 40,
    },
    {
        kind: "S3Storage",
        definition: "S3StorageArgs",
        plan: (name, args) => planS3Storage(name, args as S3StorageArgs),
        construct: (name, args) => new S3Storage(name, args as S3StorageArgs),
        base: () => ({
            namespace: "koalja-system",
            storages: {
                default: {
                    provider: "external",
                    endpoint: "http://minio.storage:9000",
                    bucket: "pipelines",
                    accessKey: "sweep-sentinel-access-key",
                    secretKey: pulumi.secret("sweep-sentinel-secret-key"),
                    region: "us-east-1",
                },
                logs: { provider: "aws", region: "eu-west-1", bucket: "acme-logs", create: false },
                archive: {
                    provider: "gcp",
                    location: "EUROPE-WEST1",
                    project: "acme-data",
                    bucket: "acme-archive",
                    create: true,
                },
            },
            airflowConnectionId: "s3_logs",
            airflowStorage: "logs",
        }),
        minimumVariants: 120,
        secretPositions: 2,
    },
    {
        kind: "AirflowDeployment",
        definition: "AirflowDeploymentArgs",
        plan: (name, args) => planAirflowDeployment(name, args as AirflowDeploymentArgs),
        construct: (name, args) => new AirflowDeployment(name, args as AirflowDeploymentArgs),
        base: () => ({
            namespace: "airflow",
            releaseName: "airflow",
            executor: "KubernetesExecutor",
            airflowImage: { repository: "registry.example.com/platform/airflow", tag: "3.0.5-1" },
            imagePullSecrets: ["airflow-registry"],
            dags: { size: "5Gi", storageClassName: "efs-sc", accessModes: ["ReadWriteMany"] },
            database: { external: { secretName: "airflow-database" } },
            logs: {
                bucket: "pipeline-logs",
                prefix: "airflow/logs",
                connectionSecretName: "airflow-s3-logs",
                connectionId: "s3_logs",
            },
            ingress: {
                pipeline: "airflow",
                labels: { app: "prod" },
                domains: { "example.org": { selector: { app: "prod" } }, "example.com": {} },
                namespaceDomains: { airflow: { "internal.example.com": {} } },
                timeouts: { response: "60s", idle: "5m" },
                tls: { clusterIssuer: "letsencrypt" },
                ingressClassName: "contour",
            },
            projectNamespaces: ["imaging"],
            runConfig: {
                imagePullPolicy: "IfNotPresent",
                startupTimeoutSeconds: 600,
                serviceAccountName: "kedro",
                imagePullSecrets: ["project-registry"],
                volume: {
                    disabled: false,
                    storageClassName: "standard-rwo",
                    size: "10Gi",
                    accessModes: ["ReadWriteMany"],
                    owner: 1000,
                    mountPath: "/home/kedro/data",
                },
                secrets: [
                    {
                        deployType: "env",
                        deployTarget: "SQL_CONN",
                        secret: "airflow-secrets",
                        key: "sql_alchemy_conn",
                    },
                ],
                resources: {
                    __default__: {
                        nodeSelectors: { "cloud.google.com/gke-nodepool": "default-pool" },
                        labels: { running: "airflow" },
                        annotations: { "iam.amazonaws.com/role": "airflow" },
                        tolerations: [
                            {
                                key: "group",
                                operator: "Equal",
                                value: "data-processing",
                                effect: "NoExecute",
                                tolerationSeconds: 300,
                            },
                        ],
                        requests: { cpu: "1", memory: "1Gi" },
                        limits: { cpu: "2", memory: "2Gi" },
                    },
                },
            },
            values: { scheduler: { replicas: 2 }, config: { core: { parallelism: 64 } } },
            timeoutSeconds: 900,
        }),
        minimumVariants: 300,
    },
    {
        kind: "DagInstallerChart",
        definition: "DagInstallerChartArgs",
        plan: (name, args) => planDagInstallerChart(name, args as DagInstallerChartArgs),
        construct: (name, args) => new DagInstallerChart(name, args as DagInstallerChartArgs),
        base: () => ({
            image: { imageName: "registry.example.com/team/dag-otsus-method:1.0.0" },
            namespace: "services",
            imagePullSecrets: ["registry-service"],
            dagsClaimName: "airflow-dags",
            pluginsClaimName: "airflow-plugins",
            mountedScriptsClaimName: "airflow-scripts",
            action: "copy",
            releaseName: "otsus-method",
            backoffLimit: 1,
            env: { KAAPANA_BUILD_VERSION: "0.3.0" },
            values: { activeDeadlineSeconds: 900, resources: { limits: { memory: "1Gi" } } },
        }),
        minimumVariants: 110,
    },
    {
        kind: "WorkflowExtension",
        definition: "WorkflowExtensionArgs",
        plan: (name, args) => planWorkflowExtension(name, args as WorkflowExtensionArgs),
        construct: (name, args) => new WorkflowExtension(name, args as WorkflowExtensionArgs),
        base: () => ({
            version: "1.0.0",
            projectRegistry: {
                registry: { location: "ecr", region: "eu-central-1", registryId: "123456789012" },
                scope: "project",
                secretName: "registry-project",
            },
            serviceRegistry: {
                registry: {
                    location: "gcr",
                    url: "https://europe-west1-docker.pkg.dev/my-project/pipelines",
                    workloadIdentity: {
                        projectId: "my-project-123",
                        clusterLocation: "europe-west1",
                        clusterName: "pipelines",
                        serviceAccount: { name: "reader" },
                    },
                },
                scope: "service",
                secretName: "registry-service",
            },
            processingImages: [
                {
                    name: "otsus-method",
                    context,
                    dockerfile: path.join(context, "Dockerfile"),
                    target: "runtime",
                    buildArgs: { PYTHON_VERSION: "3.12" },
                    platform: "linux/amd64",
                    tag: "2.0.0",
                },
            ],
            installer: { context, name: "dag-otsus-method", buildArgs: { BASE: "python" } },
            namespace: "services",
            dagsClaimName: "airflow-dags",
            pluginsClaimName: "airflow-plugins",
            projectNamespaces: ["project-a"],
            extensionName: "otsus-method",
            buildOnPreview: false,
            createRepositories: true,
            values: { activeDeadlineSeconds: 900 },
        }),
        minimumVariants: 300,
        secretPositions: 1,
    },
    ...["dev", "staging", "prod"].map((stack): SweepSubject => ({
        kind: "PipelinePlatform",
        definition: "PipelinePlatformArgs",
        plan: (name, args) => planPlatform(name, args as PipelinePlatformArgs),
        construct: (name, args) => new PipelinePlatform(name, args as PipelinePlatformArgs),
        // The committed stack's config, as `stacks/index.ts` hands it over.
        base: () => {
            const settings = readStackConfig(path.join(__dirname, "../.."), stack);
            return {
                config: JSON.parse(settings.config["pipeline-platform:platform"]),
                secrets: Object.fromEntries(
                    Object.keys(settings.placeholders).map((key) => [
                        key.replace(/^pipeline-platform:/, ""),
                        `sweep-sentinel-${key}`,
                    ]),
                ),
                configPath: "pipeline-platform:platform",
            };
        },
        minimumVariants: 600,
        // The secrets map and each secure value the stack file declares.
        secretPositions: { dev: 4, staging: 1, prod: 2 }[stack],
    })),
    {
        kind: "ProjectFence",
        definition: "ProjectFenceArgs",
        plan: (name, args) => planProjectFence(name, args as ProjectFenceArgs),
        construct: (name, args) => new ProjectFence(name, args as ProjectFenceArgs),
        base: () => ({
            namespace: "imaging",
            services: [{ service: "segmentation", port: 80, targetPort: 8080 }],
            ingressController: {
                namespace: "projectcontour",
                podSelector: { "app.kubernetes.io/component": "envoy" },
            },
            airflow: {
                namespace: "pipeline-services",
                ingress: [{ port: 8793 }],
                egress: [{ port: 9125, protocol: "UDP" }],
            },
            sameNamespace: true,
            egress: {
                dns: {
                    namespace: "kube-system",
                    podSelector: { "k8s-app": "kube-dns" },
                    cidrs: ["169.254.20.10/32"],
                },
                kubernetesApi: { cidrs: ["172.20.0.0/16"], ports: [443] },
                to: [
                    {
                        endpoint: "https://s3.eu-central-1.amazonaws.com",
                        cidrs: ["0.0.0.0/0"],
                        except: ["169.254.169.254/32"],
                        ports: [{ port: 443 }],
                    },
                ],
            },
            taskProfiles: {
                __default__: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "4Gi" } },
            },
            limits: { max: { memory: "8Gi" } },
            quota: { tasks: 10 },
        }),
        minimumVariants: 250,
    },
    {
        kind: "WorkloadIdentity",
        definition: "WorkloadIdentityArgs",
        plan: (name, args) => planWorkloadIdentity(name, args as WorkloadIdentityArgs),
        construct: (name, args) => new WorkloadIdentity(name, args as WorkloadIdentityArgs),
        base: () => ({
            namespace: "pipeline-services",
            serviceAccounts: ["airflow-scheduler", "airflow-worker"],
            bucket: "pipeline-logs",
            prefix: "airflow/logs",
            cloud: {
                provider: "aws",
                oidcProviderArn:
                    "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC",
                roleName: "airflow-logs",
            },
        }),
        minimumVariants: 50,
    },
    {
        kind: "WorkloadIdentity",
        definition: "WorkloadIdentityArgs",
        plan: (name, args) => planWorkloadIdentity(name, args as WorkloadIdentityArgs),
        construct: (name, args) => new WorkloadIdentity(name, args as WorkloadIdentityArgs),
        base: () => ({
            namespace: "pipeline-services",
            serviceAccounts: ["airflow-worker"],
            bucket: "pipeline-logs",
            prefix: "airflow/logs",
            cloud: {
                provider: "gcp",
                project: "pipeline-platform-prod",
                accountId: "airflow-logs",
            },
        }),
        minimumVariants: 40,
    },
];
