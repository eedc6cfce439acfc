import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import {
    planWorkflowExtension,
    WorkflowExtension,
    type WorkflowExtensionArgs,
} from "../../components/dags";
import { assertValidManifests, runProgram, type Registration } from "../../components/testing";

const context = path.relative(process.cwd(), path.join(__dirname, "../fixtures/images/context"));
const offCluster = {
    location: "off-cluster",
    url: "https://registry.example.com/team",
    username: "robot",
    password: pulumi.secret("s3cret"),
} as const;
const ecr = { location: "ecr", region: "eu-central-1", registryId: "123456789012" } as const;
const invokes = {
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

const base: WorkflowExtensionArgs = {
    version: "1.0.0",
    projectRegistry: { registry: ecr, scope: "project", secretName: "registry-project" },
    serviceRegistry: { registry: offCluster, scope: "service", secretName: "registry-service" },
    processingImages: [
        { name: "otsus-method", context },
        { name: "tools/otsus-notebook", context, tag: "2.1.0" },
    ],
    installer: { context },
    namespace: "services",
    dagsClaimName: "airflow-dags",
    pluginsClaimName: "airflow-plugins",
    projectNamespaces: ["project-a"],
};

function run(args: WorkflowExtensionArgs) {
    return runProgram(
        () => {
            const extension = new WorkflowExtension("otsus-method", args);
            return {
                images: extension.images,
                installer: extension.installerImageName,
                configMap: extension.imagesConfigMapName,
            };
        },
        { preview: false, invokes },
    );
}

function named(registrations: Registration[], type: string, name: string): Registration {
    const found = registrations.filter((r) => r.type === type && r.name === name);
    expect(found).toHaveLength(1);
    return found[0];
}

describe("WorkflowExtension", () => {
    test("pushes processing images to the project registry and the installer to the service registry", async () => {
        const result = await run(base);
        expect(
            result.registrations
                .filter((r) => r.type.startsWith("pipeline-platform:"))
                .map((r) => r.name),
        ).toEqual([
            "otsus-method",
            "otsus-method-otsus-method",
            "otsus-method-tools-otsus-notebook",
            "otsus-method-installer-image",
            "otsus-method-installer",
        ]);
        // Registered as their inputs resolve: sorted, the order is not part of what is checked.
        const images = result.registrations
            .filter((r) => r.type === "docker:index/image:Image")
            .map((r) => r.inputs.imageName)
            .sort();
        expect(images).toEqual([
            "123456789012.dkr.ecr.eu-central-1.amazonaws.com/otsus-method:1.0.0",
            "123456789012.dkr.ecr.eu-central-1.amazonaws.com/tools/otsus-notebook:2.1.0",
            "registry.example.com/team/dag-otsus-method:1.0.0",
        ]);
        const release = named(
            result.registrations,
            "kubernetes:helm.sh/v3:Release",
            "otsus-method-installer-release",
        );
        expect(release.inputs.values).toMatchObject({
            image: "registry.example.com/team/dag-otsus-method:1.0.0",
            imagePullSecrets: [{ name: "registry-service" }],
            dagsClaimName: "airflow-dags",
            pluginsClaimName: "airflow-plugins",
        });
        const configMap = named(
            result.registrations,
            "kubernetes:core/v1:ConfigMap",
            "otsus-method-images-project-a",
        );
        expect(configMap.inputs).toEqual({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: {
                name: "otsus-method-images",
                namespace: "project-a",
                labels: {
                    "app.kubernetes.io/name": "otsus-method",
                    "app.kubernetes.io/version": "1.0.0",
                    "app.kubernetes.io/managed-by": "pulumi",
                    "app.kubernetes.io/part-of": "pipeline-platform",
                    "app.kubernetes.io/component": "dags",
                },
            },
            data: {
                "otsus-method":
                    "123456789012.dkr.ecr.eu-central-1.amazonaws.com/otsus-method:1.0.0",
                "tools.otsus-notebook":
                    "123456789012.dkr.ecr.eu-central-1.amazonaws.com/tools/otsus-notebook:2.1.0",
            },
        });
        expect(result.outputs.installer).toBe("registry.example.com/team/dag-otsus-method:1.0.0");
        await assertValidManifests(result.registrations);
    });

    test("installs an installer image that exists already without building one", async () => {
        const result = await run({
            ...base,
            installer: { imageName: "registry.example.com/team/dag-otsus-method:1.0.0" },
        });
        expect(result.registrations.some((r) => r.name === "otsus-method-installer-image")).toBe(
            false,
        );
        expect(
            named(
                result.registrations,
                "kubernetes:helm.sh/v3:Release",
                "otsus-method-installer-release",
            ).inputs.values.image,
        ).toBe("registry.example.com/team/dag-otsus-method:1.0.0");
    });

    test("two evaluations register identical inputs", async () => {
        const first = await run(base);
        const second = await run(base);
        expect(second.registrations.map((r) => r.inputs)).toEqual(
            first.registrations.map((r) => r.inputs),
        );
    });

    // The installer's build args for `base`: the processing images' ECR references and the project pull Secret.
    const INSTALLER_BUILD_ARGS = {
        PROCESSING_IMAGES: JSON.stringify({
            "otsus-method": "123456789012.dkr.ecr.eu-central-1.amazonaws.com/otsus-method:1.0.0",
            "tools/otsus-notebook":
                "123456789012.dkr.ecr.eu-central-1.amazonaws.com/tools/otsus-notebook:2.1.0",
        }),
        IMAGE_PULL_SECRETS: '["registry-project"]',
    };
    const installerBuildArgs = (registrations: Registration[]) =>
        named(registrations, "docker:index/image:Image", "otsus-method-installer-image-image")
            .inputs.build.args;

    test("builds the installer with the processing image references as PROCESSING_IMAGES and their pull Secret as IMAGE_PULL_SECRETS", async () => {
        const result = await run(base);
        expect(installerBuildArgs(result.registrations)).toEqual(INSTALLER_BUILD_ARGS);
    });

    test("sets the same build args and chart image when the registries' prefixes are only known while building", async () => {
        // ECR without registryId: the account comes from getCallerIdentity, so the image names,
        // PROCESSING_IMAGES and the chart's image are Outputs; an Output pull Secret name too.
        const { registryId, ...reported } = ecr;
        expect(registryId).toBeDefined();
        const result = await run({
            ...base,
            projectRegistry: {
                registry: reported,
                scope: "project",
                secretName: pulumi.output("registry-project"),
            },
            serviceRegistry: {
                registry: reported,
                scope: "service",
                secretName: "registry-service",
            },
        });
        expect(installerBuildArgs(result.registrations)).toEqual(INSTALLER_BUILD_ARGS);
        const release = named(
            result.registrations,
            "kubernetes:helm.sh/v3:Release",
            "otsus-method-installer-release",
        );
        expect(release.inputs.values.image).toBe(
            "123456789012.dkr.ecr.eu-central-1.amazonaws.com/dag-otsus-method:1.0.0",
        );
    });

    test("builds from the plan planWorkflowExtension made, as from the args", async () => {
        const planned = await runProgram(
            () =>
                new WorkflowExtension("otsus-method", planWorkflowExtension("otsus-method", base)),
            { preview: false, invokes },
        );
        const direct = await run(base);
        expect(planned.registrations.map((r) => [r.type, r.name, r.inputs])).toEqual(
            direct.registrations.map((r) => [r.type, r.name, r.inputs]),
        );
    });
});

describe("WorkflowExtension with DAGs from git", () => {
    test("builds and pushes its processing images and publishes them, with no installer image or chart", async () => {
        const { installer, ...rest } = base;
        expect(installer).toBeDefined();
        const result = await run({
            ...rest,
            dagsFromGit: {
                repository: "https://github.com/example/otsus-method.git",
                ref: "v1.0.0",
                subPath: "dags",
            },
        });
        expect(
            result.registrations
                .filter((r) => r.type.startsWith("pipeline-platform:"))
                .map((r) => r.name),
        ).toEqual([
            "otsus-method",
            "otsus-method-otsus-method",
            "otsus-method-tools-otsus-notebook",
        ]);
        expect(
            result.registrations.filter(
                (r) => r.type === "kubernetes:helm.sh/v3:Release" || r.name.includes("installer"),
            ),
        ).toEqual([]);
        expect(
            result.registrations
                .filter((r) => r.type === "docker:index/image:Image")
                .map((r) => r.inputs.imageName),
        ).toEqual([
            "123456789012.dkr.ecr.eu-central-1.amazonaws.com/otsus-method:1.0.0",
            "123456789012.dkr.ecr.eu-central-1.amazonaws.com/tools/otsus-notebook:2.1.0",
        ]);
        named(
            result.registrations,
            "kubernetes:core/v1:ConfigMap",
            "otsus-method-images-project-a",
        );
        expect(result.outputs.installer).toBeUndefined();
        await assertValidManifests(result.registrations);
    });
});
