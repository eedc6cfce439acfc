import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { PipelinePlatform, type PlatformConfig } from "../../components/platform";
import { assertValidManifests, runProgram, type Registration } from "../../components/testing";
import { STACK_INVOKES } from "../../bin/render";
import { dagInstallerStandIn, sha256sumPrefix } from "../dags/kaapana-fixture";
import { temporaryFolders } from "../support/temporary";

const SECRETS = {
    registryPassword: "sentinel-registry-password",
    storageAccessKey: "sentinel-access-key",
    storageSecretKey: "sentinel-secret-key",
};

function devConfig(): PlatformConfig {
    return {
        servicesNamespace: "services",
        projects: { imaging: { labels: { team: "imaging" } }, analytics: {} },
        registries: [
            {
                name: "local",
                scope: "both",
                location: "off-cluster",
                url: "http://registry.localhost:5000/platform",
                username: "platform",
                passwordConfigKey: "registryPassword",
            },
        ],
        externalSecrets: { existing: true },
        contour: { install: true, ingressClassName: "contour" },
        domains: { "example.org": { selector: { visibility: "public" } }, "127.0.0.1.nip.io": {} },
        storage: {
            storages: {
                default: {
                    provider: "external",
                    endpoint: "http://minio.minio.svc:9000",
                    bucket: "pipelines",
                    accessKeyConfigKey: "storageAccessKey",
                    secretKeyConfigKey: "storageSecretKey",
                },
            },
        },
        airflow: {
            database: { bundled: true },
            logsStorage: "default",
            ingress: { pipeline: "airflow" },
            runConfig: { resources: { __default__: { requests: { cpu: "500m" } } } },
        },
        extensions: [
            {
                name: "otsus-method",
                version: "1.0.0",
                projectRegistry: "local",
                serviceRegistry: "local",
                processingImages: [
                    { name: "otsus-method", context: "examples/otsus-method/processing-container" },
                ],
                installer: { context: "examples/otsus-method/extension" },
            },
        ],
        pipelines: [
            {
                name: "segmentation",
                namespace: "imaging",
                labels: { visibility: "public" },
                service: "segmentation",
                port: 8080,
            },
            { name: "report", namespace: "analytics", service: "report", port: 80 },
        ],
    };
}

function run(config: PlatformConfig, options: { preview?: boolean } = {}) {
    return runProgram(
        () => {
            const platform = new PipelinePlatform("platform", {
                config,
                secrets: Object.fromEntries(
                    Object.entries(SECRETS).map(([k, v]) => [k, pulumi.secret(v)]),
                ),
            });
            return {
                airflowUrl: platform.airflowUrl,
                pipelineUrls: platform.pipelineUrls,
                dagsClaimName: platform.dagsClaimName,
                registrySecretNames: platform.registrySecretNames,
                storageConfigMap: platform.storageConfigMap,
            };
        },
        { invokes: STACK_INVOKES, ...options },
    );
}

const byName = (regs: Registration[], name: string) => {
    const found = regs.find((r) => r.name === name);
    if (!found) {
        throw new Error(`no registration ${name}: ${regs.map((r) => r.name).join(", ")}`);
    }
    return found;
};

