import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { closest } from "fastest-levenshtein";
import {
    AirflowDeployment,
    type AirflowGitDags,
    planAirflowDeployment,
    type AirflowDeploymentArgs,
    type AirflowDeploymentPlan,
    type AirflowIdentityLogs,
} from "../airflow";
import {
    componentReporter,
    invalidInput,
    joinPath,
    movePaths,
    nestedReporter,
    planComponent,
    standardLabels,
    statefulOptions,
    usePlan,
    type Planned,
    type Reporter,
} from "../core";
import { planWorkflowExtension, WorkflowExtension, type WorkflowExtensionPlan } from "../dags";
import {
    checkDefaultDomain,
    checkHostnames,
    ContourIngress,
    PipelineIngress,
    planContourIngress,
    planPipelineIngress,
    type ContourIngressPlan,
    type PipelineIngressPlan,
} from "../ingress";
import {
    planRegistrySecret,
    RegistrySecret,
    type RegistryLocation,
    type RegistrySecretPlan,
} from "../registry";
import {
    planPlatformMonitoring,
    PlatformMonitoring,
    type PlatformMonitoringPlan,
} from "../monitoring";
import type { CloudWorkloadIdentity } from "../identity";
import { planS3Storage, S3Storage, type S3StoragePlan, type StorageSpec } from "../storage";
import { checkClaimAccessModes } from "./access-modes";
import { ProjectFence } from "../tenancy";
import type {
    ExtensionConfig,
    PlatformConfig,
    RegistryCommon,
    RegistryConfig,
    StorageConfig,
} from "./config";
import { planFences, type PlannedFence } from "./fences";

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
     * Secret values named by the config's `…ConfigKey` fields. Kept secret: they only ever reach
     * Kubernetes Secrets and image pushes.
     * @secret
     * @propertyNames { "format": "config-key" }
     * @example { "registryPassword": "config.requireSecret(\"registryPassword\")" }
     */
    secrets?: Record<string, pulumi.Input<string>>;
    /**
     * What refusals call the config in their property paths. Default `config`; the stacks use the
     * stack config key, `pipeline-platform:platform`.
     * @minLength 1
     * @example "pipeline-platform:platform"
     */
    configPath?: string;
}

/** One registry of the config: its pull Secret name and the RegistrySecret of each scope it serves. */
export interface PlatformRegistry {
    name: string;
    secretName: string;
    location: RegistryLocation;
    service?: RegistrySecretPlan;
    project?: RegistrySecretPlan;
    /** True when its token is refreshed in the cluster by External Secrets. */
    refreshedInCluster: boolean;
}

/** What a PipelinePlatform builds: every component's plan, and the namespaces that hold them. */
export interface PipelinePlatformBuild {
    args: PipelinePlatformArgs;
    /** Whether resources that hold data are `protect`ed. */
    protect: boolean;
    servicesNamespace: string;
    /** Project name to namespace. */
    projectNamespaces: Record<string, string>;
    namespaces: Array<{ name: string; labels: Record<string, string> }>;
    /** Where External Secrets Operator is installed, when a registry needs it and none exists. */
    externalSecrets?: { namespace: string };
    registries: PlatformRegistry[];
    contour: ContourIngressPlan;
    storage: S3StoragePlan;
    airflow: AirflowDeploymentPlan;
    extensions: Array<{
        name: string;
        projectRegistry: string;
        serviceRegistry: string;
        /** The platform's namespaces it installs into and publishes to (none for a Kaapana target). */
        namespaces: string[];
        /** Whether it installs into Kaapana, which uses none of the platform's pull Secrets. */
        kaapana: boolean;
        plan: WorkflowExtensionPlan;
    }>;
    pipelines: PipelineIngressPlan[];
    /** The platform's monitoring, when `monitoring.enabled`. */
    monitoring?: PlatformMonitoringPlan;
    /** The fences of every project namespace. */
    fences: PlannedFence[];
    /**
     * Values children are planned with that exist only once a sibling is built, so that each child
     * waits for exactly what it uses: Airflow's logs reached with keys for the log bucket and
     * connection Secret, the extensions' installers for Airflow's DAG claim. Each is set once, while
     * building.
     */
    wiring: {
        logs?: { bucket: Resolver; connectionSecretName: Resolver };
        dagsClaimName: Resolver;
    };
}

/** Resolves a value planned as a `pulumi.deferredOutput`. */
type Resolver = (source: pulumi.Output<string>) => void;

/** A PipelinePlatform's validated input; see {@link planPlatform}. */
export type PipelinePlatformPlan = Planned<"PipelinePlatform", PipelinePlatformBuild>;

