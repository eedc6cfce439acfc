// Everything the package can produce, as programs the guarantee tests run under the mock engine:
// component programs that give every credential input a sentinel, every example, and every stack.
// Used in-process by the jest tests and in child processes by programs/evaluate.ts.
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { AirflowDeployment, remoteLogsFromStorage } from "../../components/airflow";
import { DagInstallerChart, WorkflowExtension } from "../../components/dags";
import { ProcessingImage } from "../../components/images";
import { ContourIngress, KoaljaDomainConfig, PipelineIngress } from "../../components/ingress";
import { PipelinePlatform, type PlatformConfig } from "../../components/platform";
import { RegistrySecret, type RegistryLocation } from "../../components/registry";
import { S3Storage } from "../../components/storage";
import { readStackConfig, STACK_INVOKES } from "../../bin/render";
import { evaluateProgram } from "../../bin/render/load-program";
import { runProgram, type EngineOptions, type EngineResult } from "../../components/testing";
import { evaluatedStack, once } from "../support/evaluations";
import { stackNames } from "../support/names";
import { evaluateFresh } from "../support/program-file";

export const ROOT = path.join(__dirname, "../..");

/** A program the guarantees are checked on, with the credential stand-ins it was given. */
export interface Subject {
    /** `component:<name>`, `example:<folder>` or `stack:<env>`. */
    name: string;
    /** Every credential the program was given, as a sentinel (clear text; base64 forms are derived). */
    sentinels: string[];
    /** Credentials the program may receive from data sources (registry tokens); scanned for, need not appear. */
    minted?: string[];
    run(): Promise<EngineResult<Record<string, unknown>>>;
}

/** Sentinels: unmistakable, and long enough that their base64 forms cannot occur by chance. */
const sentinel = (what: string) => `SENTINEL-${what}-5b1d0c7e`;
const REGISTRY_USER = "robot-pipelines";
const REGISTRY_PASSWORD = sentinel("registry-password");
const GCR_PRIVATE_KEY = sentinel("gcr-private-key");
const GCR_KEY = JSON.stringify({
    type: "service_account",
    client_email: "reader@my-project-123.iam.gserviceaccount.com",
    private_key: GCR_PRIVATE_KEY,
});
const ECR_TOKEN = sentinel("ecr-token");
const S3_ACCESS_KEY = sentinel("s3-access-key");
const S3_SECRET_KEY = sentinel("s3-secret-key");
const EXTENSION_PASSWORD = sentinel("extension-registry-password");

const context = () => path.relative(process.cwd(), path.join(ROOT, "test/fixtures/images/context"));
// Passed as plain strings on purpose: the components must make them secret themselves.
const offCluster = (password: string): RegistryLocation => ({
    location: "off-cluster",
    url: "https://registry.example.com:5000/team",
    username: REGISTRY_USER,
    password,
});
const INVOKES: EngineOptions["invokes"] = {
    ...STACK_INVOKES,
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": () => ({
        userName: "AWS",
        password: ECR_TOKEN,
        authorizationToken: "",
        proxyEndpoint: "https://123456789012.dkr.ecr.eu-central-1.amazonaws.com",
    }),
};
/** The registry tokens render's data-source answers carry. */
const STACK_TOKENS = ["[secret:ecr-authorization-token]", "[secret:gcp-access-token]"];

/** The Output fields of components, as a program's stack outputs (`<resource>.<field>`). */
function outputsOf(components: Record<string, pulumi.Resource>): Record<string, unknown> {
    const outputs: Record<string, unknown> = {};
    for (const [resource, component] of Object.entries(components)) {
        for (const [field, value] of Object.entries(component)) {
            if (
                field !== "urn" &&
                !field.startsWith("__") &&
                (pulumi.Output.isInstance(value) ||
                    (value && typeof value === "object" && !pulumi.Resource.isInstance(value)))
            ) {
                outputs[`${resource}.${field}`] = value;
            }
        }
    }
    return outputs;
}

const component = (
    name: string,
    sentinels: string[],
    build: () => Record<string, pulumi.Resource>,
    preview = false,
): Subject => ({
    name: `component:${name}`,
    sentinels,
    run: () =>
        runProgram(() => outputsOf(build()), {
            preview,
            invokes: INVOKES,
            project: "guarantees",
            stack: "test",
        }),
});

