import * as pulumi from "@pulumi/pulumi";
import { planLocation, RegistryLocation, registryEndpoint } from "../../components/registry";
import { runProgram } from "../../components/testing";

const KEY = JSON.stringify({
    type: "service_account",
    client_email: "puller@my-project-123.iam.gserviceaccount.com",
});

describe("registryEndpoint", () => {
    const resolve = (location: RegistryLocation) =>
        runProgram(
            () => {
                const endpoint = registryEndpoint(planLocation(location));
                return {
                    imagePrefix: endpoint.imagePrefix,
                    server: endpoint.server,
                    apiBase: endpoint.apiBase,
                    insecure: endpoint.insecure,
                };
            },
            {
                invokes: {
                    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
                        accountId: "210987654321",
                        arn: "arn",
                        userId: "u",
                        id: "210987654321",
                    }),
                },
            },
        );

    test.each<[string, RegistryLocation, Record<string, unknown>]>([
        [
            "a self-hosted http registry",
            {
                location: "off-cluster",
                url: "http://localhost:5000/team",
                username: "u",
                password: "p",
            },
            {
                imagePrefix: "localhost:5000/team",
                server: "localhost:5000/team",
                apiBase: "http://localhost:5000",
                insecure: true,
            },
        ],
        [
            "Docker Hub",
            {
                location: "off-cluster",
                url: "https://index.docker.io/myorg",
                username: "u",
                password: "p",
            },
            {
                imagePrefix: "index.docker.io/myorg",
                server: "https://index.docker.io/v1/",
                apiBase: "https://registry-1.docker.io",
                insecure: false,
            },
        ],
        [
            "gcr.io by default",
            { location: "gcr", serviceAccountKey: KEY },
            { imagePrefix: "gcr.io", server: "gcr.io", apiBase: "https://gcr.io", insecure: false },
        ],
        [
            "Artifact Registry",
            {
                location: "gcr",
                url: "https://europe-west1-docker.pkg.dev/my-project-123/pipelines",
                serviceAccountKey: KEY,
            },
            {
                imagePrefix: "europe-west1-docker.pkg.dev/my-project-123/pipelines",
                server: "europe-west1-docker.pkg.dev/my-project-123/pipelines",
                apiBase: "https://europe-west1-docker.pkg.dev",
                insecure: false,
            },
        ],
        [
            "ECR with a registry id",
            { location: "ecr", region: "eu-central-1", registryId: "123456789012" },
            {
                imagePrefix: "123456789012.dkr.ecr.eu-central-1.amazonaws.com",
                server: "123456789012.dkr.ecr.eu-central-1.amazonaws.com",
                apiBase: "https://123456789012.dkr.ecr.eu-central-1.amazonaws.com",
                insecure: false,
            },
        ],
        [
            "ECR in Pulumi's account",
            { location: "ecr", region: "us-east-1" },
            {
                imagePrefix: "210987654321.dkr.ecr.us-east-1.amazonaws.com",
                server: "210987654321.dkr.ecr.us-east-1.amazonaws.com",
                apiBase: "https://210987654321.dkr.ecr.us-east-1.amazonaws.com",
                insecure: false,
            },
        ],
    ])("tells where %s is reached", async (_case, location, expected) => {
        expect((await resolve(location)).outputs).toEqual(expected);
    });

    test("rejects a bad location under the given property path", () => {
        expect(() =>
            planLocation(
                {
                    location: "off-cluster",
                    url: "registry.example.com",
                    username: "u",
                    password: pulumi.secret("p"),
                },
                "registries[2]",
            ),
        ).toThrow(
            /^registries\[2\]\.url: got "registry.example.com"; expected a registry URL: must start with http:\/\/ or https:\/\//,
        );
    });
});