/**
 * One typed {@link PlatformConfig} becomes the whole platform, wired: namespaces, registry secrets by
 * scope, External Secrets Operator when a registry needs in-cluster refresh, Contour, S3 storage,
 * Airflow, workflow extensions and pipeline ingresses. Every component stays usable on its own; this
 * one plans them all from the config before anything exists, then builds each from its plan.
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

    constructor(
        name: string,
        args: PipelinePlatformArgs | PipelinePlatformPlan,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const plan = usePlan("PipelinePlatform", name, args, planPlatform);
        super("pipeline-platform:platform:PipelinePlatform", name, {}, opts);
        const parent = { parent: this };

        // Deleting a namespace deletes the claims and Secrets in it, whatever their own options.
        const namespaces = new Map(
            plan.namespaces.map((ns) => [
                ns.name,
                new k8s.core.v1.Namespace(
                    `${name}-namespace-${ns.name}`,
                    { metadata: { name: ns.name, labels: standardLabels("platform", ns.labels) } },
                    { parent: this, ...statefulOptions(plan.protect) },
                ),
            ]),
        );
        const allNamespaces = [...namespaces.values()];
        // Depending on a component waits for every resource in it; each child waits for what it uses.
        const namespacesOf = (names: string[]) =>
            names.flatMap((n) => (namespaces.has(n) ? [namespaces.get(n)!] : []));

        const operators: pulumi.Resource[] = [];
        if (plan.externalSecrets) {
            const eso = plan.externalSecrets;
            const esoNamespace = new k8s.core.v1.Namespace(
                `${name}-namespace-${eso.namespace}`,
                { metadata: { name: eso.namespace, labels: standardLabels("platform") } },
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

        const pullSecrets: Record<string, { service?: RegistrySecret; project?: RegistrySecret }> =
            {};
        for (const registry of plan.registries) {
            const dependsOn = [...allNamespaces, ...(registry.refreshedInCluster ? operators : [])];
            pullSecrets[registry.name] = {};
            for (const scope of ["service", "project"] as const) {
                const scoped = registry[scope];
                if (scoped !== undefined) {
                    pullSecrets[registry.name][scope] = new RegistrySecret(scoped.name, scoped, {
                        parent: this,
                        dependsOn,
                    });
                }
            }
        }
        const allPullSecrets = Object.values(pullSecrets).flatMap((s) => Object.values(s));

        for (const fence of plan.fences) {
            new ProjectFence(fence.plan.name, fence.plan, {
                parent: this,
                dependsOn: namespacesOf([fence.namespace]),
            });
        }

        const contour = new ContourIngress(plan.contour.name, plan.contour, {
            parent: this,
            dependsOn: allNamespaces,
        });
        const storage = new S3Storage(plan.storage.name, plan.storage, {
            parent: this,
            dependsOn: allNamespaces,
        });
        if (plan.wiring.logs !== undefined) {
            plan.wiring.logs.bucket(
                storage.buckets.apply((buckets) => buckets[plan.storage.plan.logStorage.name]),
            );
            // Logs reached with keys plan the storage with `airflowConnection`: the Secret exists.
            plan.wiring.logs.connectionSecretName(
                storage.airflowConnectionSecretName as pulumi.Output<string>,
            );
        }
        this.airflow = new AirflowDeployment(plan.airflow.name, plan.airflow, {
            parent: this,
            dependsOn: [
                ...allNamespaces,
                contour,
                ...allPullSecrets,
                // Keyless logs name their bucket as text: their grants wait for the bucket explicitly.
                ...(plan.airflow.plan.logsIdentity ? [storage] : []),
            ],
        });
        plan.wiring.dagsClaimName(this.airflow.dagsClaimName);

        this.extensions = {};
        for (const extension of plan.extensions) {
            this.extensions[extension.name] = new WorkflowExtension(
                extension.plan.name,
                extension.plan,
                {
                    parent: this,
                    dependsOn: extension.kaapana
                        ? []
                        : [
                              ...namespacesOf(extension.namespaces),
                              pullSecrets[extension.projectRegistry].project!,
                              pullSecrets[extension.serviceRegistry].service!,
                          ],
                },
            );
        }

        if (plan.monitoring) {
            // Monitors live in the namespaces of what they watch: Contour's and the operator's come
            // with those releases.
            new PlatformMonitoring(plan.monitoring.name, plan.monitoring, {
                parent: this,
                dependsOn: [...allNamespaces, contour, ...operators],
            });
        }

        this.pipelineUrls = {};
        for (const pipeline of plan.pipelines) {
            const ingress = new PipelineIngress(pipeline.name, pipeline, {
                parent: this,
                dependsOn: [...allNamespaces, contour],
            });
            this.pipelineUrls[pipeline.plan.args.pipeline] = ingress.url;
        }

        this.servicesNamespace = plan.servicesNamespace;
        this.projectNamespaces = plan.projectNamespaces;
        this.registrySecretNames = {
            service: plan.registries.flatMap((r) =>
                r.service ? [pullSecrets[r.name].service!.secretName] : [],
            ),
            project: plan.registries.flatMap((r) =>
                r.project ? [pullSecrets[r.name].project!.secretName] : [],
            ),
        };
        this.imagePrefixes = Object.fromEntries(
            plan.registries.map((r) => [
                r.name,
                (pullSecrets[r.name].service ?? pullSecrets[r.name].project)!.imagePrefix,
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

/**
 * Turns a {@link PlatformConfig} into the plan of every component and checks all of them, so a bad
 * value anywhere fails before the first resource is registered. Each rule is checked once, by the
 * component that owns it; its refusal is reported at the config path the value came from
 * (`PipelinePlatform "platform": pipeline-platform:platform.registries[1].url: got …`).
 */
