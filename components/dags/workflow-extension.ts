import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    configMapKeyProblems,
    FORMATS,
    invalidInput,
    joinPath,
    movePath,
    movePaths,
    nestedReporter,
    planComponent,
    reportRefusals,
    standardLabels,
    usePlan,
    whenKnown,
    type ImageName,
    type ImageReferenceText,
    type ImageTag,
    type NamespaceName,
    type ObjectName,
    type Planned,
    type Reporter,
    type SecretName,
    type SemVer,
} from "../core";
import {
    plannedImageName,
    planProcessingImage,
    ProcessingImage,
    type ProcessingImageArgs,
    type ProcessingImagePlan,
} from "../images";
import { gitSyncValues, type AirflowGitDags } from "../airflow";
import {
    knownImagePrefix,
    planRegistrySecret,
    RegistrySecret,
    type RegistryLocation,
    type RegistrySecretPlan,
} from "../registry";
import {
    DagInstallerChart,
    planDagInstallerChart,
    type DagInstallerChartPlan,
} from "./dag-installer-chart";
import {
    KAAPANA,
    kaapanaImage,
    kaapanaPullSecretName,
    type InstallerTarget,
    type KaapanaTarget,
} from "./kaapana";

/**
 * A registry as the extension needs it: where to push, and the pull Secret that serves the scope.
 * A `RegistrySecret` plus its location fits: `{ registry: location, scope: "project", secretName: secret.secretName }`.
 */
export interface ExtensionRegistry {
    /** Where images are pushed, with push credentials. */
    registry: RegistryLocation;
    /**
     * `project` for processing images (project namespaces), `service` for the DAG installer image (services namespace).
     * @example "project"
     */
    scope: "project" | "service";
    /**
     * Name of the pull Secret of that scope; required for this platform. Not for a Kaapana target:
     * the extension creates the Secret under the name Kaapana's workloads pull with.
     * @example "registry-credentials"
     */
    secretName?: pulumi.Input<SecretName>;
}

/** One processing-container image of the extension, pushed to the project registry. */
export interface ExtensionImage extends Pick<
    ProcessingImageArgs,
    "name" | "context" | "dockerfile" | "target" | "buildArgs" | "platform"
> {
    /**
     * Image tag. Default: the extension's `version`.
     * @example "1.0.0"
     */
    tag?: ImageTag;
}

/** A DAG installer image built from a folder: a Dockerfile, the `dags/` and `plugins/` it copies and its install script. */
export interface InstallerFolder extends Pick<
    ProcessingImageArgs,
    "dockerfile" | "target" | "platform" | "buildArgs"
> {
    /**
     * Folder with the installer Dockerfile and the `dags/`, `plugins/` it copies.
     * @minLength 1
     * @example "extension"
     */
    context: string;
    /**
     * Repository name under the service registry prefix. Default `dag-<extension name>`.
     * @example "dag-otsus-method"
     */
    name?: ImageName;
}

/** A DAG installer image that exists already. */
export interface InstallerImage {
    /**
     * The installer image reference, without protocol, with a tag or digest.
     * @example "registry.example.com/team/dag-otsus-method:1.0.0"
     */
    imageName: ImageReferenceText;
}

/** The DAG installer image: built from a folder, or one that exists already. */
export type ExtensionInstaller = InstallerFolder | InstallerImage;