const projectStorage = {
    provider: "external" as const,
    endpoint: "https://s3.example.com",
    bucket: "pipelines",
    accessKey: S3_ACCESS_KEY,
    secretKey: S3_SECRET_KEY,
};

export const COMPONENT_SUBJECTS: Subject[] = [
    component(
        "registry-off-cluster",
        [REGISTRY_PASSWORD, `${REGISTRY_USER}:${REGISTRY_PASSWORD}`],
        () => ({
            registry: new RegistrySecret("registry", {
                registry: offCluster(REGISTRY_PASSWORD),
                scope: "project",
                namespaces: ["imaging", "analytics"],
                serviceAccounts: ["default", "airflow/airflow-worker"],
            }),
        }),
    ),
    component("registry-gcr-key", [GCR_PRIVATE_KEY], () => ({
        registry: new RegistrySecret("gcr", {
            registry: {
                location: "gcr",
                url: "https://europe-west4-docker.pkg.dev/my-project-123/pipelines",
                serviceAccountKey: GCR_KEY,
            },
            scope: "service",
            namespaces: ["services"],
        }),
    })),
    component("registry-ecr-selector", [], () => ({
        registry: new RegistrySecret("ecr", {
            registry: {
                location: "ecr",
                region: "eu-central-1",
                registryId: "123456789012",
                auth: { secretRef: { name: "ecr-static-keys" } },
            },
            scope: "project",
            namespaces: [],
            namespaceSelector: { "pipeline-platform.io/namespace-role": "project" },
        }),
    })),
    component("registry-gcr-workload-identity", [], () => ({
        registry: new RegistrySecret("gcr-wi", {
            registry: {
                location: "gcr",
                workloadIdentity: {
                    projectId: "my-project-123",
                    clusterLocation: "europe-west4",
                    clusterName: "pipelines",
                    serviceAccount: { name: "registry-reader" },
                },
            },
            scope: "service",
            namespaces: ["services"],
        }),
    })),
    component("image-off-cluster", [REGISTRY_PASSWORD], () => ({
        image: new ProcessingImage("otsus", {
            context: context(),
            registry: offCluster(REGISTRY_PASSWORD),
            name: "otsus-method",
            tag: "1.0.0",
            buildArgs: { PYTHON_VERSION: "3.12" },
        }),
    })),
    component("image-ecr", [ECR_TOKEN], () => ({
        image: new ProcessingImage("otsus", {
            context: context(),
            registry: { location: "ecr", region: "eu-central-1", registryId: "123456789012" },
            name: "otsus-method",
            tag: "1.0.0",
            createRepository: true,
        }),
    })),
    component("image-artifact-registry", [GCR_PRIVATE_KEY], () => ({
        image: new ProcessingImage("otsus", {
            context: context(),
            registry: {
                location: "gcr",
                url: "https://europe-west4-docker.pkg.dev/my-project-123/pipelines",
                serviceAccountKey: GCR_KEY,
            },
            name: "otsus-method",
            tag: "1.0.0",
            createRepository: true,
        }),
    })),
    component("dag-installer", [], () => ({
        installer: new DagInstallerChart("installer", {
            image: { imageName: "registry.example.com/team/dag-otsus-method:1.0.0" },
            namespace: "services",
            imagePullSecrets: ["registry-service"],
            dagsClaimName: "airflow-dags",
            pluginsClaimName: "airflow-plugins",
        }),
    })),
    component("workflow-extension", [EXTENSION_PASSWORD], () => ({
        extension: new WorkflowExtension("otsus-method", {
            version: "1.0.0",
            projectRegistry: {
                registry: offCluster(EXTENSION_PASSWORD),
                scope: "project",
                secretName: "registry-project",
            },
            serviceRegistry: {
                registry: offCluster(EXTENSION_PASSWORD),
                scope: "service",
                secretName: "registry-service",
            },
            processingImages: [{ name: "otsus-method", context: context() }],
            installer: { context: context() },
            namespace: "services",
            dagsClaimName: "airflow-dags",
            projectNamespaces: ["imaging"],
        }),
    })),
    component("contour", [], () => ({
        contour: new ContourIngress("contour", { rootNamespaces: ["imaging", "services"] }),
    })),
    component("pipeline-ingress", [], () => ({
        ingress: new PipelineIngress("segmentation", {
            pipeline: "segmentation",
            namespace: "imaging",
            labels: { visibility: "public" },
            domains: {
                "example.com": {},
                "public.example.com": { selector: { visibility: "public" } },
            },
            service: { name: "segmentation", port: 8080 },
            tasks: [{ task: "otsu", service: "otsu-task", port: 8080, replacePrefix: "/" }],
            timeouts: { response: "60s" },
            tls: { clusterIssuer: "letsencrypt" },
            ingressClassName: "contour",
        }),
        domains: new KoaljaDomainConfig("domains", { domains: { "example.com": {} } }),
    })),
    component("storage-external", [S3_ACCESS_KEY, S3_SECRET_KEY], () => ({
        storage: new S3Storage("storage", { storages: { default: projectStorage } }),
    })),
    component("storage-aws", [], () => ({
        storage: new S3Storage("storage", {
            storages: {
                default: { provider: "aws", region: "eu-central-1" },
                logs: { provider: "aws", region: "eu-central-1", bucket: "acme-logs" },
            },
            airflowStorage: "logs",
        }),
    })),
    component("storage-gcp", [], () => ({
        storage: new S3Storage("storage", {
            storages: {
                default: { provider: "gcp", location: "EUROPE-WEST4", project: "my-project-123" },
            },
        }),
    })),
    component("airflow", [S3_ACCESS_KEY, S3_SECRET_KEY], () => {
        const storage = new S3Storage("storage", {
            namespace: "airflow",
            storages: { default: projectStorage },
        });
        const airflow = new AirflowDeployment("airflow", {
            namespace: "airflow",
            airflowImage: { repository: "registry.example.com/platform/airflow", tag: "3.0.5-1" },
            imagePullSecrets: ["airflow-registry"],
            dags: { size: "5Gi", storageClassName: "efs-sc" },
            database: { external: { secretName: "airflow-database" } },
            logs: remoteLogsFromStorage(storage),
            ingress: {
                domains: { "example.com": {} },
                tls: { clusterIssuer: "letsencrypt" },
                ingressClassName: "contour",
            },
            projectNamespaces: ["imaging", "analytics"],
            runConfig: {
                podExec: true,
                serviceAccountName: "airflow",
                imagePullSecrets: ["registry-project"],
                volume: { size: "1Gi", owner: 1000 },
                secrets: [
                    {
                        deployTarget: "SQL_CONN",
                        secret: "airflow-secrets",
                        key: "sql_alchemy_conn",
                    },
                    { deployType: "volume", deployTarget: "/var/secrets/gcp", secret: "gcp-key" },
                ],
                resources: {
                    __default__: {
                        requests: { cpu: "500m", memory: "1Gi" },
                        tolerations: [{ key: "group", operator: "Exists", effect: "NoSchedule" }],
                    },
                    huge_machines: {
                        nodeSelectors: { pool: "huge" },
                        requests: { cpu: "16", memory: "128Gi" },
                    },
                },
            },
        });
        return { storage, airflow };
    }),
];

