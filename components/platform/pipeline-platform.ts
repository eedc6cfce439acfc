import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    AirflowDeployment,
    planAirflowDeployment,
    remoteLogsFromStorage,
    type AirflowDeploymentArgs,
} from "../airflow";
import {
    appendPath,
    dns1123LabelProblems,
    dnsLabel,
    invalidInput,
    joinPath,
    movePath,
    nestInputErrors,
    standardLabels,
    statefulOptions,
    type Reporter,
} from "../core";
import { planWorkflowExtension, WorkflowExtension, type WorkflowExtensionArgs } from "../dags";
import {
    checkHostnames,
    ContourIngress,
    PipelineIngress,
    planContourIngress,
    planKoaljaDomainConfig,
    planPipelineIngress,
    type PipelineIngressArgs,
} from "../ingress";
import { planLocation, RegistrySecret, type RegistryLocation } from "../registry";
import { planS3Storage, S3Storage, type StorageSpec } from "../storage";
import type { PlatformConfig, RegistryConfig, StorageConfig } from "./config";

/** The External Secrets Operator chart, installed when a registry's token is refreshed in the cluster. */
export const EXTERNAL_SECRETS_CHART = {
    repo: "https://charts.external-secrets.io",
    chart: "external-secrets",
    version: "0.20.1",
} as const;

/** Label on every namespace the platform creates: `project` or `services`. */
export const NAMESPACE_ROLE_LABEL = "pipeline-platform.io/namespace-role";
/** Label on project namespaces naming their project. */
export const PROJECT_LABEL = "pipeline-platform.io/project";

export interface PipelinePlatformArgs {
    /** The whole platform; see {@link PlatformConfig}. */
    config: PlatformConfig;
    /**
     * Secret values named by the config's `…ConfigKey` fields, e.g. `{ registryPassword: config.requireSecret("registryPassword") }`.
     * Kept secret: they only ever reach Kubernetes Secrets and image pushes.
     */
    secrets?: Record<string, pulumi.Input<string>>;
    /** Prefix of property paths in error messages. Default `config`; the stacks use `pipeline-platform:platform`. */
    configPath?: string;
}

/** Per-registry pull Secrets by scope. */
export interface RegistrySecrets {
    service?: RegistrySecret;
    project?: RegistrySecret;
}

/**
 * One typed {@link PlatformConfig} becomes the whole platform, wired: namespaces, registry secrets by
 * scope, External Secrets Operator when a registry needs in-cluster refresh, Contour, S3 storage,
 * Airflow, workflow extensions and pipeline ingresses. Every component stays usable on its own; this
 * one only wires them. The whole config is checked before anything is created.
 */
export class PipelinePlatform extends pulumi.ComponentResource {
    /** The services namespace (Airflow, DAG installers, storage config). */
    public readonly servicesNamespace: string;
    /** Project name to namespace. */
    public readonly projectNamespaces: Record<string, string>;
    /** Pull Secret names by scope, in registry order. */
    public readonly registrySecretNames: {
        service: pulumi.Output<string>[];
        project: pulumi.Output<string>[];
    };
    /** Registry name to image prefix (`host[:port][/path]`, no protocol). */
    public readonly imagePrefixes: Record<string, pulumi.Output<string>>;
    public readonly airflow: AirflowDeployment;
    public readonly dagsClaimName: pulumi.Output<string>;
    public readonly airflowUrl: pulumi.Output<string>;
    /** Pipeline name to its URL. */
    public readonly pipelineUrls: Record<string, pulumi.Output<string>>;
    public readonly storageConfigMap: pulumi.Output<string>;
    public readonly extensions: Record<string, WorkflowExtension>;

