import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { ProcessingImage, type ProcessingImageArgs } from "../../components/images";
import { ecrLifecyclePolicy, pinnedRef } from "../../components/images/processing-image";
import {
    assertValidManifests,
    isSecretInput,
    runProgram,
    type EngineOptions,
    type Registration,
} from "../../components/testing";

const context = path.relative(process.cwd(), path.join(__dirname, "../fixtures/images/context"));
const offCluster = {
    location: "off-cluster",
    url: "https://registry.example.com:5000/team",
    username: "robot",
    password: pulumi.secret("s3cret"),
} as const;
const ecrInvokes: EngineOptions["invokes"] = {
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": () => ({
        userName: "AWS",
        password: "ecr-token",
        proxyEndpoint: "https://123456789012.dkr.ecr.eu-central-1.amazonaws.com",
    }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        accountId: "123456789012",
        arn: "arn:aws:iam::123456789012:user/ci",
        userId: "AIDA",
    }),
};

function run(args: ProcessingImageArgs, options: EngineOptions = {}) {
    return runProgram(
        () => {
            const image = new ProcessingImage("otsus", args);
            return { imageName: image.imageName, repoDigest: image.repoDigest, ref: image.ref };
        },
        { preview: false, ...options },
    );
}

function byType(registrations: Registration[], type: string): Registration {
    const found = registrations.filter((r) => r.type === type);
    expect(found).toHaveLength(1);
    return found[0];
}