export function planPlatform(
    name: string,
    args: PipelinePlatformArgs,
    reporter?: Reporter,
): PipelinePlatformPlan {
    // The config's name in paths is known before the args are checked: a bad one is reported as such.
    const configPath =
        typeof (args as Partial<PipelinePlatformArgs> | null)?.configPath === "string"
            ? (args.configPath as string)
            : "config";
    const platform = nestedReporter(
        reporter ?? componentReporter("PipelinePlatform", String(name)),
        movePaths("", [["config", configPath]]),
    );
    return planComponent(
        "PipelinePlatform",
        "PipelinePlatformArgs",
        name,
        args,
        (checked: PipelinePlatformArgs, reported: Reporter) =>
            new PlatformPlanner(name, checked, reported).plan(),
        platform,
    );
}

/** Plans the components of one config; each `at` reports a child's refusal at a config path. */
class PlatformPlanner {
    private readonly config: PlatformConfig;
    private readonly secrets: Record<string, pulumi.Input<string>>;
    /** Whether the children `protect` what holds data; only set when on, as their args' default is off. */
    private readonly protect: boolean;

    constructor(
        private readonly name: string,
        private readonly args: PipelinePlatformArgs,
        private readonly reporter: Reporter,
    ) {
        this.config = args.config;
        this.secrets = args.secrets ?? {};
        this.protect = this.config.protect === true;
    }

    private protection(): { protect?: true } {
        return this.protect ? { protect: true } : {};
    }

    plan(): PipelinePlatformBuild {
        const { config, name } = this;
        checkClaimAccessModes(config);
        const servicesNamespace = config.servicesNamespace;
        const projectNamespaces = this.projectNamespaces();
        const projectList = Object.values(projectNamespaces);
        const namespaces = [
            { name: servicesNamespace, labels: { [NAMESPACE_ROLE_LABEL]: "services" } },
            ...Object.entries(projectNamespaces).map(([project, namespace]) => ({
                name: namespace,
                labels: {
                    ...(config.projects[project].labels ?? {}),
                    [NAMESPACE_ROLE_LABEL]: "project",
                    [PROJECT_LABEL]: project,
                },
            })),
        ];
        const registries = this.registries(servicesNamespace, projectList);
        const eso = config.externalSecrets;
        const externalSecrets =
            registries.some((r) => r.refreshedInCluster) && !(eso && "existing" in eso)
                ? { namespace: (eso && "namespace" in eso && eso.namespace) || "external-secrets" }
                : undefined;

        const contour = planContourIngress(
            `${name}-contour`,
            "existing" in config.contour
                ? {
                      existing: true,
                      ingressClassName: config.contour.ingressClassName,
                      namespace: config.contour.namespace,
                  }
                : {
                      ingressClassName: config.contour.ingressClassName,
                      rootNamespaces: config.contour.rootNamespaces,
                      namespace: config.contour.namespace,
                  },
            this.at(movePaths("config.contour", [])),
        );
        const airflowNamespace = config.airflow.namespace ?? servicesNamespace;
        const storage = this.storage(airflowNamespace);
        const [bucket, setBucket] = pulumi.deferredOutput<string>();
        const [connectionSecretName, setConnectionSecretName] = pulumi.deferredOutput<string>();
        const airflow = this.airflow(airflowNamespace, projectList, registries, storage, contour, {
            bucket,
            connectionSecretName,
        });
        const [dagsClaimName, setDagsClaimName] = pulumi.deferredOutput<string>();
        const extensions = this.extensions(
            airflowNamespace,
            projectNamespaces,
            registries,
            dagsClaimName,
        );
        const pipelines = this.pipelines(projectList, contour);
        const monitoring = this.monitoring(
            airflowNamespace,
            airflow,
            contour,
            externalSecrets,
            registries,
            extensions,
        );
        const fences = planFences(
            name,
            config,
            {
                projectNamespaces,
                airflowNamespace,
                executor: config.airflow.executor ?? "KubernetesExecutor",
                contourNamespace: contour.plan.namespace,
                storages: storage.plan.storages,
                registries,
            },
            (map) => this.at(map),
        );
        if (pipelines.length === 0 && config.airflow.ingress === undefined) {
            // Otherwise the proxies' plans check the domains; unused, they must still be right.
            checkDefaultDomain(config.domains, "config.domains");
        }
        return {
            args: this.args,
            protect: this.protect,
            servicesNamespace,
            projectNamespaces,
            namespaces,
            externalSecrets,
            registries,
            contour,
            storage,
            airflow,
            extensions,
            pipelines,
            monitoring,
            fences,
            wiring: {
                logs:
                    config.airflow.logsStorage === undefined ||
                    config.airflow.logsIdentity !== undefined
                        ? undefined
                        : { bucket: setBucket, connectionSecretName: setConnectionSecretName },
                dagsClaimName: setDagsClaimName,
            },
        };
    }