/** Runs a program from its own folder, as `pulumi up` would. */
async function inFolder<T>(folder: string, run: () => Promise<T>): Promise<T> {
    const cwd = process.cwd();
    process.chdir(folder);
    try {
        return await run();
    } finally {
        process.chdir(cwd);
    }
}

/** An example run from its own folder, as `pulumi up -s dev` would, with the given secure config. */
function example(
    folder: string,
    secrets: Record<string, string>,
    sentinels: string[],
    config: Record<string, string> = {},
): Subject {
    const dir = path.join(ROOT, "examples", folder);
    const qualified = (values: Record<string, string>) =>
        Object.fromEntries(Object.entries(values).map(([k, v]) => [`${folder}:${k}`, v]));
    return {
        name: `example:${folder}`,
        sentinels,
        run: () =>
            inFolder(dir, () =>
                runProgram(() => ({ ...evaluateFresh(path.join(dir, "index.ts")) }), {
                    project: folder,
                    stack: "dev",
                    preview: false,
                    config: { ...qualified(config), ...qualified(secrets) },
                    secretConfigKeys: Object.keys(qualified(secrets)),
                }),
            ),
    };
}

const EXAMPLE_PASSWORD = sentinel("example-registry-password");
const KEDRO_PASSWORD = sentinel("kedro-registry-password");
const MINIO_ACCESS_KEY = sentinel("minio-access-key");
const MINIO_SECRET_KEY = sentinel("minio-secret-key");