describe("ProcessingImage", () => {
    test("builds and pushes to an off-cluster registry with the static credentials as secrets", async () => {
        const result = await run({
            context,
            target: "runtime",
            buildArgs: { PYTHON: "3.12" },
            platform: "linux/amd64",
            registry: offCluster,
            name: "otsus-method",
            tag: "1.0.0",
        });
        expect(result.registrations.map((r) => [r.type, r.name])).toEqual([
            ["pipeline-platform:images:ProcessingImage", "otsus"],
            ["docker:index/image:Image", "otsus-image"],
        ]);
        const image = byType(result.registrations, "docker:index/image:Image");
        expect(image.parent).toBe(result.registrations[0].urn);
        expect(image.inputs).toEqual({
            imageName: "registry.example.com:5000/team/otsus-method:1.0.0",
            build: {
                context,
                dockerfile: path.join(context, "Dockerfile"),
                target: "runtime",
                args: { PYTHON: "3.12" },
                platform: "linux/amd64",
            },
            buildOnPreview: false,
            registry: {
                server: "registry.example.com:5000",
                username: "robot",
                password: "s3cret",
            },
            skipPush: false,
        });
        expect(isSecretInput(image, "registry.password")).toBe(true);
        const digest = result.outputs.repoDigest.split("@")[1];
        expect(result.outputs.imageName).toBe("registry.example.com:5000/team/otsus-method:1.0.0");
        expect(result.outputs.repoDigest).toBe(
            `registry.example.com:5000/team/otsus-method@${digest}`,
        );
        expect(result.outputs.ref).toBe(
            `registry.example.com:5000/team/otsus-method:1.0.0@${digest}`,
        );
        expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        await assertValidManifests(result.registrations);
    });

    test("pushes to ECR with a token from getAuthorizationToken and orders the repository and its lifecycle policy first", async () => {
        const result = await run(
            {
                context,
                registry: { location: "ecr", region: "eu-central-1" },
                name: "otsus-method",
                tag: "1.0.0",
                createRepository: true,
            },
            { invokes: ecrInvokes },
        );
        expect(result.registrations.map((r) => r.type)).toEqual([
            "pipeline-platform:images:ProcessingImage",
            "aws:ecr/repository:Repository",
            "aws:ecr/lifecyclePolicy:LifecyclePolicy",
            "docker:index/image:Image",
        ]);
        const repository = byType(result.registrations, "aws:ecr/repository:Repository");
        const policy = byType(result.registrations, "aws:ecr/lifecyclePolicy:LifecyclePolicy");
        const image = byType(result.registrations, "docker:index/image:Image");
        expect(repository.inputs).toEqual({
            name: "otsus-method",
            region: "eu-central-1",
            imageScanningConfiguration: { scanOnPush: true },
        });
        expect(policy.inputs).toEqual({
            repository: "otsus-method",
            region: "eu-central-1",
            policy: ecrLifecyclePolicy(),
        });
        expect(image.dependencies).toContain(policy.urn);
        expect(image.inputs.imageName).toBe(
            "123456789012.dkr.ecr.eu-central-1.amazonaws.com/otsus-method:1.0.0",
        );
        expect(image.inputs.registry).toEqual({
            server: "123456789012.dkr.ecr.eu-central-1.amazonaws.com",
            username: "AWS",
            password: "ecr-token",
        });
        expect(isSecretInput(image, "registry.password")).toBe(true);
        expect(
            result.invocations.find(
                (i) => i.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken",
            )?.inputs,
        ).toEqual({ region: "eu-central-1" });
        await assertValidManifests(result.registrations);
    });

    test("the ECR lifecycle policy expires untagged images after 14 days", () => {
        expect(JSON.parse(ecrLifecyclePolicy())).toEqual({
            rules: [
                {
                    rulePriority: 1,
                    description: "Expire untagged images after 14 days",
                    selection: {
                        tagStatus: "untagged",
                        countType: "sinceImagePushed",
                        countUnit: "days",
                        countNumber: 14,
                    },
                    action: { type: "expire" },
                },
            ],
        });
    });

    test("pushes to Artifact Registry with _json_key and creates the repository with an untagged cleanup rule", async () => {
        const registry = {
            location: "gcr",
            url: "https://europe-west1-docker.pkg.dev/my-project/pipelines",
            serviceAccountKey: pulumi.secret('{"type":"service_account"}'),
        } as const;
        const result = await run({
            context,
            registry,
            name: "otsus-method",
            tag: "1.0.0",
            createRepository: true,
        });
        const repository = byType(
            result.registrations,
            "gcp:artifactregistry/repository:Repository",
        );
        const image = byType(result.registrations, "docker:index/image:Image");
        expect(repository.inputs).toEqual({
            project: "my-project",
            location: "europe-west1",
            repositoryId: "pipelines",
            format: "DOCKER",
            cleanupPolicies: [
                {
                    id: "expire-untagged",
                    action: "DELETE",
                    condition: { tagState: "UNTAGGED", olderThan: "1209600s" },
                },
            ],
        });
        expect(image.dependencies).toContain(repository.urn);
        expect(image.inputs.imageName).toBe(
            "europe-west1-docker.pkg.dev/my-project/pipelines/otsus-method:1.0.0",
        );
        expect(image.inputs.registry).toEqual({
            server: "europe-west1-docker.pkg.dev",
            username: "_json_key",
            password: '{"type":"service_account"}',
        });
        expect(isSecretInput(image, "registry.password")).toBe(true);
    });

    test("pushes to Google with an OAuth access token under workload identity", async () => {
        const registry = {
            location: "gcr",
            url: "https://gcr.io/my-project",
            workloadIdentity: {
                projectId: "my-project",
                clusterLocation: "europe-west1",
                clusterName: "pipelines",
                serviceAccount: { name: "registry-reader" },
            },
        } as const;
        const result = await run(
            { context, registry, name: "otsus-method", tag: "1.0.0" },
            {
                invokes: {
                    "gcp:organizations/getClientConfig:getClientConfig": () => ({
                        accessToken: "ya29.token",
                        project: "my-project",
                        region: "",
                        zone: "",
                        id: "x",
                    }),
                },
            },
        );
        const image = byType(result.registrations, "docker:index/image:Image");
        expect(image.inputs.registry).toEqual({
            server: "gcr.io",
            username: "oauth2accesstoken",
            password: "ya29.token",
        });
        expect(isSecretInput(image, "registry.password")).toBe(true);
    });

    test("does not build on preview unless asked", async () => {
        const preview = await run(
            { context, registry: offCluster, name: "otsus-method", tag: "1.0.0" },
            { preview: true },
        );
        const asked = await run(
            {
                context,
                registry: offCluster,
                name: "otsus-method",
                tag: "1.0.0",
                buildOnPreview: true,
            },
            { preview: true },
        );
        expect(
            byType(preview.registrations, "docker:index/image:Image").inputs.buildOnPreview,
        ).toBe(false);
        expect(byType(asked.registrations, "docker:index/image:Image").inputs.buildOnPreview).toBe(
            true,
        );
    });

    test("two evaluations register identical inputs", async () => {
        const args = {
            context,
            registry: { location: "ecr", region: "eu-central-1" },
            name: "otsus-method",
            tag: "1.0.0",
            createRepository: true,
        } as const;
        const first = await run(args, { invokes: ecrInvokes });
        const second = await run(args, { invokes: ecrInvokes });
        expect(second.registrations.map((r) => r.inputs)).toEqual(
            first.registrations.map((r) => r.inputs),
        );
    });

    test("pins a reference to the pushed digest", () => {
        expect(pinnedRef("r.example.com/a:1.0.0", "r.example.com/a@sha256:abc")).toBe(
            "r.example.com/a:1.0.0@sha256:abc",
        );
    });
});
