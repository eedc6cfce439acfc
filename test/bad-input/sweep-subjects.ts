// What the sweep (sweep.test.ts) drives: each component with its generated args definition, its
// plan function, its constructor and a valid base to break one position of at a time.
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import {
    planProcessingImage,
    ProcessingImage,
    type ProcessingImageArgs,
} from "../../components/images";
import {
    planRegistrySecret,
    RegistrySecret,
    type RegistrySecretArgs,
} from "../../components/registry";
import type { InvokeMock } from "../../components/testing";

export interface SweepSubject {
    kind: string;
    definition: string;
    plan(name: string, args: unknown): unknown;
    construct(name: string, args: unknown): unknown;
    /** A valid args value; every variant breaks one position of it. */
    base(): unknown;
    /** The sweep must reach at least this many variants (positions × hostile values). */
    minimumVariants: number;
    invokes?: Record<string, InvokeMock>;
}

const context = path.relative(process.cwd(), path.join(__dirname, "../fixtures/images/context"));

export const SWEEP_SUBJECTS: SweepSubject[] = [
    {
        kind: "RegistrySecret",
        definition: "RegistrySecretArgs",
        plan: (name, args) => planRegistrySecret(name, args as RegistrySecretArgs),
        construct: (name, args) => new RegistrySecret(name, args as RegistrySecretArgs),
        base: () => ({
            registry: {
                location: "off-cluster",
                url: "https://registry.example.com/team",
                username: "robot",
                password: pulumi.secret("not-a-real-password"),
            },
            scope: "project",
            namespaces: ["project-a"],
            serviceAccounts: ["default"],
            testPullImage: "registry.example.com/team/hello:1.0.0",
            testPullTimeoutMs: 10000,
            secretName: "registry-project",
        }),
        minimumVariants: 80,
    },
    {
        kind: "RegistrySecret",
        definition: "RegistrySecretArgs",
        plan: (name, args) => planRegistrySecret(name, args as RegistrySecretArgs),
        construct: (name, args) => new RegistrySecret(name, args as RegistrySecretArgs),
        base: () => ({
            registry: {
                location: "ecr",
                region: "eu-central-1",
                registryId: "123456789012",
                refreshInterval: "6h",
                auth: {
                    secretRef: {
                        name: "ecr-keys",
                        accessKeyIdKey: "id",
                        secretAccessKeyKey: "key",
                    },
                },
            },
            scope: "service",
            namespaces: ["services"],
            namespaceSelector: { team: "a" },
        }),
        minimumVariants: 80,
    },
    {
        kind: "ProcessingImage",
        definition: "ProcessingImageArgs",
        plan: (name, args) => planProcessingImage(name, args as ProcessingImageArgs),
        construct: (name, args) => new ProcessingImage(name, args as ProcessingImageArgs),
        base: () => ({
            context,
            dockerfile: path.join(context, "Dockerfile"),
            target: "runtime",
            buildArgs: { PYTHON_VERSION: "3.12" },
            platform: "linux/amd64",
            registry: {
                location: "gcr",
                url: "https://europe-west1-docker.pkg.dev/my-project/pipelines",
                workloadIdentity: {
                    projectId: "my-project-123",
                    clusterLocation: "europe-west1",
                    clusterName: "pipelines",
                    serviceAccount: { name: "reader" },
                },
            },
            name: "otsus-method",
            tag: "1.0.0",
            buildOnPreview: false,
            createRepository: true,
        }),
        minimumVariants: 100,
    },
];