export interface WorkflowExtensionArgs {
    /** The extension's version: the installer image tag and the default processing image tag. */
    version: SemVer;
    /** The project-scope registry processing images are pushed to and pulled from. */
    projectRegistry: ExtensionRegistry;
    /** The service-scope registry of the DAG installer image. */
    serviceRegistry: ExtensionRegistry;
    /**
     * Processing-container images; names must be unique. Default: none.
     * @example [{ name: "otsus-method", context: "processing-container" }]
     */
    processingImages?: ExtensionImage[];
    /**
     * The DAG installer image: exactly one of `installer` and `dagsFromGit`.
     * @example { context: "extension" }
     */
    installer?: ExtensionInstaller;
    /**
     * The extension's DAGs come from a git repository, synced by Airflow's git-sync (give the same
     * value as the AirflowDeployment's `dags.git`; a PipelinePlatform does): no installer image or
     * chart, while the processing images still build and push. Exactly one of `installer` and
     * `dagsFromGit`.
     * @example { repository: "https://github.com/example/otsus-method.git", ref: "v1.0.0", subPath: "dags" }
     */
    dagsFromGit?: AirflowGitDags;
    /**
     * Airflow's services namespace, where the installer runs (Kaapana's services namespace for a
     * Kaapana target).
     * @example "services"
     */
    namespace: NamespaceName;
    /**
     * Where the extension installs: this platform (default) or an existing Kaapana platform (see
     * `DagInstallerChart.target`). A Kaapana target also creates the project- and service-scope
     * pull Secrets under the name Kaapana's workloads pull with, `registry-secret-<hash>`.
     * @example { platform: "kaapana", registryUrl: "registry.example.com/kaapana", buildVersion: "0.6.0", mainNodeName: "kaapana-main" }
     */
    target?: InstallerTarget;
    /**
     * Airflow's DAG PersistentVolumeClaim; required for this platform, not for a Kaapana target
     * (Kaapana's chart mounts its own).
     * @example "airflow-dags"
     */
    dagsClaimName?: pulumi.Input<ObjectName>;
    /**
     * Airflow's plugin PersistentVolumeClaim. Default: plugins are not kept.
     * @example "airflow-plugins"
     */
    pluginsClaimName?: pulumi.Input<ObjectName>;
    /**
     * Project namespaces that get the `<extension>-images` ConfigMap (and, for a Kaapana target,
     * the project-scope pull Secret: Kaapana's `project-<name>` namespaces). Default: none.
     * @uniqueItems true
     * @example ["project-a"]
     */
    projectNamespaces?: NamespaceName[];
    /**
     * Extension name in object names (the ConfigMap `<extension>-images`, the Helm release when at
     * most 40 characters). Default: the resource name.
     * @maxLength 56
     * @example "otsus-method"
     */
    extensionName?: ObjectName;
    /**
     * Build and push during preview too. Default false.
     * @example false
     */
    buildOnPreview?: boolean;
    /**
     * Create the ECR / Artifact Registry repositories. Default false.
     * @example false
     */
    createRepositories?: boolean;
    /**
     * Sets Pulumi's `protect` on the created repositories (they are always `retainOnDelete`):
     * deleting or replacing one fails until it is unprotected. Default false.
     * @example true
     */
    protect?: boolean;
    /**
     * A chart instead of the bundled dag-installer chart; for a Kaapana target the Kaapana
     * workflow-extension chart folder (see `DagInstallerChart.chart`).
     * @minLength 1
     * @example "extension/otsus-method-workflow-1.0.0.tgz"
     */
    chart?: string;
    /**
     * Extra values for the chart (see `DagInstallerChart.values`).
     * @example { activeDeadlineSeconds: 900 }
     */
    values?: Record<string, unknown>;
}

/** What a WorkflowExtension builds: the checked args and the plans of its children. */
export interface WorkflowExtensionBuild {
    args: WorkflowExtensionArgs;
    extensionName: string;
    /** Each processing image by its name in `images`. */
    images: Array<{ name: string; plan: ProcessingImagePlan }>;
    /** The installer image to build, or the one the args name; none with `dagsFromGit`. */
    installer?: PlannedInstaller | InstallerImage;
    /** The dag-installer chart; none with `dagsFromGit`. */
    chart?: DagInstallerChartPlan;
    imagesConfigMapName: string;
    /** For a Kaapana target: the pull Secrets of Kaapana's name, by scope, when a custom registry needs one. */
    kaapanaSecrets: RegistrySecretPlan[];
}

/**
 * An installer image to build. Its plan, and the chart's, hold the processing image references (its
 * `PROCESSING_IMAGES` build arg) and its own image name (the chart's image) when every registry's
 * image prefix is known while planning; an ECR registry without `registryId` makes them Outputs
 * that the constructor sets, once, from the images it builds.
 */
export interface PlannedInstaller {
    image: ProcessingImagePlan;
    later: {
        processingImages?: (images: pulumi.Output<string>) => void;
        imageName?: (imageName: pulumi.Output<string>) => void;
    };
}

/** A WorkflowExtension's validated input; see {@link planWorkflowExtension}. */
export type WorkflowExtensionPlan = Planned<"WorkflowExtension", WorkflowExtensionBuild>;

/** The build arg the installer image receives the processing image references in, as JSON. */
const PROCESSING_IMAGES = "PROCESSING_IMAGES";
/** The build arg the installer image receives the processing pods' pull Secret names in, as a JSON list. */
const IMAGE_PULL_SECRETS = "IMAGE_PULL_SECRETS";
/** The build args the extension sets itself, each with what it sets it to: an installer may not. */
const RESERVED_BUILD_ARGS = [
    [PROCESSING_IMAGES, "the processing image references"],
    [IMAGE_PULL_SECRETS, "the processing pods' pull Secret names"],
] as const;