    constructor(name: string, args: PipelinePlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pipeline-platform:platform:PipelinePlatform", name, {}, opts);
        const root = args.configPath ?? "config";
        const plan = nestInputErrors(root, () =>
            planPlatform(name, args.config, args.secrets ?? {}),
        );
        const parent = { parent: this };

        // Deleting a namespace deletes the claims and Secrets in it, whatever their own options.
        const namespaces = plan.namespaces.map(
            (ns) =>
                new k8s.core.v1.Namespace(
                    `${name}-namespace-${ns.name}`,
                    {
                        metadata: { name: ns.name, labels: standardLabels("platform", ns.labels) },
                    },
                    { parent: this, ...statefulOptions(plan.protect) },
                ),
        );
        const afterNamespaces = { parent: this, dependsOn: namespaces };
        // Depending on a component waits for every resource in it; each child waits for what it uses.
        const namespacesOf = (...names: string[]) =>
            namespaces.filter((_, i) => names.includes(plan.namespaces[i].name));

        const operators: pulumi.Resource[] = [];
        if (plan.externalSecrets) {
            const eso = plan.externalSecrets;
            const esoNamespace = new k8s.core.v1.Namespace(
                `${name}-namespace-${eso.namespace}`,
                {
                    metadata: { name: eso.namespace, labels: standardLabels("platform") },
                },
                parent,
            );
            operators.push(
                new k8s.helm.v3.Release(
                    `${name}-external-secrets`,
                    {
                        name: "external-secrets",
                        namespace: eso.namespace,
                        chart: EXTERNAL_SECRETS_CHART.chart,
                        version: EXTERNAL_SECRETS_CHART.version,
                        repositoryOpts: { repo: EXTERNAL_SECRETS_CHART.repo },
                        values: { installCRDs: true },
                        atomic: true,
                    },
                    { parent: this, dependsOn: [esoNamespace] },
                ),
            );
        }

        const registries: Record<string, RegistrySecrets> = {};
        for (const registry of plan.registries) {
            const secrets: RegistrySecrets = {};
            for (const [scope, namespaceNames] of [
                ["service", [plan.servicesNamespace]],
                ["project", plan.projectNamespaceList],
            ] as const) {
                if (!registry.scopes.includes(scope)) {
                    continue;
                }
                secrets[scope] = new RegistrySecret(
                    `${name}-registry-${registry.name}-${scope}`,
                    {
                        registry: registry.location,
                        scope,
                        namespaces: [...namespaceNames],
                        secretName: registry.secretName,
                        testPullImage: registry.testPullImage,
                    },
                    {
                        parent: this,
                        dependsOn: [
                            ...namespaces,
                            ...(registry.refreshedInCluster ? operators : []),
                        ],
                    },
                );
            }
            registries[registry.name] = secrets;
        }

        const contour = new ContourIngress(`${name}-contour`, plan.contour, afterNamespaces);
        const afterContour = { parent: this, dependsOn: [...namespaces, contour] };

        const storage = new S3Storage(`${name}-storage`, plan.storage, afterNamespaces);

        const serviceSecrets = plan.registries.flatMap((r) =>
            registries[r.name].service ? [registries[r.name].service!.secretName] : [],
        );
        const projectSecrets = plan.registries.flatMap((r) =>
            registries[r.name].project ? [registries[r.name].project!.secretName] : [],
        );
        const airflowArgs: AirflowDeploymentArgs = {
            ...plan.airflow,
            logs:
                plan.logsStorage === undefined
                    ? undefined
                    : remoteLogsFromStorage(storage, { storage: plan.logsStorage }),
            ingress: plan.airflow.ingress
                ? { ...plan.airflow.ingress, ingressClassName: contour.ingressClassName }
                : undefined,
        };
        this.airflow = new AirflowDeployment(`${name}-airflow`, airflowArgs, {
            parent: this,
            dependsOn: [
                ...namespaces,
                contour,
                ...plan.registries.flatMap((r) => Object.values(registries[r.name])),
            ],
        });

        this.extensions = {};
        for (const extension of plan.extensions) {
            const project = registries[extension.projectRegistry].project!;
            const service = registries[extension.serviceRegistry].service!;
            this.extensions[extension.name] = new WorkflowExtension(
                `${name}-extension-${extension.name}`,
                {
                    ...extension.args,
                    projectRegistry: {
                        registry: plan.locations[extension.projectRegistry],
                        scope: "project",
                        secretName: project.secretName,
                    },
                    serviceRegistry: {
                        registry: plan.locations[extension.serviceRegistry],
                        scope: "service",
                        secretName: service.secretName,
                    },
                    dagsClaimName: this.airflow.dagsClaimName,
                },
                {
                    parent: this,
                    dependsOn: [
                        ...namespacesOf(
                            extension.args.namespace,
                            ...(extension.args.projectNamespaces ?? []),
                        ),
                        project,
                        service,
                    ],
                },
            );
        }

        this.pipelineUrls = {};
        for (const pipeline of plan.pipelines) {
            const ingress = new PipelineIngress(
                `${name}-pipeline-${pipeline.namespace}-${pipeline.pipeline}`,
                {
                    ...pipeline,
                    ingressClassName: contour.ingressClassName,
                },
                afterContour,
            );
            this.pipelineUrls[pipeline.pipeline] = ingress.url;
        }

        this.servicesNamespace = plan.servicesNamespace;
        this.projectNamespaces = plan.projectNamespaces;
        this.registrySecretNames = { service: serviceSecrets, project: projectSecrets };
        this.imagePrefixes = Object.fromEntries(
            plan.registries.map((r) => [
                r.name,
                (registries[r.name].service ?? registries[r.name].project)!.imagePrefix,
            ]),
        );
        this.dagsClaimName = this.airflow.dagsClaimName;
        this.airflowUrl = this.airflow.webUrl;
        this.storageConfigMap = storage.configMapName;
        this.registerOutputs({
            servicesNamespace: this.servicesNamespace,
            projectNamespaces: this.projectNamespaces,
            registrySecretNames: this.registrySecretNames,
            imagePrefixes: this.imagePrefixes,
            dagsClaimName: this.dagsClaimName,
            airflowUrl: this.airflowUrl,
            pipelineUrls: this.pipelineUrls,
            storageConfigMap: this.storageConfigMap,
        });
    }
}