describe("PipelinePlatform", () => {
    test("wires one config into namespaces, registries, Contour, storage, Airflow, extensions and ingresses", async () => {
        const result = await run(devConfig());
        const regs = result.registrations;
        const platform = byName(regs, "platform");
        const children = regs
            .filter((r) => r.parent === platform.urn)
            .map((r) => `${r.type} ${r.name}`)
            .sort();
        expect(children).toEqual([
            "kubernetes:core/v1:Namespace platform-namespace-analytics",
            "kubernetes:core/v1:Namespace platform-namespace-imaging",
            "kubernetes:core/v1:Namespace platform-namespace-services",
            "pipeline-platform:airflow:AirflowDeployment platform-airflow",
            "pipeline-platform:dags:WorkflowExtension platform-extension-otsus-method",
            "pipeline-platform:ingress:ContourIngress platform-contour",
            "pipeline-platform:ingress:PipelineIngress platform-pipeline-analytics-report",
            "pipeline-platform:ingress:PipelineIngress platform-pipeline-imaging-segmentation",
            "pipeline-platform:registry:RegistrySecret platform-registry-local-project",
            "pipeline-platform:registry:RegistrySecret platform-registry-local-service",
            "pipeline-platform:storage:S3Storage platform-storage",
            "pipeline-platform:tenancy:ProjectFence platform-fence-analytics",
            "pipeline-platform:tenancy:ProjectFence platform-fence-imaging",
        ]);
        await assertValidManifests(regs);
        expect(result.outputs).toEqual({
            airflowUrl: "http://airflow.services.127.0.0.1.nip.io",
            pipelineUrls: {
                segmentation: "http://segmentation.imaging.example.org",
                report: "http://report.analytics.127.0.0.1.nip.io",
            },
            dagsClaimName: "platform-airflow-dags",
            registrySecretNames: { service: ["local-registry"], project: ["local-registry"] },
            storageConfigMap: "koalja-s3-storage-config",
        });
    });

    test("labels project namespaces so selectors can find them", async () => {
        const regs = (await run(devConfig())).registrations;
        expect(byName(regs, "platform-namespace-imaging").inputs.metadata.labels).toEqual({
            team: "imaging",
            "pipeline-platform.io/namespace-role": "project",
            "pipeline-platform.io/project": "imaging",
            "app.kubernetes.io/managed-by": "pulumi",
            "app.kubernetes.io/part-of": "pipeline-platform",
            "app.kubernetes.io/component": "platform",
        });
    });

    test("gives the service-scope secret to Airflow and the installer, the project-scope one to task pods", async () => {
        const regs = (await run(devConfig())).registrations;
        const serviceSecret = byName(regs, "platform-registry-local-service-secret-services");
        expect(serviceSecret.inputs.metadata).toMatchObject({
            name: "local-registry",
            namespace: "services",
        });
        expect(
            regs
                .filter((r) => r.name.startsWith("platform-registry-local-project-secret-"))
                .map((r) => r.inputs.metadata.namespace)
                .sort(),
        ).toEqual(["analytics", "imaging"]);

        const airflowRelease = regs.find(
            (r) =>
                r.type === "kubernetes:helm.sh/v3:Release" && r.name === "platform-airflow-release",
        )!;
        expect(airflowRelease.inputs.values.imagePullSecrets).toEqual(["local-registry"]);
        const templates = byName(regs, "platform-airflow-pod-templates").inputs.data;
        expect(YAML.parse(templates["__default__.yaml"]).spec.imagePullSecrets).toEqual([
            { name: "local-registry" },
        ]);

        const installer = regs.find(
            (r) =>
                r.type === "kubernetes:helm.sh/v3:Release" &&
                r.name.startsWith("platform-extension-otsus-method"),
        )!;
        expect(JSON.stringify(installer.inputs.values)).toContain("local-registry");
        expect(JSON.stringify(installer.inputs.values)).toContain("platform-airflow-dags");
    });

    test("writes Koalja's storage config into koalja-system, where Koalja looks, and the log connection into the Airflow namespace", async () => {
        const regs = (await run(devConfig())).registrations;
        expect(byName(regs, "platform-storage-config").inputs.metadata.namespace).toBe(
            "koalja-system",
        );
        expect(byName(regs, "platform-storage-airflow-connection").inputs.metadata.namespace).toBe(
            "services",
        );
    });

    test("serves every pipeline through the Contour ingress class", async () => {
        const regs = (await run(devConfig())).registrations;
        const proxies = regs.filter((r) => r.type === "kubernetes:projectcontour.io/v1:HTTPProxy");
        expect(
            proxies
                .map((p) => [p.inputs.spec.virtualhost.fqdn, p.inputs.spec.ingressClassName])
                .sort(),
        ).toEqual([
            ["airflow.services.127.0.0.1.nip.io", "contour"],
            ["report.analytics.127.0.0.1.nip.io", "contour"],
            ["segmentation.imaging.example.org", "contour"],
        ]);
    });

    test("installs External Secrets Operator only when a registry is refreshed in the cluster and none exists", async () => {
        const ecr: PlatformConfig = {
            ...devConfig(),
            externalSecrets: undefined,
            registries: [
                ...devConfig().registries,
                {
                    name: "ecr",
                    scope: "project",
                    location: "ecr",
                    region: "eu-central-1",
                    registryId: "123456789012",
                },
            ],
        };
        const withOperator = (await run(ecr)).registrations;
        const release = withOperator.find((r) => r.name === "platform-external-secrets")!;
        expect(release.inputs).toMatchObject({
            chart: "external-secrets",
            version: "0.20.1",
            namespace: "external-secrets",
            repositoryOpts: { repo: "https://charts.external-secrets.io" },
        });
        const ecrSecret = byName(withOperator, "platform-registry-ecr-project");
        expect(ecrSecret.dependencies).toContain(release.urn);

        const existing = (await run({ ...ecr, externalSecrets: { existing: true } })).registrations;
        expect(existing.some((r) => r.name === "platform-external-secrets")).toBe(false);
        const offClusterOnly = (await run({ ...devConfig(), externalSecrets: undefined }))
            .registrations;
        expect(offClusterOnly.some((r) => r.name === "platform-external-secrets")).toBe(false);
    });

    test("puts an extension's image references only into the namespaces of the projects it serves", async () => {
        const config = devConfig();
        config.extensions![0].projects = ["imaging"];
        const regs = (await run(config)).registrations;
        expect(
            regs
                .filter(
                    (r) =>
                        r.type === "kubernetes:core/v1:ConfigMap" &&
                        r.inputs.metadata.name === "otsus-method-images",
                )
                .map((r) => r.inputs.metadata.namespace),
        ).toEqual(["imaging"]);
        const all = (await run(devConfig())).registrations;
        expect(
            all
                .filter(
                    (r) =>
                        r.type === "kubernetes:core/v1:ConfigMap" &&
                        r.inputs.metadata.name === "otsus-method-images",
                )
                .map((r) => r.inputs.metadata.namespace)
                .sort(),
        ).toEqual(["analytics", "imaging"]);
    });

    test("fences every project namespace: Envoy to its pipelines' ports, Airflow's KubernetesExecutor ports, the configured egress, limits and quota from the run configuration", async () => {
        const config = devConfig();
        config.contour = { install: true, ingressClassName: "contour", namespace: "ingress" };
        config.pipelines![0].targetPort = 8000;
        config.pipelines![0].tasks = [{ task: "otsu", service: "otsu-task", port: 9000 }];
        config.fences = { egress: { to: [{ storage: "default" }] } };
        config.projects.analytics.fence = { quota: { tasks: 2 } };
        config.airflow.runConfig = {
            resources: { __default__: { requests: { cpu: "500m", memory: "1Gi" } } },
        };
        const regs = (await run(config)).registrations;
        const spec = (resource: string) => byName(regs, resource).inputs.spec;
        const fence = byName(regs, "platform-fence-imaging");
        expect(fence.dependencies).toEqual([byName(regs, "platform-namespace-imaging").urn]);
        expect(spec("platform-fence-imaging-allow-ingress-controller").ingress).toEqual([
            {
                from: [
                    {
                        namespaceSelector: {
                            matchLabels: { "kubernetes.io/metadata.name": "ingress" },
                        },
                    },
                ],
                ports: [
                    { protocol: "TCP", port: 8000 },
                    { protocol: "TCP", port: 9000 },
                ],
            },
        ]);
        expect(spec("platform-fence-analytics-allow-ingress-controller").ingress[0].ports).toEqual([
            { protocol: "TCP", port: 80 },
        ]);
        const services = {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "services" } },
        };
        expect(spec("platform-fence-imaging-allow-airflow")).toEqual({
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [services], ports: [{ protocol: "TCP", port: 8793 }] }],
            egress: [
                {
                    to: [services],
                    ports: [
                        { protocol: "TCP", port: 8080 },
                        { protocol: "UDP", port: 9125 },
                    ],
                },
            ],
        });
        expect(spec("platform-fence-imaging-allow-egress").egress).toEqual([
            {
                to: [
                    {
                        namespaceSelector: {
                            matchLabels: { "kubernetes.io/metadata.name": "minio" },
                        },
                    },
                ],
                ports: [{ protocol: "TCP", port: 9000 }],
            },
        ]);
        expect(spec("platform-fence-imaging-limits").limits).toEqual([
            { type: "Container", defaultRequest: { cpu: "500m", memory: "1Gi" } },
        ]);
        expect([
            spec("platform-fence-imaging-quota").hard,
            spec("platform-fence-analytics-quota").hard,
        ]).toEqual([
            { "requests.cpu": "5", "requests.memory": "10Gi" },
            { "requests.cpu": "1", "requests.memory": "2Gi" },
        ]);
        await assertValidManifests(regs);
    });

    test("with a Celery executor, Airflow's workers stay in its namespace: no Airflow policy in the projects", async () => {
        const config = devConfig();
        config.airflow.executor = "CeleryExecutor";
        const regs = (await run(config)).registrations;
        expect(regs.some((r) => r.name === "platform-fence-imaging-allow-airflow")).toBe(false);
    });

    test("Airflow's logs with a workload identity: the storage holds no key for them, Airflow no connection Secret", async () => {
        const config = devConfig();
        config.storage.storages.logs = {
            provider: "aws",
            region: "eu-central-1",
            bucket: "pipeline-logs",
            koalja: false,
        };
        config.airflow.logsStorage = "logs";
        config.airflow.logsIdentity = {
            provider: "aws",
            oidcProviderArn:
                "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC",
            roleName: "airflow-logs",
        };
        const regs = (await run(config)).registrations;
        const names = regs.map((r) => r.name);
        expect(names).not.toContain("platform-storage-airflow-connection");
        expect(names.filter((n) => n.startsWith("platform-storage-logs")).sort()).toEqual([
            "platform-storage-logs-bucket",
            "platform-storage-logs-encryption",
            "platform-storage-logs-public-access",
            "platform-storage-logs-versioning",
        ]);
        expect(byName(regs, "platform-airflow-logs-identity").type).toBe(
            "pipeline-platform:identity:WorkloadIdentity",
        );
        const values = byName(regs, "platform-airflow-release").inputs.values;
        expect([values.config.logging, values.env, values.extraEnvFrom]).toEqual([
            {
                remote_logging: "True",
                remote_base_log_folder: "s3://pipeline-logs/airflow/logs",
                remote_log_conn_id: "remote_logs",
            },
            [
                {
                    name: "AIRFLOW_CONN_REMOTE_LOGS",
                    value: '{"conn_type":"aws","extra":{"region_name":"eu-central-1"}}',
                },
            ],
            undefined,
        ]);
        expect(values.workers.serviceAccount.annotations).toEqual({
            "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/airflow-logs",
        });
    });

    test("registers identical inputs on two evaluations", async () => {
        const canonical = async () =>
            JSON.stringify(
                (await run(devConfig())).registrations.map((r) => [
                    r.type,
                    r.name,
                    r.parent,
                    r.inputs,
                    r.dependencies,
                ]),
            );
        expect(await canonical()).toBe(await canonical());
    });

    test("keeps credentials out of everything but Secrets and image pushes", async () => {
        const regs = (await run(devConfig())).registrations;
        for (const r of regs) {
            const text = JSON.stringify(r.inputs);
            const carries = Object.values(SECRETS).some(
                (s) => text.includes(s) || text.includes(Buffer.from(s).toString("base64")),
            );
            if (carries) {
                expect([r.type, r.secretPaths.length > 0]).toEqual([
                    expect.stringMatching(
                        /^(kubernetes:core\/v1:Secret|docker:index\/image:Image)$/,
                    ),
                    true,
                ]);
            }
        }
    });
});