/**
 * Kaapana's workflow extension in one declaration: builds and pushes the processing images to the
 * project-scope registry and the DAG installer image to the service-scope registry, installs the
 * dag-installer chart with the service pull Secret and Airflow's DAG volume, and publishes the
 * processing image references (no protocol) as a ConfigMap `<extension>-images` in each project namespace.
 */
export class WorkflowExtension extends pulumi.ComponentResource {
    /** Processing image references by image name, `prefix/name:tag` without protocol. */
    public readonly images: Record<string, pulumi.Output<string>>;
    /** The DAG installer image reference; undefined with `dagsFromGit`. */
    public readonly installerImageName: pulumi.Output<string | undefined>;
    /** The dag-installer Helm release; undefined with `dagsFromGit`. */
    public readonly releaseName: pulumi.Output<string | undefined>;
    /** Name of the ConfigMap in each project namespace. */
    public readonly imagesConfigMapName: string;

    constructor(
        name: string,
        args: WorkflowExtensionArgs | WorkflowExtensionPlan,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const plan = usePlan("WorkflowExtension", name, args, planWorkflowExtension);
        super("pipeline-platform:dags:WorkflowExtension", name, {}, opts);

        const kaapanaSecrets = plan.kaapanaSecrets.map(
            (secret) => new RegistrySecret(secret.name, secret, { parent: this }),
        );

        this.images = {};
        for (const image of plan.images) {
            this.images[image.name] = new ProcessingImage(image.plan.name, image.plan, {
                parent: this,
            }).imageName;
        }

        if (plan.installer === undefined || plan.chart === undefined) {
            // DAGs come from git through Airflow's git-sync: nothing to install.
            this.installerImageName = pulumi.output(undefined);
            this.releaseName = pulumi.output(undefined);
        } else {
            if ("imageName" in plan.installer) {
                this.installerImageName = pulumi.output(plan.installer.imageName);
            } else {
                // The installer build receives the processing image references as JSON, so DAG code
                // never hard-codes a registry (Kaapana's "set image= without protocol" step).
                const { image, later } = plan.installer;
                later.processingImages?.(
                    pulumi.all(this.images).apply((images) => JSON.stringify(images)),
                );
                const installerImageName = new ProcessingImage(image.name, image, {
                    parent: this,
                }).imageName;
                later.imageName?.(installerImageName);
                this.installerImageName = installerImageName;
            }
            const chart = new DagInstallerChart(plan.chart.name, plan.chart, {
                parent: this,
                dependsOn: kaapanaSecrets,
            });
            this.releaseName = chart.releaseName;
        }

        this.imagesConfigMapName = plan.imagesConfigMapName;
        for (const namespace of plan.args.projectNamespaces ?? []) {
            new k8s.core.v1.ConfigMap(
                `${name}-images-${namespace}`,
                {
                    metadata: {
                        name: this.imagesConfigMapName,
                        namespace,
                        labels: standardLabels("dags", {
                            "app.kubernetes.io/name": plan.extensionName,
                            "app.kubernetes.io/version": plan.args.version,
                        }),
                    },
                    data: Object.fromEntries(
                        plan.images.map((image) => [
                            imageConfigKey(image.name),
                            this.images[image.name],
                        ]),
                    ),
                },
                { parent: this },
            );
        }

        this.registerOutputs({
            images: this.images,
            installerImageName: this.installerImageName,
            releaseName: this.releaseName,
            imagesConfigMapName: this.imagesConfigMapName,
        });
    }
}

/**
 * Checks a WorkflowExtension's args without creating anything and returns the plan its
 * constructor builds from: the plans of its processing images, its installer image and its
 * dag-installer chart, each checked once here (their refusals name this extension and the paths
 * of its args: `processingImages[1].tag`, `installer.context`, `values.backoffLimit`).
 */