    /** A reporter for a child's refusals: its paths mapped to config paths, reported as the platform's. */
    private at(map: (relative: string) => string): Reporter {
        return nestedReporter(this.reporter, map);
    }

    private projectNamespaces(): Record<string, string> {
        const { config } = this;
        const found: Record<string, string> = {};
        const owners = new Map<string, string>([[config.servicesNamespace, "servicesNamespace"]]);
        for (const [project, spec] of Object.entries(config.projects)) {
            const namespace = spec.namespace ?? project;
            const owner = owners.get(namespace);
            if (owner !== undefined) {
                invalidInput({
                    path: joinPath(joinPath("config.projects", project), "namespace"),
                    given: namespace,
                    expected: `a namespace of its own (${owner} uses ${namespace})`,
                    example: `${namespace}-2`,
                });
            }
            owners.set(namespace, `projects.${project}`);
            found[project] = namespace;
        }
        return found;
    }

    /** A `…ConfigKey`'s secret: the key must be set (`pulumi config set --secret <key>`). */
    private secret(key: string, path: string): pulumi.Output<string> {
        if (!Object.prototype.hasOwnProperty.call(this.secrets, key)) {
            const set = Object.keys(this.secrets);
            invalidInput({
                path,
                given: key,
                expected:
                    set.length === 0
                        ? "the name of a secure config key that is set (none is)"
                        : `the name of a secure config key that is set (${set.join(", ")}; did you mean ${closest(key, set)}?)`,
                example:
                    set.length === 0
                        ? `${key}, set with \`pulumi config set --secret ${key} <value>\``
                        : closest(key, set),
            });
        }
        return pulumi.secret(this.secrets[key]);
    }

    private registries(servicesNamespace: string, projectList: string[]): PlatformRegistry[] {
        const seen = new Map<string, number>();
        return this.config.registries.map((config, i) => {
            const path = joinPath("config.registries", i);
            refuseNameTaken(seen, "registry", "registries", config.name, i, path);
            const location = this.location(config, path);
            const secretName = `${config.name}-registry`;
            const planned: PlatformRegistry = {
                name: config.name,
                secretName,
                location,
                refreshedInCluster:
                    location.location === "ecr" ||
                    (location.location === "gcr" && location.workloadIdentity !== undefined),
            };
            const scopes =
                config.scope === "both" ? (["service", "project"] as const) : [config.scope];
            for (const scope of scopes) {
                planned[scope] = planRegistrySecret(
                    `${this.name}-registry-${config.name}-${scope}`,
                    {
                        registry: location,
                        scope,
                        namespaces: scope === "service" ? [servicesNamespace] : projectList,
                        secretName,
                        testPullImage: config.testPullImage,
                    },
                    this.at(
                        movePaths(path, [
                            ["registry.password", joinPath(path, "passwordConfigKey")],
                            [
                                "registry.serviceAccountKey",
                                joinPath(path, "serviceAccountKeyConfigKey"),
                            ],
                            ["registry", path],
                        ]),
                    ),
                );
            }
            return planned;
        });
    }

