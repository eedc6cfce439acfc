import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderStack, STACK_INVOKES } from "../../bin/render";
import { AirflowDeployment } from "../../components/airflow";
import { STATEFUL_RESOURCES, statefulKind } from "../../components/core";
import { WorkflowExtension } from "../../components/dags";
import { ProcessingImage, type ProcessingImageArgs } from "../../components/images";
import { NAMESPACE_ROLE_LABEL } from "../../components/platform";
import { S3Storage, type S3StorageArgs } from "../../components/storage";
import { runProgram, type Registration } from "../../components/testing";
import { renderedStack } from "../support/evaluations";

const root = path.join(__dirname, "../..");
const context = path.relative(process.cwd(), path.join(__dirname, "../fixtures/images/context"));

/** `[kind, type, name, retainOnDelete, protect]` of every resource that holds data, sorted. */
function stateful(registrations: Registration[]): Array<[string, string, boolean, boolean]> {
    return registrations
        .flatMap((r): Array<[string, string, boolean, boolean]> => {
            const kind = statefulKind(r.type, r.name, r.inputs);
            return kind === undefined ? [] : [[kind, r.name, r.retainOnDelete, r.protect]];
        })
        .sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
}

/** Names of the resources that carry `retainOnDelete` or `protect` but hold no data. */
function keptWithoutData(registrations: Registration[]): string[] {
    return registrations
        .filter((r) => statefulKind(r.type, r.name, r.inputs) === undefined)
        .filter((r) => r.retainOnDelete || (r.protect && r.custom))
        .map((r) => r.name);
}

const storages: S3StorageArgs["storages"] = {
    default: { provider: "aws", region: "eu-west-1", bucket: "pipelines-data" },
    logs: { provider: "gcp", location: "EU", bucket: "pipelines-logs" },
    archive: { provider: "aws", region: "eu-west-1", bucket: "pipelines-archive", create: false },
};
const ecr: ProcessingImageArgs = {
    context,
    registry: { location: "ecr", region: "eu-central-1", registryId: "123456789012" },
    name: "otsus-method",
    tag: "1.0.0",
    createRepository: true,
};
const artifactRegistry: ProcessingImageArgs = {
    ...ecr,
    registry: {
        location: "gcr",
        url: "https://europe-west1-docker.pkg.dev/my-project/pipelines",
        serviceAccountKey: pulumi.secret('{"type":"service_account"}'),
    },
};

const components: Array<[string, (protect?: boolean) => unknown, Array<[string, string]>]> = [
    [
        "S3Storage",
        (protect) => new S3Storage("s3", { storages, ...(protect ? { protect } : {}) }),
        [
            ["gcs-bucket", "s3-logs-bucket"],
            ["s3-bucket", "s3-default-bucket"],
        ],
    ],
    [
        "ProcessingImage with an ECR repository",
        (protect) => new ProcessingImage("img", { ...ecr, ...(protect ? { protect } : {}) }),
        [["ecr-repository", "img-repository"]],
    ],
    [
        "ProcessingImage with an Artifact Registry repository",
        (protect) =>
            new ProcessingImage("img", { ...artifactRegistry, ...(protect ? { protect } : {}) }),
        [["artifact-repository", "img-repository"]],
    ],
    [
        "WorkflowExtension with repositories",
        (protect) =>
            new WorkflowExtension("otsus", {
                version: "1.0.0",
                projectRegistry: {
                    registry: ecr.registry,
                    scope: "project",
                    secretName: "project",
                },
                serviceRegistry: {
                    registry: ecr.registry,
                    scope: "service",
                    secretName: "service",
                },
                processingImages: [{ name: "otsus-method", context }],
                installer: { context },
                namespace: "services",
                dagsClaimName: "airflow-dags",
                projectNamespaces: ["imaging"],
                createRepositories: true,
                ...(protect ? { protect } : {}),
            }),
        [
            ["ecr-repository", "otsus-installer-image-repository"],
            ["ecr-repository", "otsus-otsus-method-repository"],
        ],
    ],
    [
        "AirflowDeployment",
        (protect) =>
            new AirflowDeployment("airflow", {
                namespace: "airflow",
                database: { bundled: true },
                projectNamespaces: ["imaging"],
                fernetKey: { rotations: ["2025-06"] },
                ...(protect ? { protect } : {}),
            }),
        [
            ["fernet-key", "airflow-fernet-key"],
            ["fernet-key-source", "airflow-fernet-key-bytes"],
            ["fernet-key-source", "airflow-fernet-key-bytes-2025-06"],
            ["volume-claim", "airflow-dags"],
        ],
    ],
];