/** A registry of the config, resolved: its location with secrets filled in and the scopes it serves. */
export interface PlannedRegistry {
    name: string;
    location: RegistryLocation;
    scopes: Array<"service" | "project">;
    secretName: string;
    testPullImage?: string;
    /** True when its token is refreshed in the cluster by External Secrets. */
    refreshedInCluster: boolean;
}

/** Every component's arguments, derived from the config and checked; nothing is created yet. */
export interface PlatformPlan {
    /** Whether resources that hold data are `protect`ed. */
    protect: boolean;
    servicesNamespace: string;
    projectNamespaces: Record<string, string>;
    projectNamespaceList: string[];
    namespaces: Array<{ name: string; labels: Record<string, string> }>;
    externalSecrets?: { namespace: string };
    registries: PlannedRegistry[];
    locations: Record<string, RegistryLocation>;
    contour: ConstructorParameters<typeof ContourIngress>[1];
    storage: ConstructorParameters<typeof S3Storage>[1];
    logsStorage?: string;
    airflow: AirflowDeploymentArgs;
    extensions: Array<{
        name: string;
        projectRegistry: string;
        serviceRegistry: string;
        args: Omit<WorkflowExtensionArgs, "projectRegistry" | "serviceRegistry" | "dagsClaimName">;
    }>;
    pipelines: PipelineIngressArgs[];
}

/**
 * Turns a {@link PlatformConfig} into the arguments of every component and checks all of them, so
 * a bad value anywhere fails before the first resource is registered. Paths in errors are relative
 * to the config (`registries[1].url`).
 */
