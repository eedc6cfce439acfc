import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as semver from "semver";
import {
    configMapKeyProblems,
    dns1123LabelProblems,
    dnsLabel,
    invalidInput,
    joinPath,
    nestInputErrors,
    parseImageReference,
    standardLabels,
} from "../core";
import { ProcessingImage, type ProcessingImageArgs } from "../images";
import { planProcessingImage } from "../images";
import type { RegistryLocation } from "../registry/location";
import {
    checkDagInstallerArgs,
    DagInstallerChart,
    type DagInstallerChartArgs,
} from "./dag-installer-chart";

/**
 * A registry as the extension needs it: where to push, and the pull Secret that serves the scope.
 * A `RegistrySecret` plus its location fits: `{ registry: location, scope: "project", secretName: secret.secretName }`.
 */
export interface ExtensionRegistry {
    /** Where images are pushed, with push credentials. */
    registry: RegistryLocation;
    /** `project` for processing images (project namespaces), `service` for the DAG installer image (services namespace). */
    scope: "project" | "service";
    /** Name of the pull Secret of that scope. @example "registry-service" */
    secretName: pulumi.Input<string>;
}

/** One processing-container image of the extension. */
export interface ExtensionImage {
    /** Repository under the project registry prefix; unique in the extension. @example "otsus-method" */
    name: string;
    /** Build context folder. @example "processing-container" */
    context: string;
    /** Default `<context>/Dockerfile`. */
    dockerfile?: string;
    /** Build stage. Default: the last. */
    target?: string;
    /** `--build-arg` values. Default: none. */
    buildArgs?: Record<string, pulumi.Input<string>>;
    /** `os/arch`. Default: the builder's. @example "linux/amd64" */
    platform?: string;
    /** Image tag. Default: the extension's `version`. @example "1.0.0" */
    tag?: string;
}

/** The DAG installer image: built from a folder (Dockerfile + DAGs + `install.sh`), or one that exists already. */
export type ExtensionInstaller =
    | {
          /** Folder with the installer Dockerfile and the `dags/`, `plugins/` it copies. @example "extension" */
          context: string;
          /** Default `<context>/Dockerfile`. */
          dockerfile?: string;
          /** Repository name. Default `dag-<extension name>`. @example "dag-otsus-method" */
          name?: string;
          /** `os/arch`. Default: the builder's. */
          platform?: string;
          /** More `--build-arg` values; `PROCESSING_IMAGES` is always set by the extension. */
          buildArgs?: Record<string, pulumi.Input<string>>;
      }
    | {
          /** An installer image reference without protocol. @example "registry.example.com/team/dag-otsus-method:1.0.0" */
          imageName: string;
      };

export interface WorkflowExtensionArgs {
    /** The extension's semver version: the installer image tag and the default processing image tag. @example "1.0.0" */
    version: string;
    /** The project-scope registry processing images are pushed to and pulled from. */
    projectRegistry: ExtensionRegistry;
    /** The service-scope registry of the DAG installer image. */
    serviceRegistry: ExtensionRegistry;
    /** Processing-container images; names must be unique. Default: none. */
    processingImages?: ExtensionImage[];
    /** The DAG installer image. */
    installer: ExtensionInstaller;
    /** Airflow's services namespace, where the installer runs. @example "services" */
    namespace: string;
    /** Airflow's DAG PersistentVolumeClaim. @example "airflow-dags" */
    dagsClaimName: pulumi.Input<string>;
    /** Airflow's plugin PersistentVolumeClaim. Default: plugins are not kept. */
    pluginsClaimName?: pulumi.Input<string>;
    /** Project namespaces that get the `<extension>-images` ConfigMap. Default: none. @example ["project-a"] */
    projectNamespaces?: string[];
    /** Extension name in object names. Default: the resource name. @example "otsus-method" */
    extensionName?: string;
    /** Build and push during preview too. Default false. */
    buildOnPreview?: boolean;
    /** Create the ECR / Artifact Registry repositories. Default false. */
    createRepositories?: boolean;
    /** A chart instead of the bundled dag-installer chart (see `DagInstallerChart.chart`). */
    chart?: string;
    /** Extra values for the chart (see `DagInstallerChart.values`). */
    values?: Record<string, unknown>;
}