    /** A registry config's location, its `…ConfigKey`s replaced by their secrets. */
    private location(config: RegistryConfig, path: string): RegistryLocation {
        const fields = locationFields(config);
        if (fields.location === "off-cluster") {
            const { passwordConfigKey, ...rest } = fields;
            return {
                ...rest,
                password: this.secret(passwordConfigKey, joinPath(path, "passwordConfigKey")),
            };
        }
        if (fields.location === "gcr" && fields.serviceAccountKeyConfigKey !== undefined) {
            const { serviceAccountKeyConfigKey, ...rest } = fields;
            return {
                ...rest,
                serviceAccountKey: this.secret(
                    serviceAccountKeyConfigKey,
                    joinPath(path, "serviceAccountKeyConfigKey"),
                ),
            };
        }
        return fields as RegistryLocation;
    }

    private storage(airflowNamespace: string): S3StoragePlan {
        const { config } = this;
        const logsStorage = config.airflow.logsStorage;
        const logsSpec =
            logsStorage !== undefined &&
            Object.prototype.hasOwnProperty.call(config.storage.storages, logsStorage)
                ? config.storage.storages[logsStorage]
                : undefined;
        if (
            logsSpec !== undefined &&
            logsSpec.provider !== "external" &&
            logsSpec.koalja === false &&
            config.airflow.logsIdentity === undefined
        ) {
            // The storage would refuse a connection Secret without a key; the config's fix is here.
            invalidInput({
                path: "config.airflow.logsIdentity",
                given: undefined,
                expected: `a workload identity for Airflow's logs: storage.storages.${logsStorage}.koalja is false, so no key reaches the bucket`,
                example:
                    logsSpec.provider === "aws"
                        ? '{ provider: "aws", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE" }'
                        : '{ provider: "gcp", project: "pipeline-platform-prod" }',
            });
        }
        const storages = Object.fromEntries(
            Object.entries(config.storage.storages).map(([key, spec]) => [
                key,
                this.storageSpec(spec, joinPath("config.storage.storages", key)),
            ]),
        );
        return planS3Storage(
            `${this.name}-storage`,
            {
                namespace: config.storage.namespace,
                airflowNamespace,
                storages,
                airflowStorage: config.airflow.logsStorage,
                // Keys for Airflow only where its logs are reached with keys.
                airflowConnection:
                    config.airflow.logsStorage !== undefined &&
                    config.airflow.logsIdentity === undefined,
                ...this.protection(),
            },
            this.at(
                movePaths("config.storage", [
                    ["airflowStorage", "config.airflow.logsStorage"],
                    ...Object.keys(storages).flatMap((key) => {
                        const from = joinPath(joinPath("storages", key), "accessKey");
                        const to = joinPath(
                            joinPath("config.storage.storages", key),
                            "accessKeyConfigKey",
                        );
                        return [
                            [from, to],
                            [
                                from.replace(/accessKey$/, "secretKey"),
                                to.replace(/accessKeyConfigKey$/, "secretKeyConfigKey"),
                            ],
                        ] as Array<[string, string]>;
                    }),
                ]),
            ),
        );
    }

    private storageSpec(config: StorageConfig, path: string): StorageSpec {
        if (config.provider !== "external") {
            return config;
        }
        const { accessKeyConfigKey, secretKeyConfigKey, ...rest } = config;
        return {
            ...rest,
            accessKey: this.secret(accessKeyConfigKey, joinPath(path, "accessKeyConfigKey")),
            secretKey: this.secret(secretKeyConfigKey, joinPath(path, "secretKeyConfigKey")),
        };
    }

    private airflow(
        namespace: string,
        projectList: string[],
        registries: PlatformRegistry[],
        storage: S3StoragePlan,
        contour: ContourIngressPlan,
        logs: { bucket: pulumi.Output<string>; connectionSecretName: pulumi.Output<string> },
    ): AirflowDeploymentPlan {
        const { config } = this;
        const airflow = config.airflow;
        const { git, gitPath } = this.gitDags();
        const serviceRegistries = registries
            .filter((r) => r.service !== undefined)
            .map((r) => r.secretName);
        const args: AirflowDeploymentArgs = {
            namespace,
            executor: airflow.executor,
            database: airflow.database,
            dags: git === undefined ? airflow.dags : { ...airflow.dags, git },
            projectNamespaces: projectList,
            // Task pods run in the project namespaces, so their templates pull with the project-scope secrets.
            runConfig: {
                ...(airflow.runConfig ?? {}),
                imagePullSecrets: [
                    ...(airflow.runConfig?.imagePullSecrets ?? []),
                    ...registries.filter((r) => r.project !== undefined).map((r) => r.secretName),
                ],
            },
            logs:
                airflow.logsIdentity !== undefined
                    ? this.identityLogs(airflow.logsIdentity, storage)
                    : airflow.logsStorage === undefined
                      ? undefined
                      : { ...logs, connectionId: storage.plan.connectionId },
            ingress: airflow.ingress
                ? {
                      domains: config.domains,
                      pipeline: airflow.ingress.pipeline,
                      tls: airflow.ingress.tls,
                      ingressClassName: contour.plan.ingressClassName,
                  }
                : undefined,
            // The chart's images pull with the service-scope registries' Secrets.
            imagePullSecrets: serviceRegistries.length > 0 ? serviceRegistries : undefined,
            fernetKey: airflow.fernetKey,
            celery: airflow.celery,
            ...this.protection(),
        };
        return planAirflowDeployment(
            `${this.name}-airflow`,
            args,
            this.at(
                movePaths("config.airflow", [
                    ["ingress.domains", "config.domains"],
                    ["ingress.ingressClassName", "config.contour.ingressClassName"],
                    ["logs.workloadIdentity", "config.airflow.logsIdentity"],
                    ["logs", "config.airflow.logsStorage"],
                    ["projectNamespaces", "config.projects"],
                    ["imagePullSecrets", "config.registries"],
                    ["dags.git", gitPath],
                ]),
            ),
        );
    }