export function planPlatform(
    name: string,
    config: PlatformConfig,
    secrets: Record<string, pulumi.Input<string>>,
): PlatformPlan {
    if (!config || typeof config !== "object") {
        invalidInput({
            path: "",
            given: config,
            expected: "a platform config object",
            example: '{ servicesNamespace: "pipeline-services", projects: { imaging: {} }, ... }',
        });
    }
    const servicesNamespace = requireNamespace(
        config.servicesNamespace,
        "servicesNamespace",
        "pipeline-services",
    );
    const projects = config.projects ?? {};
    if (typeof projects !== "object" || Object.keys(projects).length === 0) {
        invalidInput({
            path: "projects",
            given: projects,
            expected: "at least one project (processing containers run in its namespace)",
            example: '{ imaging: { labels: { team: "imaging" } } }',
        });
    }
    const projectNamespaces: Record<string, string> = {};
    const namespaces: PlatformPlan["namespaces"] = [
        { name: servicesNamespace, labels: { [NAMESPACE_ROLE_LABEL]: "services" } },
    ];
    for (const [project, spec] of Object.entries(projects)) {
        const path = joinPath("projects", project);
        const namespace = requireNamespace(
            spec?.namespace ?? dnsLabel(project),
            joinPath(path, "namespace"),
            "imaging",
        );
        if (
            namespace === servicesNamespace ||
            Object.values(projectNamespaces).includes(namespace)
        ) {
            invalidInput({
                path: joinPath(path, "namespace"),
                given: namespace,
                expected: "a namespace no other project and not the services namespace uses",
                example: `${namespace}-2`,
            });
        }
        projectNamespaces[project] = namespace;
        namespaces.push({
            name: namespace,
            labels: {
                ...(spec?.labels ?? {}),
                [NAMESPACE_ROLE_LABEL]: "project",
                [PROJECT_LABEL]: dnsLabel(project),
            },
        });
    }
    const projectNamespaceList = Object.values(projectNamespaces);

    const registries = planRegistries(config.registries, secrets);
    const locations = Object.fromEntries(registries.map((r) => [r.name, r.location]));
    const needsOperator = registries.some((r) => r.refreshedInCluster);
    const eso = config.externalSecrets;
    const externalSecrets =
        needsOperator && !(eso && "existing" in eso && eso.existing)
            ? { namespace: (eso && "namespace" in eso && eso.namespace) || "external-secrets" }
            : undefined;
    if (externalSecrets) {
        requireNamespace(
            externalSecrets.namespace,
            "externalSecrets.namespace",
            "external-secrets",
        );
    }

    const contourConfig = config.contour ?? { install: true };
    const contour =
        "existing" in contourConfig && contourConfig.existing
            ? { existing: true, ingressClassName: contourConfig.ingressClassName }
            : {
                  ingressClassName: contourConfig.ingressClassName,
                  rootNamespaces:
                      "rootNamespaces" in contourConfig ? contourConfig.rootNamespaces : undefined,
              };
    planContourIngress(`${name}-contour`, contour, configReporter(movePath("", "contour")));

    planKoaljaDomainConfig(
        `${name}-domains`,
        { domains: config.domains },
        configReporter((relative) => relative),
    );

    const storageConfig = config.storage;
    if (!storageConfig || typeof storageConfig !== "object") {
        invalidInput({
            path: "storage",
            given: storageConfig,
            expected: "a storage section with a `default` storage",
            example: '{ storages: { default: { provider: "aws", region: "eu-west-1" } } }',
        });
    }
    const storages = Object.fromEntries(
        Object.entries(storageConfig.storages ?? {}).map(([key, spec]) => [
            key,
            storageSpec(spec, joinPath("storage.storages", key), secrets),
        ]),
    );
    const airflowConfig = config.airflow;
    if (!airflowConfig || typeof airflowConfig !== "object") {
        invalidInput({
            path: "airflow",
            given: airflowConfig,
            expected: "an airflow section",
            example: "{ database: { bundled: true } }",
        });
    }
    const airflowNamespace = airflowConfig.namespace ?? servicesNamespace;
    const logsStorage = airflowConfig.logsStorage;
    if (config.protect !== undefined && typeof config.protect !== "boolean") {
        invalidInput({
            path: "protect",
            given: config.protect,
            expected: "true or false (whether Pulumi refuses to delete or replace what holds data)",
            example: "true",
        });
    }
    const protect = config.protect === true;
    const storage = {
        namespace: storageConfig.namespace ?? airflowNamespace,
        storages,
        airflowStorage: logsStorage,
        ...(protect ? { protect } : {}),
    };
    planS3Storage(
        `${name}-storage`,
        storage,
        configReporter((relative) =>
            relative === "airflowStorage" ? "airflow.logsStorage" : appendPath("storage", relative),
        ),
    );

    const serviceRegistry = registries.find((r) => r.scopes.includes("service"));
    const airflow: AirflowDeploymentArgs = {
        namespace: airflowNamespace,
        executor: airflowConfig.executor,
        database: airflowConfig.database,
        dags: airflowConfig.dags,
        projectNamespaces: projectNamespaceList,
        // Task pods run in the project namespaces, so their templates pull with the project-scope secrets.
        runConfig: {
            ...(airflowConfig.runConfig ?? {}),
            imagePullSecrets: [
                ...(airflowConfig.runConfig?.imagePullSecrets ?? []),
                ...registries.filter((r) => r.scopes.includes("project")).map((r) => r.secretName),
            ],
        },
        ingress: airflowConfig.ingress
            ? {
                  domains: config.domains,
                  pipeline: airflowConfig.ingress.pipeline,
                  tls: airflowConfig.ingress.tls,
              }
            : undefined,
        // The chart takes one pull secret: the first service-scope registry's.
        imagePullSecrets: serviceRegistry ? [serviceRegistry.secretName] : undefined,
        fernetKey: airflowConfig.fernetKey,
        ...(protect ? { protect } : {}),
    };
    // Checked here so the config fails before anything exists; the constructor plans it again with
    // the storage's log bucket and Contour's class, which exist only once those are declared.
    planAirflowDeployment(`${name}-airflow`, airflow, {
        label: "",
        path: (relative) => appendPath("airflow", relative),
    });

    const extensions = (config.extensions ?? []).map((extension, i) => {
        const path = joinPath("extensions", i);
        const projectRegistry = registryFor(
            registries,
            extension?.projectRegistry,
            "project",
            joinPath(path, "projectRegistry"),
        );
        const serviceRegistry = registryFor(
            registries,
            extension?.serviceRegistry,
            "service",
            joinPath(path, "serviceRegistry"),
        );
        const args = {
            version: extension.version,
            processingImages: extension.processingImages,
            installer: extension.installer,
            namespace: airflowNamespace,
            projectNamespaces: extensionProjects(
                extension.projects,
                projectNamespaces,
                joinPath(path, "projects"),
            ),
            createRepositories: extension.createRepositories,
            extensionName: extension.name,
            ...(protect ? { protect } : {}),
        };
        // Refusals are reported under the config path until the platform plans its children.
        nestInputErrors(path, () =>
            planWorkflowExtension(
                extension.name,
                {
                    ...args,
                    projectRegistry: {
                        registry: projectRegistry.location,
                        scope: "project",
                        secretName: projectRegistry.secretName,
                    },
                    serviceRegistry: {
                        registry: serviceRegistry.location,
                        scope: "service",
                        secretName: serviceRegistry.secretName,
                    },
                    dagsClaimName: "dags",
                },
                { label: "", path: (relative) => relative },
            ),
        );
        return {
            name: extension.name,
            projectRegistry: projectRegistry.name,
            serviceRegistry: serviceRegistry.name,
            args,
        };
    });
    const extensionNames = new Set<string>();
    extensions.forEach((extension, i) => {
        if (extensionNames.has(extension.name)) {
            invalidInput({
                path: joinPath("extensions", i),
                given: extension.name,
                expected: "a name no other extension uses",
                example: `${extension.name}-2`,
            });
        }
        extensionNames.add(extension.name);
    });

    const pipelinePlans: ReturnType<typeof planPipelineIngress>[] = [];
    const pipelines = (config.pipelines ?? []).map((pipeline, i) => {
        const path = joinPath("pipelines", i);
        if (!projectNamespaceList.includes(pipeline?.namespace)) {
            invalidInput({
                path: joinPath(path, "namespace"),
                given: pipeline?.namespace,
                expected: `a project namespace (${projectNamespaceList.join(", ")})`,
                example: projectNamespaceList[0],
            });
        }
        const args: PipelineIngressArgs = {
            pipeline: pipeline.name,
            namespace: pipeline.namespace,
            labels: pipeline.labels,
            domains: config.domains,
            service: { name: pipeline.service, port: pipeline.port },
            tasks: pipeline.tasks,
            tls: pipeline.tls,
        };
        pipelinePlans.push(
            planPipelineIngress(
                `${name}-pipeline-${pipeline.namespace}-${pipeline.name}`,
                args,
                configReporter((relative) =>
                    relative.startsWith("domains")
                        ? relative
                        : appendPath(path, PIPELINE_FIELDS.get(relative) ?? relative),
                ),
            ),
        );
        return args;
    });
    checkHostnames(pipelinePlans);

    return {
        protect,
        servicesNamespace,
        projectNamespaces,
        projectNamespaceList,
        namespaces,
        externalSecrets,
        registries,
        locations,
        contour,
        storage,
        logsStorage,
        airflow,
        extensions,
        pipelines,
    };
}

