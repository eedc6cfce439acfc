import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { imageRef, invalidInput, parseRegistryUrl } from "../core";
import {
    registryEndpoint,
    validateLocation,
    type GcrRegistry,
    type RegistryLocation,
} from "../registry";
import { DEFAULT_GCR_URL } from "../registry/endpoint";

/** Untagged images (left behind when a tag moves) are deleted after this many days. */
export const UNTAGGED_IMAGE_EXPIRY_DAYS = 14;

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

export interface ProcessingImageArgs {
    /**
     * The Docker build context folder, relative to the Pulumi project (the working directory of
     * `pulumi up`) or absolute. It must exist when the program runs, also at preview.
     * @example "processing-container"
     */
    context: string;
    /**
     * The Dockerfile, relative to the Pulumi project or absolute. Default: `<context>/Dockerfile`.
     * @example "processing-container/Dockerfile.gpu"
     */
    dockerfile?: string;
    /** The build stage to stop at in a multi-stage Dockerfile. Default: the last stage. @example "runtime" */
    target?: string;
    /** `--build-arg` values. Default: none. @example { PYTHON_VERSION: "3.12" } */
    buildArgs?: Record<string, pulumi.Input<string>>;
    /** Target platform `os/arch[/variant]`. Default: the builder's platform. @example "linux/amd64" */
    platform?: string;
    /** Where the image is pushed, and with which credentials (see `RegistryLocation`). */
    registry: RegistryLocation;
    /** Repository under the registry prefix: lower case, no protocol. @example "otsus-method" */
    name: string;
    /** Image tag; `latest` and empty are rejected so every rollout names one exact build. @example "1.0.0" */
    tag: string;
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
}

/**
 * A processing-container image built with `@pulumi/docker` and pushed to a registry. Push
 * credentials are used for the push only: static ones for off-cluster registries, a token from
 * `aws.ecr.getAuthorizationToken` for ECR, `_json_key` or an OAuth access token for Google.
 */
export class ProcessingImage extends pulumi.ComponentResource {
    /** `prefix/name:tag`, without protocol: what DAG operators and pods reference. */
    public readonly imageName: pulumi.Output<string>;
    /** The pushed manifest, `prefix/name@sha256:…`, as reported by the registry. */
    public readonly repoDigest: pulumi.Output<string>;
    /** `prefix/name:tag@sha256:…`: the digest-pinned reference for pods. */
    public readonly ref: pulumi.Output<string>;

    constructor(name: string, args: ProcessingImageArgs, opts?: pulumi.ComponentResourceOptions) {
        const build = checkProcessingImageArgs(args);
        super("pipeline-platform:images:ProcessingImage", name, {}, opts);

        const endpoint = registryEndpoint(args.registry, "registry");
        const repository = args.createRepository ? this.createRepository(name, args) : undefined;
        this.imageName = endpoint.imagePrefix.apply((prefix) =>
            imageRef(prefix, args.name, args.tag, ""),
        );

        const image = new docker.Image(
            `${name}-image`,
            {
                imageName: this.imageName,
                build,
                buildOnPreview: args.buildOnPreview ?? false,
                registry: this.pushCredentials(args.registry, endpoint.imagePrefix),
            },
            { parent: this, dependsOn: repository ? [repository] : [] },
        );

        this.repoDigest = image.repoDigest;
        this.ref = pulumi
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
        imagePrefix: pulumi.Output<string>,
    ): pulumi.Input<docker.types.input.Registry> {
        const server = imagePrefix.apply(pushServer);
        switch (registry.location) {
            case "off-cluster":
                return {
                    server,
                    username: registry.username,
                    password: pulumi.secret(registry.password),
                };
            case "ecr": {
                const token = aws.ecr.getAuthorizationTokenOutput(
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
                        password: pulumi.secret(registry.serviceAccountKey),
                    };
                }
                const client = gcp.organizations.getClientConfigOutput({ parent: this });
                return {
                    server,
                    username: "oauth2accesstoken",
                    password: pulumi.secret(client.accessToken),
                };
            }
        }
    }

    private createRepository(name: string, args: ProcessingImageArgs): pulumi.Resource {
        if (args.registry.location === "ecr") {
            const repository = new aws.ecr.Repository(
                `${name}-repository`,
                {
                    name: args.name,
                    region: args.registry.region,
                    imageScanningConfiguration: { scanOnPush: true },
                },
                { parent: this },
            );
            return new aws.ecr.LifecyclePolicy(
                `${name}-lifecycle`,
                {
                    repository: repository.name,
                    region: args.registry.region,
                    policy: ecrLifecyclePolicy(),
                },
                { parent: this },
            );
        }
        const target = artifactRegistryTarget(args.registry as GcrRegistry);
        return new gcp.artifactregistry.Repository(
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
            { parent: this },
        );
    }
}