    /**
     * Airflow's one git DAG source: `airflow.dags.git` or the extension with `dagsFromGit`. The
     * chart's git-sync syncs one repository, and Airflow then reads its folder only, so DAG
     * installers' copies beside it would not be read.
     */
    private gitDags(): { git?: AirflowGitDags; gitPath: string } {
        const { config } = this;
        const extensions = config.extensions ?? [];
        let git = config.airflow.dags?.git;
        let gitPath = "config.airflow.dags.git";
        let source = "airflow.dags.git";
        extensions.forEach((extension, i) => {
            if (extension.dagsFromGit === undefined) {
                return;
            }
            const path = joinPath(joinPath("config.extensions", i), "dagsFromGit");
            if (git !== undefined) {
                invalidInput({
                    path,
                    given: extension.dagsFromGit.repository,
                    expected: `no second git DAG source: the chart's git-sync syncs one repository and ${source} is one`,
                    example:
                        "(give this extension an installer, or put its DAGs in that repository)",
                });
            }
            git = extension.dagsFromGit;
            gitPath = path;
            source = `extensions[${i}] (${extension.name})`;
        });
        const installers = extensions.filter((e) => e.installer !== undefined);
        if (git !== undefined && installers.length > 0) {
            invalidInput({
                path: gitPath,
                given: git.repository,
                expected: `DAGs from git or from extensions' DAG installers, not both: with git-sync Airflow reads the repository's folder only, and the installers of ${installers.map((e) => e.name).join(", ")} copy beside it`,
                example:
                    "(leave the git source out, or move the extensions' DAGs into the repository)",
            });
        }
        return { git, gitPath };
    }

    /** The monitoring of what the platform installs, planned when `monitoring.enabled`. */
    private monitoring(
        airflowNamespace: string,
        airflow: AirflowDeploymentPlan,
        contour: ContourIngressPlan,
        externalSecrets: PipelinePlatformBuild["externalSecrets"],
        registries: PlatformRegistry[],
        extensions: PipelinePlatformBuild["extensions"],
    ): PlatformMonitoringPlan | undefined {
        const config = this.config.monitoring;
        if (config === undefined || !config.enabled) {
            return undefined;
        }
        const refreshed = registries.filter((r) => r.refreshedInCluster).map((r) => r.secretName);
        const installers = extensions.flatMap((e) =>
            e.plan.plan.chart ? [e.plan.plan.chart.plan.releaseName] : [],
        );
        return planPlatformMonitoring(
            `${this.name}-monitoring`,
            {
                namespace: config.namespace ?? this.config.servicesNamespace,
                selectorLabels: config.selectorLabels,
                interval: config.interval,
                airflow: { namespace: airflowNamespace, releaseName: airflow.plan.names.release },
                // An existing Contour or ESO runs under names this config does not know.
                contour: contour.plan.existing ? undefined : { namespace: contour.plan.namespace },
                externalSecrets: externalSecrets && { namespace: externalSecrets.namespace },
                refreshedSecrets: externalSecrets && refreshed.length > 0 ? refreshed : undefined,
                dagInstallers:
                    installers.length > 0
                        ? { namespace: airflowNamespace, releases: installers }
                        : undefined,
                alerts: config.alerts,
                rules: config.rules,
                dashboard: config.dashboard,
            },
            this.at(movePaths("config.monitoring", [])),
        );
    }

