import * as ecr from "@pulumi/aws/ecr";
import * as artifactregistry from "@pulumi/gcp/artifactregistry";
import * as organizations from "@pulumi/gcp/organizations";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import {
    imageRef,
    invalidInput,
    redactUserinfo,
    planComponent,
    statefulOptions,
    usePlan,
    type ImageName,
    type ImageTag,
    type Planned,
    type Reporter,
} from "../core";
import {
    planLocation,
    knownImagePrefix,
    registryEndpoint,
    type GcrRegistry,
    type PlannedLocation,
    type RegistryLocation,
} from "../registry";

/** Untagged images (left behind when a tag moves) are deleted after this many days. */
export const UNTAGGED_IMAGE_EXPIRY_DAYS = 14;

export interface ProcessingImageArgs {
    /**
     * The Docker build context folder, relative to the Pulumi project (the working directory of
     * `pulumi up`) or absolute. It must exist when the program runs, also at preview.
     * @minLength 1
     * @example "processing-container"
     */
    context: string;
    /**
     * The Dockerfile, relative to the Pulumi project or absolute. Default: `<context>/Dockerfile`.
     * @minLength 1
     * @example "processing-container/Dockerfile.gpu"
     */
    dockerfile?: string;
    /**
     * The build stage to stop at in a multi-stage Dockerfile. Default: the last stage.
     * @pattern ^[A-Za-z0-9][A-Za-z0-9_.-]*$
     * @example "runtime"
     */
    target?: string;
    /**
     * `--build-arg` values. Default: none.
     * @propertyNames { "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "description": "A build arg name: letters, digits and '_', not starting with a digit.", "examples": ["PYTHON_VERSION"] }
     * @example { PYTHON_VERSION: "3.12" }
     */
    buildArgs?: Record<string, pulumi.Input<string>>;
    /**
     * Target platform `os/arch[/variant]`. Default: the builder's platform.
     * @pattern ^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$
     * @example "linux/amd64"
     */
    platform?: string;
    /** Where the image is pushed, and with which credentials (see `RegistryLocation`). */
    registry: RegistryLocation;
    /** Repository under the registry prefix: lower case, no protocol. */
    name: ImageName;
    /** Image tag; `latest` and empty are rejected so every rollout names one exact build. */
    tag: ImageTag;
    /**
     * Build (and push) during `pulumi preview` too. Default false: a pull-request preview needs no
     * Docker daemon and no push rights.
     */
    buildOnPreview?: boolean;
    /**
     * Create the repository before the push: an ECR repository whose lifecycle policy expires
     * untagged images, or an Artifact Registry repository (for `https://<region>-docker.pkg.dev/<project>/<repo>`)
     * with the same cleanup rule. Default false (the repository exists already).
     */
    createRepository?: boolean;
    /**
     * Sets Pulumi's `protect` on the created repository (it is always `retainOnDelete`): deleting
     * or replacing it fails until it is unprotected. Default false.
     * @example true
     */
    protect?: boolean;
}

/** What a ProcessingImage builds: the checked args, the registry and the docker build settings. */
export interface ProcessingImageBuild {
    args: ProcessingImageArgs;
    location: PlannedLocation;
    build: docker.types.input.DockerBuild;
    /** The Artifact Registry repository to create, when `createRepository` names one. */
    artifactRepository?: ArtifactRegistryTarget;
}

/** A ProcessingImage's validated input; see {@link planProcessingImage}. */
export type ProcessingImagePlan = Planned<"ProcessingImage", ProcessingImageBuild>;

/**
 * A processing-container image built with `@pulumi/docker` and pushed to a registry. Push
 * credentials are used for the push only: static ones for off-cluster registries, a token from
 * `ecr.getAuthorizationToken` for ECR, `_json_key` or an OAuth access token for Google.
 */
export class ProcessingImage extends pulumi.ComponentResource {
    /** `prefix/name:tag`, without protocol: what DAG operators and pods reference. */
    public readonly imageName: pulumi.Output<string>;
    /** The pushed manifest, `prefix/name@sha256:…`, as reported by the registry. */
    public readonly repoDigest: pulumi.Output<string>;
    /** `prefix/name:tag@sha256:…`: the digest-pinned reference for pods. */
    public readonly ref: pulumi.Output<string>;