/**
 * Validates every plain argument (before anything is registered) and returns the docker build
 * settings. Paths are checked relative to the working directory, as the Docker provider reads them.
 */
export function checkProcessingImageArgs(
    args: ProcessingImageArgs,
): docker.types.input.DockerBuild {
    checkRegistry(args.registry);
    imageRef("registry.invalid", args.name, args.tag, "");
    const context = args.context;
    if (typeof context !== "string" || context === "" || !isDirectory(context)) {
        invalidInput({
            path: "context",
            given: context,
            expected: `an existing build context folder (looked for ${path.resolve(String(context ?? ""))})`,
            example: "processing-container",
        });
    }
    const dockerfile = args.dockerfile ?? path.join(context, "Dockerfile");
    if (!isFile(dockerfile)) {
        invalidInput({
            path: "dockerfile",
            given: args.dockerfile,
            expected: `an existing Dockerfile (looked for ${path.resolve(dockerfile)})`,
            example: "processing-container/Dockerfile",
        });
    }
    if (args.platform !== undefined && !PLATFORM.test(args.platform)) {
        invalidInput({
            path: "platform",
            given: args.platform,
            expected: "a platform os/arch[/variant]",
            example: "linux/amd64",
        });
    }
    if (args.target !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(args.target)) {
        invalidInput({
            path: "target",
            given: args.target,
            expected: "a build stage name",
            example: "runtime",
        });
    }
    if (args.createRepository) {
        checkCreateRepository(args.registry);
    }
    return {
        context,
        dockerfile,
        ...(args.target !== undefined ? { target: args.target } : {}),
        ...(args.buildArgs !== undefined ? { args: args.buildArgs } : {}),
        ...(args.platform !== undefined ? { platform: args.platform } : {}),
    };
}

/** The registry module's location checks, run before `super` so a bad location registers nothing. */
function checkRegistry(registry: RegistryLocation): void {
    if (registry === undefined || registry === null) {
        invalidInput({
            path: "registry",
            given: registry,
            expected: "a registry location",
            example: '{ location: "ecr", region: "eu-central-1" }',
        });
    }
    validateLocation(registry, "registry");
}

function checkCreateRepository(registry: RegistryLocation): void {
    if (registry.location === "off-cluster") {
        invalidInput({
            path: "createRepository",
            given: true,
            expected:
                "createRepository only for ECR or Artifact Registry; off-cluster registries create repositories on push or in their own UI",
            example: "false",
        });
    }
    if (registry.location === "gcr") {
        artifactRegistryTarget(registry);
    }
}

/** The Artifact Registry repository a `https://<region>-docker.pkg.dev/<project>/<repo>` URL names. */
export function artifactRegistryTarget(registry: GcrRegistry): {
    location: string;
    project: string;
    repositoryId: string;
} {
    const url = parseRegistryUrl(registry.url ?? DEFAULT_GCR_URL, "registry.url");
    const host = /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(url.host);
    const parts = url.path.split("/");
    if (!host || parts.length !== 2) {
        return invalidInput({
            path: "createRepository",
            given: registry.url ?? DEFAULT_GCR_URL,
            expected:
                "an Artifact Registry URL https://<region>-docker.pkg.dev/<project>/<repo> when createRepository is set (gcr.io creates repositories on push)",
            example: "https://europe-west1-docker.pkg.dev/my-project/pipelines",
        });
    }
    return { location: host[1], project: parts[0], repositoryId: parts[1] };
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

/** `docker login` takes a host: the first component of the image prefix. */
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