/**
 * Kaapana's workflow extension in one declaration: builds and pushes the processing images to the
 * project-scope registry and the DAG installer image to the service-scope registry, installs the
 * dag-installer chart with the service pull Secret and Airflow's DAG volume, and publishes the
 * processing image references (no protocol) as a ConfigMap `<extension>-images` in each project namespace.
 */
export class WorkflowExtension extends pulumi.ComponentResource {
    /** Processing image references by image name, `prefix/name:tag` without protocol. */
    public readonly images: Record<string, pulumi.Output<string>>;
    /** The DAG installer image reference. */
    public readonly installerImageName: pulumi.Output<string>;
    /** The dag-installer Helm release. */
    public readonly releaseName: pulumi.Output<string>;
    /** Name of the ConfigMap in each project namespace. */
    public readonly imagesConfigMapName: string;

    constructor(name: string, args: WorkflowExtensionArgs, opts?: pulumi.ComponentResourceOptions) {
        const plan = checkWorkflowExtensionArgs(name, args);
        super("pipeline-platform:dags:WorkflowExtension", name, {}, opts);

        this.images = {};
        for (const image of plan.images) {
            const built = new ProcessingImage(`${name}-${image.name.replace(/\//g, "-")}`, image, {
                parent: this,
            });
            this.images[image.name] = built.imageName;
        }

        // The installer build receives the processing image references as JSON, so DAG code never
        // hard-codes a registry (Kaapana's "set image= without protocol" step).
        const processingImages = pulumi.all(this.images).apply((images) => JSON.stringify(images));
        const installerImage =
            "imageName" in args.installer
                ? { imageName: pulumi.output(args.installer.imageName) }
                : new ProcessingImage(
                      `${name}-installer-image`,
                      {
                          ...(plan.installerImage as ProcessingImageArgs),
                          buildArgs: {
                              ...(plan.installerImage?.buildArgs ?? {}),
                              PROCESSING_IMAGES: processingImages,
                          },
                      },
                      { parent: this },
                  );
        this.installerImageName = installerImage.imageName;

        const chart = new DagInstallerChart(
            `${name}-installer`,
            { ...plan.chart, image: installerImage },
            { parent: this },
        );
        this.releaseName = chart.releaseName;

        this.imagesConfigMapName = dnsLabel(`${plan.extensionName}-images`);
        for (const namespace of args.projectNamespaces ?? []) {
            new k8s.core.v1.ConfigMap(
                `${name}-images-${namespace}`,
                {
                    metadata: {
                        name: this.imagesConfigMapName,
                        namespace,
                        labels: standardLabels("dags", {
                            "app.kubernetes.io/name": plan.extensionName,
                            "app.kubernetes.io/version": args.version,
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

/** Validates every plain argument before anything is registered; returns the children's args. */
export function checkWorkflowExtensionArgs(
    name: string,
    args: WorkflowExtensionArgs,
): {
    extensionName: string;
    images: ProcessingImageArgs[];
    installerImage?: ProcessingImageArgs;
    chart: Omit<DagInstallerChartArgs, "image">;
} {
    const extensionName = args.extensionName ?? name;
    if (
        typeof extensionName !== "string" ||
        dns1123LabelProblems(extensionName).length > 0 ||
        extensionName.length > 56
    ) {
        invalidInput({
            path: "extensionName",
            given: extensionName,
            expected:
                "a DNS-1123 label of at most 56 characters (the ConfigMap is <extension>-images)",
            example: "otsus-method",
        });
    }
    const version = args.version;
    if (typeof version !== "string" || semver.valid(version) !== version || version.includes("+")) {
        invalidInput({
            path: "version",
            given: version,
            expected: "a semver version without build metadata (it becomes an image tag)",
            example: "1.0.0",
        });
    }
    checkScope(
        args.projectRegistry,
        "projectRegistry",
        "project",
        "processing images run in project namespaces, which hold project-scope pull Secrets",
    );
    checkScope(
        args.serviceRegistry,
        "serviceRegistry",
        "service",
        "the DAG installer runs in the services namespace, which holds service-scope pull Secrets",
    );

    const seen = new Map<string, number>();
    const images = (args.processingImages ?? []).map((image, i) => {
        const path = joinPath("processingImages", i);
        const first = seen.get(image?.name);
        if (first !== undefined) {
            invalidInput({
                path: joinPath(path, "name"),
                given: image.name,
                expected: `a name not used by another image of the extension (processingImages[${first}] has it)`,
                example: `${image.name}-gpu`,
            });
        }
        seen.set(image?.name, i);
        const imageArgs: ProcessingImageArgs = {
            ...image,
            tag: image.tag ?? version,
            registry: args.projectRegistry.registry,
            buildOnPreview: args.buildOnPreview,
            createRepository: args.createRepositories,
        };
        nestInputErrors(path, () => checkImage(imageArgs));
        return imageArgs;
    });
    for (const image of images) {
        if (configMapKeyProblems(imageConfigKey(image.name)).length > 0) {
            invalidInput({
                path: "processingImages",
                given: image.name,
                expected: "image names that make valid ConfigMap keys",
                example: "otsus-method",
            });
        }
    }

    const installer = args.installer;
    let installerImage: ProcessingImageArgs | undefined;
    if (installer === undefined || installer === null) {
        invalidInput({
            path: "installer",
            given: installer,
            expected: "an installer folder or an installer image",
            example: '{ context: "extension" }',
        });
    }
    if ("imageName" in installer) {
        parseImageReference(installer.imageName, "installer.imageName");
    } else {
        installerImage = {
            context: installer.context,
            dockerfile: installer.dockerfile,
            platform: installer.platform,
            buildArgs: installer.buildArgs,
            name: installer.name ?? `dag-${extensionName}`,
            tag: version,
            registry: args.serviceRegistry.registry,
            buildOnPreview: args.buildOnPreview,
            createRepository: args.createRepositories,
        };
        nestInputErrors("installer", () => checkImage(installerImage as ProcessingImageArgs));
    }

    const chart: Omit<DagInstallerChartArgs, "image"> = {
        namespace: args.namespace,
        imagePullSecrets: [args.serviceRegistry.secretName],
        dagsClaimName: args.dagsClaimName,
        pluginsClaimName: args.pluginsClaimName,
        action: "copy",
        chart: args.chart,
        releaseName: extensionName.length <= 40 ? extensionName : undefined,
        values: args.values,
    };
    checkDagInstallerArgs(`${name}-installer`, {
        ...chart,
        image: { imageName: pulumi.output("") },
    });
    for (const namespace of args.projectNamespaces ?? []) {
        if (typeof namespace !== "string" || dns1123LabelProblems(namespace).length > 0) {
            invalidInput({
                path: "projectNamespaces",
                given: namespace,
                expected: "namespace names (DNS-1123 labels)",
                example: "project-a",
            });
        }
    }
    return { extensionName, images, installerImage, chart };
}

/** ConfigMap key of an image: its name with `/` turned into `.`. */
export function imageConfigKey(imageName: string): string {
    return imageName.replace(/\//g, ".");
}

function checkScope(
    registry: ExtensionRegistry,
    path: string,
    scope: "project" | "service",
    why: string,
): void {
    if (registry === undefined || registry === null || registry.registry === undefined) {
        invalidInput({
            path,
            given: registry,
            expected: `a ${scope}-scope registry { registry, scope, secretName }`,
            example: `{ registry: location, scope: "${scope}", secretName: "registry-${scope}" }`,
        });
    }
    if (registry.scope !== scope) {
        invalidInput({
            path: joinPath(path, "scope"),
            given: registry.scope,
            expected: `"${scope}": ${why}`,
            example: scope,
        });
    }
    if (registry.secretName === undefined || registry.secretName === "") {
        invalidInput({
            path: joinPath(path, "secretName"),
            given: registry.secretName,
            expected: `the name of the ${scope}-scope pull Secret`,
            example: `registry-${scope}`,
        });
    }
}

/** The image's own plan, its refusals left for the caller to nest. */
function checkImage(args: ProcessingImageArgs): void {
    planProcessingImage("image", args, { label: "", path: (relative) => relative });
}