    constructor(
        name: string,
        args: ProcessingImageArgs | ProcessingImagePlan,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const plan = usePlan("ProcessingImage", name, args, planProcessingImage);
        super("pipeline-platform:images:ProcessingImage", name, {}, opts);
        const { build } = plan;

        const repository = plan.args.createRepository
            ? this.createRepository(name, plan)
            : undefined;
        const knownName = plannedImageName(plan);
        let server: pulumi.Input<string>;
        if (knownName === undefined) {
            // An ECR registry without `registryId`: its prefix holds the account Pulumi reports.
            const { imagePrefix } = registryEndpoint(plan.location);
            this.imageName = imagePrefix.apply((prefix) =>
                imageRef(prefix, plan.args.name, plan.args.tag),
            );
            server = imagePrefix.apply(pushServer);
        } else {
            this.imageName = pulumi.output(knownName);
            server = pushServer(knownName);
        }

        const image = new docker.Image(
            `${name}-image`,
            {
                // A known name goes in plain: an Output costs the SDK promises to serialize.
                imageName: knownName ?? this.imageName,
                build,
                buildOnPreview: plan.args.buildOnPreview ?? false,
                registry: this.pushCredentials(plan.args.registry, server),
            },
            { parent: this, dependsOn: repository ? [repository] : [] },
        );

        this.repoDigest = image.repoDigest;
        // `pulumi.all` applies once per Output it is given: with the name known, one apply is enough.
        this.ref =
            knownName !== undefined
                ? image.repoDigest.apply((digest) => pinnedRef(knownName, digest))
                : pulumi
                      .all([this.imageName, image.repoDigest])
                      .apply(([imageName, digest]) => pinnedRef(imageName, digest));
        this.registerOutputs({
            imageName: this.imageName,
            repoDigest: this.repoDigest,
            ref: this.ref,
        });
    }

    private pushCredentials(
        registry: RegistryLocation,
        server: pulumi.Input<string>,
    ): pulumi.Input<docker.types.input.Registry> {
        switch (registry.location) {
            case "off-cluster":
                return {
                    server,
                    username: registry.username,
                    password: secretCredential(registry.password),
                };
            case "ecr": {
                const token = ecr.getAuthorizationTokenOutput(
                    { registryId: registry.registryId, region: registry.region },
                    { parent: this },
                );
                return {
                    server,
                    username: token.userName,
                    password: pulumi.secret(token.password),
                };
            }
            case "gcr": {
                if (registry.serviceAccountKey !== undefined) {
                    return {
                        server,
                        username: "_json_key",
                        password: secretCredential(registry.serviceAccountKey),
                    };
                }
                const client = organizations.getClientConfigOutput({ parent: this });
                return {
                    server,
                    username: "oauth2accesstoken",
                    password: pulumi.secret(client.accessToken),
                };
            }
        }
    }

    private createRepository(
        name: string,
        { args, artifactRepository }: ProcessingImageBuild,
    ): pulumi.Resource {
        if (args.registry.location === "ecr") {
            const repository = new ecr.Repository(
                `${name}-repository`,
                {
                    name: args.name,
                    region: args.registry.region,
                    imageScanningConfiguration: { scanOnPush: true },
                },
                { parent: this, ...statefulOptions(args.protect) },
            );
            return new ecr.LifecyclePolicy(
                `${name}-lifecycle`,
                {
                    repository: repository.name,
                    region: args.registry.region,
                    policy: ecrLifecyclePolicy(),
                },
                { parent: this },
            );
        }
        const target = artifactRepository as ArtifactRegistryTarget;
        return new artifactregistry.Repository(
            `${name}-repository`,
            {
                project: target.project,
                location: target.location,
                repositoryId: target.repositoryId,
                format: "DOCKER",
                cleanupPolicies: [
                    {
                        id: "expire-untagged",
                        action: "DELETE",
                        condition: {
                            tagState: "UNTAGGED",
                            olderThan: `${UNTAGGED_IMAGE_EXPIRY_DAYS * 86400}s`,
                        },
                    },
                ],
            },
            { parent: this, ...statefulOptions(args.protect) },
        );
    }
}

/**
 * Checks a ProcessingImage's args without creating anything (the build context and Dockerfile must
 * exist, relative to the working directory as the Docker provider reads them) and returns the plan
 * its constructor builds from.
 */