export function planWorkflowExtension(
    name: string,
    args: WorkflowExtensionArgs,
    reporter?: Reporter,
): WorkflowExtensionPlan {
    return planComponent(
        "WorkflowExtension",
        "WorkflowExtensionArgs",
        name,
        args,
        (checked: WorkflowExtensionArgs, reported: Reporter) => {
            const extensionName = checked.extensionName ?? defaultExtensionName(name);
            checkScope(
                checked.projectRegistry,
                "projectRegistry",
                "project",
                "processing images run in project namespaces, which hold project-scope pull Secrets",
            );
            checkScope(
                checked.serviceRegistry,
                "serviceRegistry",
                "service",
                "the DAG installer runs in the services namespace, which holds service-scope pull Secrets",
            );
            const kaapana = checked.target?.platform === "kaapana" ? checked.target : undefined;
            for (const key of ["projectRegistry", "serviceRegistry"] as const) {
                checkSecretName(checked[key], key, kaapana);
            }
            const kaapanaSecrets =
                kaapana === undefined ? [] : planKaapanaSecrets(name, checked, kaapana, reported);
            const images = planImages(name, checked, reported);
            if ((checked.installer === undefined) === (checked.dagsFromGit === undefined)) {
                invalidInput({
                    path: "installer",
                    given:
                        checked.installer === undefined
                            ? undefined
                            : "an installer and dagsFromGit",
                    expected: "exactly one of installer (a DAG installer image) and dagsFromGit",
                    example: '{ context: "extension" }',
                });
            }
            if (checked.dagsFromGit !== undefined && kaapana !== undefined) {
                invalidInput({
                    path: "dagsFromGit",
                    given: checked.dagsFromGit,
                    expected:
                        "nothing for a Kaapana target (Kaapana installs DAGs through its dag-installer chart: give an installer)",
                    example: "(leave it out)",
                });
            }
            if (checked.dagsFromGit !== undefined) {
                const git = checked.dagsFromGit;
                reportRefusals(nestedReporter(reported, movePath("dags.git", "dagsFromGit")), () =>
                    gitSyncValues(git),
                );
                return {
                    args: checked,
                    extensionName,
                    images,
                    imagesConfigMapName: `${extensionName}-images`,
                    kaapanaSecrets,
                };
            }
            const installer = planInstaller(
                name,
                extensionName,
                checked.installer as ExtensionInstaller,
                checked,
                images,
                reported,
            );
            const chart = planDagInstallerChart(
                `${name}-installer`,
                {
                    image: { imageName: installer.imageName },
                    namespace: checked.namespace,
                    target: checked.target,
                    imagePullSecrets:
                        kaapana === undefined ? [checked.serviceRegistry.secretName!] : [],
                    dagsClaimName: checked.dagsClaimName,
                    pluginsClaimName: checked.pluginsClaimName,
                    action: "copy",
                    chart: checked.chart,
                    chartVersion: kaapana === undefined ? undefined : checked.version,
                    releaseName: extensionName.length <= 40 ? extensionName : undefined,
                    values: checked.values,
                },
                nestedReporter(
                    reported,
                    movePaths("", [
                        ["image.imageName", "installer.imageName"],
                        ["imagePullSecrets[0]", "serviceRegistry.secretName"],
                        ["releaseName", "extensionName"],
                    ]),
                ),
            );
            return {
                args: checked,
                extensionName,
                images,
                installer: installer.planned,
                chart,
                imagesConfigMapName: `${extensionName}-images`,
                kaapanaSecrets,
            };
        },
        reporter,
    );
}