describe("PipelinePlatform refusals", () => {
    const secrets = { registryPassword: "p", storageAccessKey: "a", storageSecretKey: "s" };

    test("name the instance, prefix paths with the config key and register nothing", async () => {
        const config = devConfig();
        Object.assign(config.registries[0], { url: "ftp://registry.localhost" });
        const failure = await runProgram(() => {
            new PipelinePlatform("platform", {
                config,
                secrets,
                configPath: "pipeline-platform:platform",
            });
        }).catch((e) => e);
        expect(failure.message).toMatch(
            /^PipelinePlatform "platform": pipeline-platform:platform\.registries\[0\]\.url: got "ftp:\/\/registry\.localhost"; expected a registry URL: must use http or https, not ftp/,
        );
        expect(failure.registrations).toEqual([]);
    });
});

describe("PipelinePlatform with an extension for an existing Kaapana platform", () => {
    const standIn = dagInstallerStandIn(temporaryFolders());

    function kaapanaConfig(): PlatformConfig {
        const config = devConfig();
        config.kaapana = {
            registryUrl: "registry.example.com/kaapana",
            buildVersion: "0.6.0",
            mainNodeName: "kaapana-main",
            dagInstallerChart: standIn,
        };
        config.extensions = [
            {
                ...config.extensions![0],
                target: "kaapana",
                installer: { context: "examples/otsus-method/kaapana/extension" },
                chart: "examples/otsus-method/kaapana/otsus-method-workflow",
            },
        ];
        return config;
    }

    test("installs it into Kaapana's namespaces with Kaapana's global values and pull Secrets", async () => {
        const { registrations } = await run(kaapanaConfig());
        const release = registrations.find(
            (r) =>
                r.type === "kubernetes:helm.sh/v3:Release" &&
                r.name === "platform-extension-otsus-method-installer-release",
        )!;
        expect(release.inputs.namespace).toBe("admin");
        expect(release.inputs.chart).toBe(
            "./.pipeline-platform/charts/otsus-method-workflow-1.0.0.tgz",
        );
        const secretName = `registry-secret-${sha256sumPrefix("registry.localhost:5000/platform")}`;
        expect(release.inputs.values).toEqual({
            global: {
                image: "dag-otsus-method",
                action: "copy",
                custom_registry_url: "registry.localhost:5000/platform",
                registry_url: "registry.example.com/kaapana",
                kaapana_build_version: "0.6.0",
                admin_namespace: "admin",
                services_namespace: "services",
                pull_policy_images: "IfNotPresent",
                main_node_name: "kaapana-main",
            },
        });
        expect(
            registrations
                .filter(
                    (r) =>
                        r.type === "kubernetes:core/v1:Secret" &&
                        r.inputs.metadata.name === secretName,
                )
                .map((r) => r.inputs.metadata.namespace)
                .sort(),
        ).toEqual(["project-admin", "services"]);
    });

    test("refuses target kaapana without a kaapana section, naming the config path", async () => {
        const config = kaapanaConfig();
        delete config.kaapana;
        await expect(run(config)).rejects.toThrow(
            'PipelinePlatform "platform": config.extensions[0].target: got "kaapana"; expected target "pipeline-platform", or a kaapana section in the config',
        );
    });
});