export function planProcessingImage(
    name: string,
    args: ProcessingImageArgs,
    reporter?: Reporter,
): ProcessingImagePlan {
    return planComponent(
        "ProcessingImage",
        "ProcessingImageArgs",
        name,
        args,
        (checked: ProcessingImageArgs) => {
            const location = planLocation(checked.registry, "registry");
            if (!isDirectory(checked.context)) {
                invalidInput({
                    path: "context",
                    given: checked.context,
                    expected: `an existing build context folder (looked for ${path.resolve(redactUserinfo(checked.context))})`,
                    example: "processing-container",
                });
            }
            const dockerfile = checked.dockerfile ?? path.join(checked.context, "Dockerfile");
            if (!isFile(dockerfile)) {
                invalidInput({
                    path: "dockerfile",
                    given: checked.dockerfile,
                    expected: `an existing Dockerfile (looked for ${path.resolve(redactUserinfo(dockerfile))})`,
                    example: "processing-container/Dockerfile",
                });
            }
            return {
                args: checked,
                location,
                build: {
                    context: checked.context,
                    dockerfile,
                    ...(checked.target !== undefined ? { target: checked.target } : {}),
                    ...(checked.buildArgs !== undefined ? { args: checked.buildArgs } : {}),
                    ...(checked.platform !== undefined ? { platform: checked.platform } : {}),
                },
                artifactRepository: checked.createRepository
                    ? repositoryTarget(location)
                    : undefined,
            };
        },
        reporter,
    );
}

/** Where `createRepository` creates the repository: nothing for ECR (named by the image), the Artifact Registry repository for Google. */
function repositoryTarget({ location, url }: PlannedLocation): ArtifactRegistryTarget | undefined {
    if (location.location === "off-cluster") {
        return invalidInput({
            path: "createRepository",
            given: true,
            expected:
                "createRepository only for ECR or Artifact Registry; off-cluster registries create repositories on push or in their own UI",
            example: false,
        });
    }
    if (location.location === "ecr" || url === undefined) {
        return undefined;
    }
    const host = /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(url.host);
    const parts = url.path.split("/");
    if (!host || parts.length !== 2) {
        return invalidInput({
            path: "createRepository",
            given: (location as GcrRegistry).url,
            expected:
                "an Artifact Registry URL https://<region>-docker.pkg.dev/<project>/<repo> when createRepository is set (gcr.io creates repositories on push)",
            example: "https://europe-west1-docker.pkg.dev/my-project/pipelines",
        });
    }
    return { location: host[1], project: parts[0], repositoryId: parts[1] };
}

/** An Artifact Registry repository: region, project and repository id. */
export interface ArtifactRegistryTarget {
    location: string;
    project: string;
    repositoryId: string;
}

/** The ECR lifecycle policy: expire untagged images after {@link UNTAGGED_IMAGE_EXPIRY_DAYS} days. */
export function ecrLifecyclePolicy(): string {
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
                description: `Expire untagged images after ${UNTAGGED_IMAGE_EXPIRY_DAYS} days`,
                selection: {
                    tagStatus: "untagged",
                    countType: "sinceImagePushed",
                    countUnit: "days",
                    countNumber: UNTAGGED_IMAGE_EXPIRY_DAYS,
                },
                action: { type: "expire" },
            },
        ],
    });
}

/**
 * The image's `prefix/name:tag` when its registry's prefix is known while planning (see
 * `knownImagePrefix`): what pods, DAGs and the installer's build args reference.
 */
export function plannedImageName({ location, args }: ProcessingImageBuild): string | undefined {
    const prefix = knownImagePrefix(location.location, location.url);
    return prefix === undefined ? undefined : imageRef(prefix, args.name, args.tag);
}

/** Each credential Output given to images, as a secret (see {@link secretCredential}). */
const SECRET_CREDENTIALS = new WeakMap<object, pulumi.Output<string>>();

/**
 * `pulumi.secret` of a push credential, made once per credential Output: one Output reaches every
 * image pushed to its registry, and each wrapping of an Output is another apply.
 */
function secretCredential(credential: pulumi.Input<string>): pulumi.Output<string> {
    if (!pulumi.Output.isInstance(credential)) {
        return pulumi.secret(credential);
    }
    let secret = SECRET_CREDENTIALS.get(credential);
    if (secret === undefined) {
        secret = pulumi.secret(credential);
        SECRET_CREDENTIALS.set(credential, secret);
    }
    return secret;
}

/** `docker login` takes a host: the first component of the image prefix (or of a reference under it). */
export function pushServer(imagePrefix: string): string {
    return imagePrefix.split("/")[0];
}

/** `prefix/name:tag@sha256:…` from the tagged name and the registry's `repo@digest`. */
export function pinnedRef(imageName: string, repoDigest: string): string {
    const at = repoDigest.indexOf("@");
    return at === -1 ? imageName : `${imageName}${repoDigest.slice(at)}`;
}

function isDirectory(p: string): boolean {
    return fs.existsSync(p) && fs.statSync(p).isDirectory();
}

function isFile(p: string): boolean {
    return fs.existsSync(p) && fs.statSync(p).isFile();
}