/** ConfigMap key of an image: its name with `/` turned into `.`. */
export function imageConfigKey(imageName: string): string {
    return imageName.replace(/\//g, ".");
}

/**
 * The installer image the args name, or the plan of the one built from a folder, pushed to the
 * service registry and tagged with the extension's version (its name is known once it is built).
 */
function planInstaller(
    name: string,
    extensionName: string,
    installer: ExtensionInstaller,
    args: WorkflowExtensionArgs,
    images: WorkflowExtensionBuild["images"],
    reporter: Reporter,
): { planned: PlannedInstaller | InstallerImage; imageName: pulumi.Input<string> } {
    if ("imageName" in installer) {
        return { planned: installer, imageName: installer.imageName };
    }
    for (const [arg, setTo] of RESERVED_BUILD_ARGS) {
        if (installer.buildArgs !== undefined && Object.hasOwn(installer.buildArgs, arg)) {
            invalidInput({
                path: joinPath("installer.buildArgs", arg),
                given: arg,
                expected: `a build arg other than ${arg} (the extension sets it to ${setTo})`,
                example: "PYTHON_VERSION",
            });
        }
    }
    const installerName = installer.name ?? `dag-${extensionName}`;
    if (args.target?.platform === "kaapana") {
        const image = kaapanaImage(`registry.example.com/${installerName}:${args.version}`);
        if (typeof image === "string") {
            invalidInput({
                path: installer.name === undefined ? "extensionName" : "installer.name",
                given: installer.name ?? extensionName,
                expected: `an installer image name Kaapana's chart can run: ${image}`,
                example: "dag-otsus-method",
            });
        }
    }
    const later: PlannedInstaller["later"] = {};
    const imageNames = images.map(({ name, plan }) => [name, plannedImageName(plan.plan)] as const);
    let processingImages: pulumi.Input<string>;
    if (imageNames.every(([, imageName]) => imageName !== undefined)) {
        processingImages = JSON.stringify(Object.fromEntries(imageNames));
    } else {
        [processingImages, later.processingImages] = pulumi.deferredOutput<string>();
    }
    const image = planProcessingImage(
        `${name}-installer-image`,
        {
            context: installer.context,
            dockerfile: installer.dockerfile,
            target: installer.target,
            platform: installer.platform,
            buildArgs: {
                ...installer.buildArgs,
                [PROCESSING_IMAGES]: processingImages,
                [IMAGE_PULL_SECRETS]: processingPullSecrets(args),
            },
            name: installerName,
            tag: args.version,
            registry: args.serviceRegistry.registry,
            buildOnPreview: args.buildOnPreview,
            createRepository: args.createRepositories,
            ...(args.protect ? { protect: true } : {}),
        },
        nestedReporter(
            reporter,
            movePaths("installer", [
                ["registry", "serviceRegistry.registry"],
                ["createRepository", "createRepositories"],
                ["tag", "version"],
                ...(installer.name === undefined
                    ? [["name", "extensionName"] as [string, string]]
                    : []),
            ]),
        ),
    );
    let imageName: pulumi.Input<string> | undefined = plannedImageName(image.plan);
    if (imageName === undefined) {
        [imageName, later.imageName] = pulumi.deferredOutput<string>();
    }
    return { planned: { image, later }, imageName };
}

/** The extension name when none is given: the resource name, which must then be a DNS label. */
function defaultExtensionName(name: string): string {
    const label = FORMATS["dns-label"];
    if (label.problems(name).length > 0 || name.length > 56) {
        const suggestion = label.suggest?.(name)?.slice(0, 56).replace(/-+$/, "");
        invalidInput({
            path: "extensionName",
            given: undefined,
            expected: `an extension name: the default, the resource name ${JSON.stringify(name)}, is not a DNS-1123 label of at most 56 characters`,
            example: suggestion !== undefined && suggestion !== "" ? suggestion : "otsus-method",
        });
    }
    return name;
}

/**
 * The plans of the processing images. Their names must stay distinct as ConfigMap keys (`/`
 * becomes `.`) and as resource names (`/` becomes `-`, beside the installer image's).
 */
function planImages(
    name: string,
    args: WorkflowExtensionArgs,
    reporter: Reporter,
): WorkflowExtensionBuild["images"] {
    // Who holds a ConfigMap key, and a resource name.
    const keys = new Map<string, string>();
    const roles = new Map<string, string>(
        args.installer === undefined || "imageName" in args.installer
            ? []
            : [["installer-image", "the installer image"]],
    );
    return (args.processingImages ?? []).map((image, i) => {
        const path = joinPath("processingImages", i);
        const key = imageConfigKey(image.name);
        const role = image.name.replace(/\//g, "-");
        const holder = keys.get(key) ?? roles.get(role);
        if (holder !== undefined) {
            invalidInput({
                path: joinPath(path, "name"),
                given: image.name,
                expected: `a name not used by another image of the extension, also with '/' read as '.' or '-' (${holder} has it)`,
                example: `${image.name}-gpu`,
            });
        }
        if (configMapKeyProblems(key).length > 0) {
            invalidInput({
                path: joinPath(path, "name"),
                given: image.name,
                expected: `a name that makes a ConfigMap key: ${configMapKeyProblems(key).join("; ")}`,
                example: "otsus-method",
            });
        }
        keys.set(key, path);
        roles.set(role, path);
        return {
            name: image.name,
            plan: planProcessingImage(
                `${name}-${role}`,
                {
                    ...image,
                    tag: image.tag ?? args.version,
                    registry: args.projectRegistry.registry,
                    buildOnPreview: args.buildOnPreview,
                    createRepository: args.createRepositories,
                    ...(args.protect ? { protect: true } : {}),
                },
                nestedReporter(
                    reporter,
                    movePaths(path, [
                        ["registry", "projectRegistry.registry"],
                        ["createRepository", "createRepositories"],
                        ...(image.tag === undefined
                            ? [["tag", "version"] as [string, string]]
                            : []),
                    ]),
                ),
            ),
        };
    });
}

/**
 * A registry's `secretName`: required for this platform (the pull Secret the installer and the
 * processing pods use), refused for a Kaapana target (the extension creates Kaapana's).
 */
function checkSecretName(
    registry: ExtensionRegistry,
    path: string,
    kaapana: KaapanaTarget | undefined,
): void {
    if (kaapana === undefined && registry.secretName === undefined) {
        invalidInput({
            path: joinPath(path, "secretName"),
            given: undefined,
            expected: `the name of the ${registry.scope}-scope pull Secret (a RegistrySecret's secretName)`,
            example: "registry-credentials",
        });
    }
    if (kaapana !== undefined && registry.secretName !== undefined) {
        invalidInput({
            path: joinPath(path, "secretName"),
            given: registry.secretName,
            expected: `nothing for a Kaapana target: the extension creates the pull Secret under the name Kaapana's workloads pull with (${KAAPANA.pullSecret}-<hash of the registry>)`,
            example: "(leave it out)",
        });
    }
}

/**
 * For a Kaapana target, the pull Secrets Kaapana's workloads look for: the installer (dag-installer
 * chart, services namespace) and processing pods (project namespaces) pull a custom registry's
 * images with `registry-secret-<hash>`. A registry that is Kaapana's own default needs none: Kaapana
 * keeps `registry-secret` in every namespace.
 */
function planKaapanaSecrets(
    name: string,
    args: WorkflowExtensionArgs,
    target: KaapanaTarget,
    reporter: Reporter,
): RegistrySecretPlan[] {
    const scopes = [
        { key: "serviceRegistry", scope: "service", namespaces: [args.namespace] },
        { key: "projectRegistry", scope: "project", namespaces: args.projectNamespaces ?? [] },
    ] as const;
    return scopes.flatMap(({ key, scope, namespaces }) => {
        const registry = args[key].registry;
        const prefix = kaapanaRegistryPrefix(registry, key);
        if (prefix === target.registryUrl || namespaces.length === 0) {
            return [];
        }
        return [
            planRegistrySecret(
                `${name}-kaapana-${scope}`,
                {
                    registry,
                    scope,
                    namespaces: [...namespaces],
                    secretName: kaapanaPullSecretName(prefix),
                },
                nestedReporter(
                    reporter,
                    movePaths("", [
                        ["registry", joinPath(key, "registry")],
                        ["namespaces", scope === "service" ? "namespace" : "projectNamespaces"],
                    ]),
                ),
            ),
        ];
    });
}

/** A registry's image prefix, which Kaapana's Secret name is derived from: it must be known now. */
function kaapanaRegistryPrefix(registry: RegistryLocation, key: string): string {
    const prefix = knownImagePrefix(registry);
    if (prefix === undefined) {
        invalidInput({
            path: joinPath(joinPath(key, "registry"), "registryId"),
            given: undefined,
            expected:
                "the 12-digit AWS account id for a Kaapana target (Kaapana's pull Secret is named after the registry's address, which must be known at preview)",
            example: "123456789012",
        });
    }
    return prefix;
}

/** The pull Secret names processing pods use, as the installer's IMAGE_PULL_SECRETS JSON list. */
function processingPullSecrets(args: WorkflowExtensionArgs): pulumi.Input<string> {
    if (args.target?.platform !== "kaapana") {
        return whenKnown({ secretName: args.projectRegistry.secretName! }, ({ secretName }) =>
            JSON.stringify([secretName]),
        );
    }
    const prefix = knownImagePrefix(args.projectRegistry.registry)!;
    return JSON.stringify(
        prefix === args.target.registryUrl
            ? [KAAPANA.pullSecret]
            : [KAAPANA.pullSecret, kaapanaPullSecretName(prefix)],
    );
}

function checkScope(
    registry: ExtensionRegistry,
    path: string,
    scope: "project" | "service",
    why: string,
): void {
    if (registry.scope !== scope) {
        invalidInput({
            path: joinPath(path, "scope"),
            given: registry.scope,
            expected: `"${scope}": ${why}`,
            example: scope,
        });
    }
}