describe.each(components)("%s", (_component, program, expected) => {
    test("creates every resource that holds data retainOnDelete, and nothing else", async () => {
        const result = await runProgram(() => program(), { invokes: STACK_INVOKES });
        expect(stateful(result.registrations)).toEqual(
            expected.map(([kind, name]) => [kind, name, true, false]),
        );
        expect(keptWithoutData(result.registrations)).toEqual([]);
    });

    test("protects them when asked, and only them", async () => {
        const result = await runProgram(() => program(true), { invokes: STACK_INVOKES });
        expect(stateful(result.registrations)).toEqual(
            expected.map(([kind, name]) => [kind, name, true, true]),
        );
        expect(keptWithoutData(result.registrations)).toEqual([]);
    });
});

describe.each([
    ["dev", false, 6],
    ["staging", false, 10],
    ["prod", true, 9],
])("stack %s", (stack, protect, count) => {
    test(`keeps its ${count} resources that hold data retainOnDelete${protect ? " and protected" : ""}`, async () => {
        const result = await renderedStack(stack);
        const kept = stateful(result.registrations);
        expect(kept).toHaveLength(count);
        expect(kept.filter(([, , retain, prot]) => !retain || prot !== protect)).toEqual([]);
        expect(keptWithoutData(result.registrations)).toEqual([]);
    });
});

test("the platform's protect reaches every resource that holds data: staging's buckets, repositories, claim, key and namespaces", async () => {
    const file = path.join(os.tmpdir(), `Pulumi.staging.protect-${process.pid}.yaml`);
    const text = fs.readFileSync(path.join(root, "stacks/Pulumi.staging.yaml"), "utf8");
    fs.writeFileSync(
        file,
        text.replace(
            "    pipeline-platform:platform:\n",
            "    pipeline-platform:platform:\n        protect: true\n",
        ),
    );
    try {
        const result = await renderStack({ stack: "staging", root, stackFile: file });
        expect(stateful(result.registrations)).toEqual([
            [
                "ecr-repository",
                "platform-extension-otsus-method-installer-image-repository",
                true,
                true,
            ],
            [
                "ecr-repository",
                "platform-extension-otsus-method-otsus-method-repository",
                true,
                true,
            ],
            ["fernet-key", "platform-airflow-fernet-key", true, true],
            ["fernet-key-source", "platform-airflow-fernet-key-bytes", true, true],
            ["platform-namespace", "platform-namespace-analytics", true, true],
            ["platform-namespace", "platform-namespace-imaging", true, true],
            ["platform-namespace", "platform-namespace-pipeline-services", true, true],
            ["s3-bucket", "platform-storage-default-bucket", true, true],
            ["s3-bucket", "platform-storage-logs-bucket", true, true],
            ["volume-claim", "platform-airflow-dags", true, true],
        ]);
        expect(keptWithoutData(result.registrations)).toEqual([]);
    } finally {
        fs.rmSync(file, { force: true });
    }
});

describe("STATEFUL_RESOURCES", () => {
    test.each([
        ["kubernetes:core/v1:Secret", "platform-airflow-fernet-key", "fernet-key"],
        ["kubernetes:core/v1:Secret", "platform-airflow-jwt-secret", undefined],
        ["random:index/randomBytes:RandomBytes", "a-fernet-key-bytes", "fernet-key-source"],
        ["random:index/randomBytes:RandomBytes", "a-fernet-key-bytes-2025-06", "fernet-key-source"],
        ["random:index/randomBytes:RandomBytes", "a-jwt-secret-bytes", undefined],
        ["kubernetes:core/v1:PersistentVolumeClaim", "anything", "volume-claim"],
        ["aws:s3/bucket:Bucket", "anything", "s3-bucket"],
    ])("classifies %s %s as %s", (type, name, kind) => {
        expect(statefulKind(type, name)).toBe(kind);
    });

    test("classifies a namespace by the platform's role label, not by its type alone", () => {
        const labels = { "pipeline-platform.io/namespace-role": "services" };
        expect(statefulKind("kubernetes:core/v1:Namespace", "ns", { metadata: { labels } })).toBe(
            "platform-namespace",
        );
        expect(statefulKind("kubernetes:core/v1:Namespace", "ns", { metadata: {} })).toBe(
            undefined,
        );
    });

    test("reads the label the platform puts on its namespaces", () => {
        expect(STATEFUL_RESOURCES["platform-namespace"].label).toBe(NAMESPACE_ROLE_LABEL);
    });
});