    /**
     * Airflow's logs in `logsStorage`, reached with a workload identity of the storage's cloud: its
     * bucket (and region on AWS); no key, so the storage makes none for Airflow.
     */
    private identityLogs(
        identity: CloudWorkloadIdentity,
        storage: S3StoragePlan,
    ): AirflowIdentityLogs {
        if (this.config.airflow.logsStorage === undefined) {
            const known = Object.keys(this.config.storage.storages);
            invalidInput({
                path: "config.airflow.logsStorage",
                given: undefined,
                expected: `the storage airflow.logsIdentity reaches (${known.join(", ")})`,
                example: known.find((key) => key !== "default") ?? "default",
            });
        }
        const logs = storage.plan.logStorage;
        if (logs.spec.provider !== identity.provider) {
            invalidInput({
                path: "config.airflow.logsIdentity.provider",
                given: identity.provider,
                expected: `the cloud of airflow.logsStorage "${logs.name}" (${logs.spec.provider}); an external storage is reached with its keys only`,
                example: logs.spec.provider === "gcp" ? "gcp" : "aws",
            });
        }
        return {
            bucket: logs.bucket,
            ...(logs.spec.provider === "aws" ? { region: logs.spec.region } : {}),
            workloadIdentity: identity,
        };
    }

    private extensions(
        namespace: string,
        projectNamespaces: Record<string, string>,
        registries: PlatformRegistry[],
        dagsClaimName: pulumi.Output<string>,
    ): PipelinePlatformBuild["extensions"] {
        const seen = new Map<string, number>();
        return (this.config.extensions ?? []).map((extension, i) => {
            const path = joinPath("config.extensions", i);
            refuseNameTaken(seen, "extension", "extensions", extension.name, i, path);
            const project = this.registryFor(
                registries,
                extension.projectRegistry,
                "project",
                joinPath(path, "projectRegistry"),
            );
            const service = this.registryFor(
                registries,
                extension.serviceRegistry,
                "service",
                joinPath(path, "serviceRegistry"),
            );
            if (extension.target === "kaapana") {
                return this.kaapanaExtension(extension, path, project, service);
            }
            if (extension.chart !== undefined) {
                invalidInput({
                    path: joinPath(path, "chart"),
                    given: extension.chart,
                    expected:
                        'nothing for target "pipeline-platform" (the bundled chart installs it); a Kaapana workflow-extension chart goes with target "kaapana"',
                    example: "(leave it out)",
                });
            }
            const projects = (extension.projects ?? Object.keys(projectNamespaces)).map((p, j) => {
                if (!Object.prototype.hasOwnProperty.call(projectNamespaces, p)) {
                    const known = Object.keys(projectNamespaces);
                    invalidInput({
                        path: joinPath(joinPath(path, "projects"), j),
                        given: p,
                        expected: `a declared project (${known.join(", ")})`,
                        example: closest(p, known),
                    });
                }
                return projectNamespaces[p];
            });
            const plan = planWorkflowExtension(
                `${this.name}-extension-${extension.name}`,
                {
                    version: extension.version,
                    processingImages: extension.processingImages,
                    installer: extension.installer,
                    dagsFromGit: extension.dagsFromGit,
                    namespace,
                    projectNamespaces: projects,
                    createRepositories: extension.createRepositories,
                    extensionName: extension.name,
                    ...this.protection(),
                    projectRegistry: {
                        registry: project.location,
                        scope: "project",
                        secretName: project.secretName,
                    },
                    serviceRegistry: {
                        registry: service.location,
                        scope: "service",
                        secretName: service.secretName,
                    },
                    dagsClaimName,
                },
                this.at(
                    movePaths(path, [
                        ["extensionName", joinPath(path, "name")],
                        ["projectNamespaces", joinPath(path, "projects")],
                        ["projectRegistry", joinPath(path, "projectRegistry")],
                        ["serviceRegistry", joinPath(path, "serviceRegistry")],
                        ["namespace", "config.airflow.namespace"],
                        ["dagsClaimName", "config.airflow.dags"],
                    ]),
                ),
            );
            return {
                name: extension.name,
                projectRegistry: project.name,
                serviceRegistry: service.name,
                namespaces: [namespace, ...projects],
                kaapana: false,
                plan,
            };
        });
    }