/** Every folder in examples/ with its config; the leak test fails when a folder is missing here. */
export const EXAMPLE_SUBJECTS: Subject[] = [
    example(
        "kedro-airflow",
        { registryPassword: KEDRO_PASSWORD },
        [KEDRO_PASSWORD, `robot:${KEDRO_PASSWORD}`],
        { databaseSecretName: "airflow-metadata-db" },
    ),
    example(
        "koalja-pipeline",
        { minioAccessKey: MINIO_ACCESS_KEY, minioSecretKey: MINIO_SECRET_KEY },
        [MINIO_ACCESS_KEY, MINIO_SECRET_KEY],
    ),
    example(
        "otsus-method",
        { registryPassword: EXAMPLE_PASSWORD },
        [EXAMPLE_PASSWORD, `robot:${EXAMPLE_PASSWORD}`],
        { projectNamespaces: '["project-a","project-b"]' },
    ),
];

/** A stack's program under the engine, with each secure value replaced by render's `[secret:<key>]` placeholder. */
export function stackSubject(stack: string): Subject {
    const config = readStackConfig(ROOT, stack);
    return {
        name: `stack:${stack}`,
        sentinels: Object.values(config.placeholders).sort(),
        minted: STACK_TOKENS,
        run: () =>
            inFolder(ROOT, () =>
                // The stack program returns its outputs as a record.
                runProgram(() => evaluateProgram(config.entry) as Record<string, unknown>, {
                    project: config.project,
                    stack,
                    preview: true,
                    config: config.config,
                    secretConfigKeys: config.secretKeys,
                    invokes: STACK_INVOKES,
                }),
            ),
    };
}

/**
 * Every program, each evaluated once per module registry whichever test runs it first: a stack's
 * evaluation is the one its render shares (test/support/evaluations.ts).
 */
export function allSubjects(): Subject[] {
    return freshSubjects().map((subject) => ({
        ...subject,
        run: subject.name.startsWith("stack:")
            ? () =>
                  evaluatedStack(subject.name.slice("stack:".length)).then(
                      ({ evaluation }) => evaluation as EngineResult<Record<string, unknown>>,
                  )
            : () => once(`subject ${subject.name}`, () => subject.run()),
    }));
}

/** Every program, evaluated again on each run. */
export function freshSubjects(): Subject[] {
    return [...COMPONENT_SUBJECTS, ...EXAMPLE_SUBJECTS, ...stackNames().map(stackSubject)];
}

/** The dev stack's platform config, with a second extension: the base of the blast-radius check. */
export function twoExtensionPlatform(otherVersion: string): PlatformConfig {
    const config = JSON.parse(
        readStackConfig(ROOT, "dev").config["pipeline-platform:platform"],
    ) as PlatformConfig;
    const first = config.extensions![0];
    return {
        ...config,
        extensions: [first, { ...first, name: "otsus-method-gpu", version: otherVersion }],
    };
}

/** Evaluates a platform config as the stacks do, with sentinel secrets for every `…ConfigKey`. */
export function platformSubject(name: string, config: PlatformConfig): Subject {
    const secrets = {
        registryPassword: sentinel("platform-registry-password"),
        storageAccessKey: sentinel("platform-access-key"),
        storageSecretKey: sentinel("platform-secret-key"),
    };
    return {
        name,
        sentinels: Object.values(secrets),
        run: () =>
            inFolder(ROOT, () =>
                runProgram(
                    () => {
                        const platform = new PipelinePlatform("platform", { config, secrets });
                        return {
                            airflowUrl: platform.airflowUrl,
                            pipelineUrls: platform.pipelineUrls,
                        };
                    },
                    {
                        project: "pipeline-platform",
                        stack: "dev",
                        preview: true,
                        invokes: STACK_INVOKES,
                    },
                ),
            ),
    };
}