/** The namespaces of the projects an extension serves (its `<extension>-images` ConfigMap goes there); default all. */
function extensionProjects(
    projects: string[] | undefined,
    namespaces: Record<string, string>,
    path: string,
): string[] {
    if (projects === undefined) {
        return Object.values(namespaces);
    }
    return projects.map((project, i) => {
        if (!(project in namespaces)) {
            invalidInput({
                path: joinPath(path, i),
                given: project,
                expected: `a declared project (${Object.keys(namespaces).join(", ")})`,
                example: Object.keys(namespaces)[0],
            });
        }
        return namespaces[project];
    });
}

/** PipelineIngress arguments a pipeline's config gives under another name. */
const PIPELINE_FIELDS = new Map([
    ["pipeline", "name"],
    ["service.name", "service"],
    ["service.port", "port"],
]);

/**
 * Reports a component plan's refusals as the platform's own, at config paths (`map` turns a path of
 * the component's args into one).
 */
function configReporter(map: (relative: string) => string): Reporter {
    return { label: "", path: map };
}

function requireNamespace(value: unknown, path: string, example: string): string {
    const problems = typeof value === "string" ? dns1123LabelProblems(value) : ["must be a string"];
    if (problems.length > 0) {
        invalidInput({
            path,
            given: value,
            expected: `a namespace name that ${problems.join(" and ")}`,
            example,
        });
    }
    return value as string;
}