    /** An extension installed into the config's Kaapana platform, with Kaapana's pull Secrets. */
    private kaapanaExtension(
        extension: ExtensionConfig,
        path: string,
        project: PlatformRegistry,
        service: PlatformRegistry,
    ): PipelinePlatformBuild["extensions"][number] {
        const kaapana = this.config.kaapana;
        if (kaapana === undefined) {
            invalidInput({
                path: joinPath(path, "target"),
                given: "kaapana",
                expected:
                    'target "pipeline-platform", or a kaapana section in the config (the Kaapana platform to install into)',
                example: "pipeline-platform",
            });
        }
        if (extension.projects !== undefined) {
            invalidInput({
                path: joinPath(path, "projects"),
                given: extension.projects,
                expected:
                    'nothing for target "kaapana" (kaapana.projectNamespaces names the Kaapana project namespaces)',
                example: "(leave it out)",
            });
        }
        const { servicesNamespace, projectNamespaces, ...target } = kaapana;
        const plan = planWorkflowExtension(
            `${this.name}-extension-${extension.name}`,
            {
                version: extension.version,
                processingImages: extension.processingImages,
                installer: extension.installer,
                namespace: servicesNamespace ?? "services",
                target: { platform: "kaapana", ...target },
                chart: extension.chart,
                projectNamespaces: projectNamespaces ?? ["project-admin"],
                createRepositories: extension.createRepositories,
                extensionName: extension.name,
                ...this.protection(),
                projectRegistry: { registry: project.location, scope: "project" },
                serviceRegistry: { registry: service.location, scope: "service" },
            },
            this.at(
                movePaths(path, [
                    ["extensionName", joinPath(path, "name")],
                    ["projectNamespaces", "config.kaapana.projectNamespaces"],
                    ["namespace", "config.kaapana.servicesNamespace"],
                    ["target", "config.kaapana"],
                    ["projectRegistry", joinPath(path, "projectRegistry")],
                    ["serviceRegistry", joinPath(path, "serviceRegistry")],
                ]),
            ),
        );
        return {
            name: extension.name,
            projectRegistry: project.name,
            serviceRegistry: service.name,
            namespaces: [],
            kaapana: true,
            plan,
        };
    }

    private registryFor(
        registries: PlatformRegistry[],
        name: string,
        scope: "project" | "service",
        path: string,
    ): PlatformRegistry {
        const found = registries.find((r) => r.name === name);
        if (found === undefined || found[scope] === undefined) {
            const candidates = registries.filter((r) => r[scope] !== undefined).map((r) => r.name);
            invalidInput({
                path,
                given: name,
                expected: `a registry with scope ${scope} or both (${candidates.join(", ") || "none declared"})`,
                example: candidates.length > 0 ? closest(name, candidates) : "local",
            });
        }
        return found;
    }

    private pipelines(projectList: string[], contour: ContourIngressPlan): PipelineIngressPlan[] {
        const plans = (this.config.pipelines ?? []).map((pipeline, i) => {
            const path = joinPath("config.pipelines", i);
            if (!projectList.includes(pipeline.namespace)) {
                invalidInput({
                    path: joinPath(path, "namespace"),
                    given: pipeline.namespace,
                    expected: `a project namespace (${projectList.join(", ")})`,
                    example: closest(pipeline.namespace, projectList),
                });
            }
            return planPipelineIngress(
                `${this.name}-pipeline-${pipeline.namespace}-${pipeline.name}`,
                {
                    pipeline: pipeline.name,
                    namespace: pipeline.namespace,
                    labels: pipeline.labels,
                    domains: this.config.domains,
                    service: { name: pipeline.service, port: pipeline.port },
                    tasks: pipeline.tasks,
                    tls: pipeline.tls,
                    ingressClassName: contour.plan.ingressClassName,
                },
                this.at(
                    movePaths(path, [
                        ["pipeline", joinPath(path, "name")],
                        ["service.name", joinPath(path, "service")],
                        ["service.port", joinPath(path, "port")],
                        ["domains", "config.domains"],
                        ["ingressClassName", "config.contour.ingressClassName"],
                    ]),
                ),
            );
        });
        checkHostnames(plans);
        return plans;
    }
}

type LocationFields<T> = T extends unknown ? Omit<T, keyof RegistryCommon> : never;

/** A registry config without the fields every registry has: the location and its `…ConfigKey`s. */
function locationFields(config: RegistryConfig): LocationFields<RegistryConfig> {
    const common = new Set<string>(["name", "scope", "testPullImage"]);
    return Object.fromEntries(
        Object.entries(config).filter(([key]) => !common.has(key)),
    ) as LocationFields<RegistryConfig>;
}

/**
 * Refuses the `i`-th entry of a config list when an earlier entry has its name (at `<path>.name`,
 * naming the earlier index), and records the name as taken otherwise.
 */
function refuseNameTaken(
    seen: Map<string, number>,
    noun: string,
    list: string,
    name: string,
    i: number,
    path: string,
): void {
    const first = seen.get(name);
    if (first !== undefined) {
        invalidInput({
            path: joinPath(path, "name"),
            given: name,
            expected: `a name no other ${noun} uses (${list}[${first}] has it)`,
            example: `${name}-2`,
        });
    }
    seen.set(name, i);
}