function secretValue(
    secrets: Record<string, pulumi.Input<string>>,
    key: unknown,
    path: string,
): pulumi.Output<string> {
    if (typeof key !== "string" || !(key in secrets)) {
        invalidInput({
            path,
            given: key,
            expected: `the name of a secure config key that is set (${Object.keys(secrets).join(", ") || "none are"})`,
            example:
                "registryPassword, set with `pulumi config set --secret registryPassword <value>`",
        });
    }
    return pulumi.secret(secrets[key as string]);
}

function planRegistries(
    configs: RegistryConfig[] | undefined,
    secrets: Record<string, pulumi.Input<string>>,
): PlannedRegistry[] {
    if (!Array.isArray(configs) || configs.length === 0) {
        invalidInput({
            path: "registries",
            given: configs,
            expected: "at least one registry",
            example:
                '[{ name: "local", scope: "both", location: "off-cluster", url: "http://registry.localhost:5000/platform", username: "platform", passwordConfigKey: "registryPassword" }]',
        });
    }
    const seen = new Set<string>();
    return configs.map((config, i) => {
        const path = joinPath("registries", i);
        if (
            typeof config?.name !== "string" ||
            dns1123LabelProblems(config.name).length > 0 ||
            config.name.length > 50
        ) {
            invalidInput({
                path: joinPath(path, "name"),
                given: config?.name,
                expected: "a DNS label of at most 50 characters, unique among registries",
                example: "local",
            });
        }
        if (seen.has(config.name)) {
            invalidInput({
                path: joinPath(path, "name"),
                given: config.name,
                expected: "a name no other registry uses",
                example: `${config.name}-2`,
            });
        }
        seen.add(config.name);
        if (!["project", "service", "both"].includes(config.scope)) {
            invalidInput({
                path: joinPath(path, "scope"),
                given: config.scope,
                expected: "project, service or both",
                example: "both",
            });
        }
        let location: RegistryLocation;
        if (config.location === "off-cluster") {
            location = {
                location: "off-cluster",
                url: config.url,
                username: config.username,
                password: secretValue(
                    secrets,
                    config.passwordConfigKey,
                    joinPath(path, "passwordConfigKey"),
                ),
            };
        } else if (config.location === "ecr") {
            location = {
                location: "ecr",
                region: config.region,
                registryId: config.registryId,
                refreshInterval: config.refreshInterval,
                auth: config.auth,
            };
        } else if (config.location === "gcr") {
            location = {
                location: "gcr",
                url: config.url,
                serviceAccountKey:
                    config.serviceAccountKeyConfigKey === undefined
                        ? undefined
                        : secretValue(
                              secrets,
                              config.serviceAccountKeyConfigKey,
                              joinPath(path, "serviceAccountKeyConfigKey"),
                          ),
                workloadIdentity: config.workloadIdentity,
                refreshInterval: config.refreshInterval,
            };
        } else {
            return invalidInput({
                path: joinPath(path, "location"),
                given: (config as { location?: unknown }).location,
                expected: "off-cluster, ecr or gcr",
                example: "off-cluster",
            });
        }
        planLocation(location, path);
        return {
            name: config.name,
            location,
            scopes: config.scope === "both" ? ["service", "project"] : [config.scope],
            secretName: `${config.name}-registry`,
            testPullImage: config.testPullImage,
            refreshedInCluster:
                location.location === "ecr" ||
                (location.location === "gcr" && location.workloadIdentity !== undefined),
        };
    });
}

function registryFor(
    registries: PlannedRegistry[],
    name: unknown,
    scope: "project" | "service",
    path: string,
): PlannedRegistry {
    const candidates = registries.filter((r) => r.scopes.includes(scope)).map((r) => r.name);
    const found = registries.find((r) => r.name === name);
    if (!found || !found.scopes.includes(scope)) {
        invalidInput({
            path,
            given: name,
            expected: `a registry with scope ${scope} or both (${candidates.join(", ") || "none declared"})`,
            example: candidates[0] ?? "local",
        });
    }
    return found;
}

function storageSpec(
    config: StorageConfig,
    path: string,
    secrets: Record<string, pulumi.Input<string>>,
): StorageSpec {
    if (config?.provider === "external") {
        const { accessKeyConfigKey, secretKeyConfigKey, ...rest } = config;
        return {
            ...rest,
            accessKey: secretValue(
                secrets,
                accessKeyConfigKey,
                joinPath(path, "accessKeyConfigKey"),
            ),
            secretKey: secretValue(
                secrets,
                secretKeyConfigKey,
                joinPath(path, "secretKeyConfigKey"),
            ),
        };
    }
    return config as StorageSpec;
}
