import * as pulumi from "@pulumi/pulumi";
import {
    planRegistrySecret,
    RegistrySecret,
    type OffClusterRegistry,
    type RegistrySecretArgs,
} from "../../components/registry";
import {
    assertValidManifests,
    isSecretInput,
    Registration,
    runProgram,
} from "../../components/testing";

const LABELS = (scope: string) => ({
    "pipeline-platform.io/registry-scope": scope,
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "pipeline-platform",
    "app.kubernetes.io/component": "registry",
});
const GCP_KEY = JSON.stringify({
    type: "service_account",
    project_id: "my-project-123",
    client_email: "puller@my-project-123.iam.gserviceaccount.com",
    private_key: "-----BEGIN PRIVATE KEY-----sentinel-gcp-key",
});
const CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity";
const invokes = {
    [CALLER_IDENTITY]: () => ({
        accountId: "210987654321",
        arn: "arn:aws:iam::210987654321:user/deployer",
        userId: "AIDEXAMPLE",
        id: "210987654321",
    }),
};

function program(name: string, args: RegistrySecretArgs) {
    return () => {
        const secret = new RegistrySecret(name, args);
        return {
            secretName: secret.secretName,
            imagePrefix: secret.imagePrefix,
            server: secret.server,
            namespaces: secret.namespaces,
            testPullDigest: secret.testPullDigest,
        };
    };
}

/** Runs the program twice; both evaluations must register identical inputs. */
async function evaluate(name: string, args: () => RegistrySecretArgs) {
    const first = await runProgram(program(name, args()), { invokes });
    const second = await runProgram(program(name, args()), { invokes });
    const shape = (regs: Registration[]) =>
        regs.map((r) => ({
            type: r.type,
            name: r.name,
            inputs: r.inputs,
            secretPaths: r.secretPaths,
        }));
    expect(shape(second.registrations)).toEqual(shape(first.registrations));
    await assertValidManifests(first.registrations);
    return first;
}

const byName = (regs: Registration[], name: string) => {
    const found = regs.find((r) => r.name === name);
    if (!found) {
        throw new Error(`no registration ${name}; have ${regs.map((r) => r.name).join(", ")}`);
    }
    return found;
};

const kinds = (regs: Registration[]) => regs.map((r) => [r.type, r.name]);

/** Stand-in values for the ESO template functions, only to check the template's JSON shape. */
function renderTemplate(template: string, values: Record<string, string>): unknown {
    return JSON.parse(
        template
            .replace(
                /\{\{ printf "%s:%s" \.username \.password \| b64enc \}\}/g,
                Buffer.from(`${values.username}:${values.password}`).toString("base64"),
            )
            .replace(/\{\{ \.(\w+) \}\}/g, (_m, key) => values[key]),
    );
}

describe("RegistrySecret off-cluster", () => {
    const args = (): RegistrySecretArgs => ({
        registry: {
            location: "off-cluster",
            url: "https://registry.example.com:5000/team",
            username: "robot",
            password: pulumi.secret("sentinel-registry-pass"),
        },
        scope: "project",
        namespaces: ["pipelines-a", "pipelines-b"],
        serviceAccounts: ["default", "airflow/airflow-worker"],
        testPullImage: "registry.example.com:5000/team/hello:1.0.0",
    });

    test("writes one dockerconfigjson Secret per namespace and patches the service accounts", async () => {
        const result = await evaluate("project-registry", args);
        expect(kinds(result.registrations)).toEqual([
            ["pipeline-platform:registry:RegistrySecret", "project-registry"],
            ["kubernetes:core/v1:Secret", "project-registry-secret-pipelines-a"],
            ["kubernetes:core/v1:Secret", "project-registry-secret-pipelines-b"],
            [
                "kubernetes:core/v1:ServiceAccountPatch",
                "project-registry-pull-secrets-pipelines-a-default",
            ],
            [
                "kubernetes:core/v1:ServiceAccountPatch",
                "project-registry-pull-secrets-pipelines-b-default",
            ],
            [
                "kubernetes:core/v1:ServiceAccountPatch",
                "project-registry-pull-secrets-airflow-airflow-worker",
            ],
        ]);
        const component = result.registrations[0];
        for (const ns of ["pipelines-a", "pipelines-b"]) {
            const secret = byName(result.registrations, `project-registry-secret-${ns}`);
            expect(secret.parent).toBe(component.urn);
            expect(secret.inputs.metadata).toEqual({
                name: "project-registry",
                namespace: ns,
                labels: LABELS("project"),
            });
            expect(secret.inputs.type).toBe("kubernetes.io/dockerconfigjson");
            expect(JSON.parse(secret.inputs.stringData[".dockerconfigjson"])).toEqual({
                auths: {
                    "registry.example.com:5000/team": {
                        username: "robot",
                        password: "sentinel-registry-pass",
                        auth: Buffer.from("robot:sentinel-registry-pass").toString("base64"),
                    },
                },
            });
            expect(isSecretInput(secret, 'stringData[".dockerconfigjson"]')).toBe(true);
        }
        const patch = byName(
            result.registrations,
            "project-registry-pull-secrets-airflow-airflow-worker",
        );
        expect(patch.inputs).toEqual({
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: "airflow-worker", namespace: "airflow" },
            imagePullSecrets: [{ name: "project-registry" }],
        });
        expect(patch.dependencies).toEqual(
            expect.arrayContaining([
                byName(result.registrations, "project-registry-secret-pipelines-a").urn,
            ]),
        );
        expect(
            byName(result.registrations, "project-registry-pull-secrets-pipelines-b-default").inputs
                .metadata,
        ).toEqual({ name: "default", namespace: "pipelines-b" });
    });

    test("outputs the secret name, image prefix, auths server and namespaces; preview runs no pull check", async () => {
        const result = await runProgram(program("project-registry", args()));
        expect(result.outputs).toEqual({
            secretName: "project-registry",
            imagePrefix: "registry.example.com:5000/team",
            server: "registry.example.com:5000/team",
            namespaces: ["pipelines-a", "pipelines-b"],
            testPullDigest: undefined,
        });
        expect(result.secretOutputs).toEqual([]);
    });

    test("maps Docker Hub to the index server, accepts a test image under any Hub alias, and names the Secret from secretName", async () => {
        const result = await evaluate("hub", () => ({
            registry: {
                location: "off-cluster",
                url: "https://docker.io/myorg",
                username: "myorg",
                password: pulumi.secret("sentinel-hub-token"),
            },
            scope: "service",
            namespaces: ["services"],
            secretName: "dockerhub-pull",
            testPullImage: "index.docker.io/myorg/hello:1.0.0",
        }));
        const secret = byName(result.registrations, "hub-secret-services");
        expect(secret.inputs.metadata).toEqual({
            name: "dockerhub-pull",
            namespace: "services",
            labels: LABELS("service"),
        });
        expect(
            Object.keys(JSON.parse(secret.inputs.stringData[".dockerconfigjson"]).auths),
        ).toEqual(["https://index.docker.io/v1/"]);
        expect(result.outputs.imagePrefix).toBe("docker.io/myorg");
    });

    test("names a child after the index of a namespace given as an Output", async () => {
        const result = await evaluate("dev", () => ({
            registry: {
                location: "off-cluster",
                url: "http://localhost:5000",
                username: "dev",
                password: pulumi.secret("sentinel-dev"),
            },
            scope: "project",
            namespaces: [pulumi.output("team-a")],
        }));
        expect(byName(result.registrations, "dev-secret-0").inputs.metadata.namespace).toBe(
            "team-a",
        );
        expect(result.outputs.namespaces).toEqual(["team-a"]);
    });
});

describe("RegistrySecret ecr", () => {
    test("creates the IRSA ServiceAccount, annotated with the role, in every namespace before its generator", async () => {
        const roleArn = "arn:aws:iam::123456789012:role/ecr-reader";
        const result = await evaluate("project-ecr", () => ({
            registry: {
                location: "ecr",
                region: "eu-central-1",
                auth: { serviceAccount: { name: "ecr-reader", roleArn } },
            },
            scope: "project",
            namespaces: ["imaging", "analytics"],
        }));
        for (const namespace of ["imaging", "analytics"]) {
            const account = byName(result.registrations, `project-ecr-irsa-${namespace}`);
            expect(account.inputs).toEqual({
                apiVersion: "v1",
                kind: "ServiceAccount",
                metadata: {
                    name: "ecr-reader",
                    namespace,
                    labels: LABELS("project"),
                    annotations: { "eks.amazonaws.com/role-arn": roleArn },
                },
            });
            const generator = byName(result.registrations, `project-ecr-generator-${namespace}`);
            expect(generator.inputs.spec.auth).toEqual({
                jwt: { serviceAccountRef: { name: "ecr-reader" } },
            });
            expect(generator.dependencies).toContain(account.urn);
        }
    });

    test("creates no ServiceAccount without a role: the named one must exist", async () => {
        const result = await evaluate("project-ecr", () => ({
            registry: {
                location: "ecr",
                region: "eu-central-1",
                auth: { serviceAccount: { name: "ecr-reader" } },
            },
            scope: "project",
            namespaces: ["imaging"],
        }));
        expect(result.registrations.map((r) => r.type)).not.toContain(
            "kubernetes:core/v1:ServiceAccount",
        );
    });

    test("creates an ECRAuthorizationToken generator and an ExternalSecret per namespace, no credential in Pulumi", async () => {
        const result = await evaluate("staging-ecr", () => ({
            registry: {
                location: "ecr",
                region: "eu-central-1",
                registryId: "123456789012",
                auth: { serviceAccount: { name: "ecr-reader" } },
            },
            scope: "service",
            namespaces: ["services"],
            serviceAccounts: ["airflow-worker"],
        }));
        expect(kinds(result.registrations)).toEqual([
            ["pipeline-platform:registry:RegistrySecret", "staging-ecr"],
            [
                "kubernetes:generators.external-secrets.io/v1alpha1:ECRAuthorizationToken",
                "staging-ecr-generator-services",
            ],
            [
                "kubernetes:external-secrets.io/v1:ExternalSecret",
                "staging-ecr-external-secret-services",
            ],
            [
                "kubernetes:core/v1:ServiceAccountPatch",
                "staging-ecr-pull-secrets-services-airflow-worker",
            ],
        ]);
        const generator = byName(result.registrations, "staging-ecr-generator-services");
        expect(generator.inputs).toEqual({
            apiVersion: "generators.external-secrets.io/v1alpha1",
            kind: "ECRAuthorizationToken",
            metadata: { name: "staging-ecr", namespace: "services", labels: LABELS("service") },
            spec: {
                region: "eu-central-1",
                auth: { jwt: { serviceAccountRef: { name: "ecr-reader" } } },
            },
        });
        const external = byName(result.registrations, "staging-ecr-external-secret-services");
        expect(external.inputs.metadata).toEqual({
            name: "staging-ecr",
            namespace: "services",
            labels: LABELS("service"),
        });
        const template = external.inputs.spec.target.template.data[".dockerconfigjson"];
        expect(external.inputs.spec).toEqual({
            refreshInterval: "6h",
            target: {
                name: "staging-ecr",
                creationPolicy: "Owner",
                template: {
                    type: "kubernetes.io/dockerconfigjson",
                    engineVersion: "v2",
                    metadata: { labels: LABELS("service") },
                    data: { ".dockerconfigjson": template },
                },
            },
            dataFrom: [
                {
                    sourceRef: {
                        generatorRef: {
                            apiVersion: "generators.external-secrets.io/v1alpha1",
                            kind: "ECRAuthorizationToken",
                            name: "staging-ecr",
                        },
                    },
                },
            ],
        });
        expect(renderTemplate(template, { username: "AWS", password: "tok" })).toEqual({
            auths: {
                "123456789012.dkr.ecr.eu-central-1.amazonaws.com": {
                    username: "AWS",
                    password: "tok",
                    auth: Buffer.from("AWS:tok").toString("base64"),
                },
            },
        });
        expect(result.registrations.flatMap((r) => r.secretPaths)).toEqual([]);
        expect(result.registrations.map((r) => r.type)).not.toContain("kubernetes:core/v1:Secret");
        expect(result.invocations).toEqual([]);
        expect(result.outputs.imagePrefix).toBe("123456789012.dkr.ecr.eu-central-1.amazonaws.com");
    });

    test("without registryId uses the token's proxy endpoint in the Secret and Pulumi's account for the prefix", async () => {
        const result = await evaluate("ecr", () => ({
            registry: {
                location: "ecr",
                region: "us-east-1",
                refreshInterval: "8h",
                auth: { secretRef: { name: "aws-keys" } },
            },
            scope: "project",
            namespaces: ["team-a"],
        }));
        const generator = byName(result.registrations, "ecr-generator-team-a");
        expect(generator.inputs.spec).toEqual({
            region: "us-east-1",
            auth: {
                secretRef: {
                    accessKeyIDSecretRef: { name: "aws-keys", key: "access-key-id" },
                    secretAccessKeySecretRef: { name: "aws-keys", key: "secret-access-key" },
                },
            },
        });
        const external = byName(result.registrations, "ecr-external-secret-team-a");
        expect(external.inputs.spec.refreshInterval).toBe("8h");
        expect(
            renderTemplate(external.inputs.spec.target.template.data[".dockerconfigjson"], {
                username: "AWS",
                password: "tok",
                proxy_endpoint: "https://210987654321.dkr.ecr.us-east-1.amazonaws.com",
            }),
        ).toEqual({
            auths: {
                "https://210987654321.dkr.ecr.us-east-1.amazonaws.com": {
                    username: "AWS",
                    password: "tok",
                    auth: Buffer.from("AWS:tok").toString("base64"),
                },
            },
        });
        expect(result.invocations.map((i) => i.token)).toEqual([CALLER_IDENTITY]);
        expect(result.outputs.imagePrefix).toBe("210987654321.dkr.ecr.us-east-1.amazonaws.com");
    });

    test("with a namespaceSelector uses a ClusterGenerator and a ClusterExternalSecret so later namespaces get the secret", async () => {
        const result = await evaluate("projects-ecr", () => ({
            registry: { location: "ecr", region: "eu-central-1", registryId: "123456789012" },
            scope: "project",
            namespaces: ["team-a"],
            namespaceSelector: { "pipeline-platform.io/project": "true" },
        }));
        expect(kinds(result.registrations)).toEqual([
            ["pipeline-platform:registry:RegistrySecret", "projects-ecr"],
            [
                "kubernetes:generators.external-secrets.io/v1alpha1:ClusterGenerator",
                "projects-ecr-cluster-generator",
            ],
            [
                "kubernetes:external-secrets.io/v1:ClusterExternalSecret",
                "projects-ecr-cluster-external-secret",
            ],
        ]);
        expect(byName(result.registrations, "projects-ecr-cluster-generator").inputs).toEqual({
            apiVersion: "generators.external-secrets.io/v1alpha1",
            kind: "ClusterGenerator",
            metadata: { name: "projects-ecr", labels: LABELS("project") },
            spec: {
                kind: "ECRAuthorizationToken",
                generator: { ecrAuthorizationTokenSpec: { region: "eu-central-1" } },
            },
        });
        const cluster = byName(result.registrations, "projects-ecr-cluster-external-secret");
        expect(cluster.inputs.metadata).toEqual({
            name: "projects-ecr",
            labels: LABELS("project"),
        });
        expect(cluster.inputs.spec.externalSecretName).toBe("projects-ecr");
        expect(cluster.inputs.spec.externalSecretMetadata).toEqual({ labels: LABELS("project") });
        expect(cluster.inputs.spec.namespaces).toEqual(["team-a"]);
        expect(cluster.inputs.spec.namespaceSelectors).toEqual([
            { matchLabels: { "pipeline-platform.io/project": "true" } },
        ]);
        expect(cluster.inputs.spec.externalSecretSpec.dataFrom).toEqual([
            {
                sourceRef: {
                    generatorRef: {
                        apiVersion: "generators.external-secrets.io/v1alpha1",
                        kind: "ClusterGenerator",
                        name: "projects-ecr",
                    },
                },
            },
        ]);
        expect(cluster.inputs.spec.externalSecretSpec.target.template.type).toBe(
            "kubernetes.io/dockerconfigjson",
        );
        expect(cluster.dependencies).toContain(
            byName(result.registrations, "projects-ecr-cluster-generator").urn,
        );
    });
});

describe("RegistrySecret gcr", () => {
    test("a service-account key becomes a static _json_key Secret", async () => {
        const result = await evaluate("prod-gcr", () => ({
            registry: {
                location: "gcr",
                url: "https://europe-west1-docker.pkg.dev/my-project-123/pipelines",
                serviceAccountKey: pulumi.secret(GCP_KEY),
            },
            scope: "project",
            namespaces: ["team-a"],
        }));
        expect(kinds(result.registrations)).toEqual([
            ["pipeline-platform:registry:RegistrySecret", "prod-gcr"],
            ["kubernetes:core/v1:Secret", "prod-gcr-secret-team-a"],
        ]);
        const secret = byName(result.registrations, "prod-gcr-secret-team-a");
        expect(secret.inputs.type).toBe("kubernetes.io/dockerconfigjson");
        expect(JSON.parse(secret.inputs.stringData[".dockerconfigjson"])).toEqual({
            auths: {
                "europe-west1-docker.pkg.dev/my-project-123/pipelines": {
                    username: "_json_key",
                    password: GCP_KEY,
                    auth: Buffer.from(`_json_key:${GCP_KEY}`).toString("base64"),
                },
            },
        });
        expect(isSecretInput(secret, 'stringData[".dockerconfigjson"]')).toBe(true);
        expect(result.outputs.imagePrefix).toBe(
            "europe-west1-docker.pkg.dev/my-project-123/pipelines",
        );
    });

    test("workload identity gives a GCRAccessToken generator refreshed every 30m", async () => {
        const result = await evaluate("gcr", () => ({
            registry: {
                location: "gcr",
                workloadIdentity: {
                    projectId: "my-project-123",
                    clusterLocation: "europe-west1",
                    clusterName: "pipelines",
                    serviceAccount: { name: "registry-reader" },
                },
            },
            scope: "service",
            namespaces: ["services"],
        }));
        expect(kinds(result.registrations)).toEqual([
            ["pipeline-platform:registry:RegistrySecret", "gcr"],
            [
                "kubernetes:generators.external-secrets.io/v1alpha1:GCRAccessToken",
                "gcr-generator-services",
            ],
            ["kubernetes:external-secrets.io/v1:ExternalSecret", "gcr-external-secret-services"],
        ]);
        expect(byName(result.registrations, "gcr-generator-services").inputs.spec).toEqual({
            projectID: "my-project-123",
            auth: {
                workloadIdentity: {
                    clusterLocation: "europe-west1",
                    clusterName: "pipelines",
                    clusterProjectID: "my-project-123",
                    serviceAccountRef: { name: "registry-reader" },
                },
            },
        });
        const external = byName(result.registrations, "gcr-external-secret-services");
        expect(external.inputs.spec.refreshInterval).toBe("30m");
        expect(external.inputs.spec.dataFrom[0].sourceRef.generatorRef.kind).toBe("GCRAccessToken");
        expect(
            renderTemplate(external.inputs.spec.target.template.data[".dockerconfigjson"], {
                username: "oauth2accesstoken",
                password: "ya29",
            }),
        ).toEqual({
            auths: {
                "gcr.io": {
                    username: "oauth2accesstoken",
                    password: "ya29",
                    auth: Buffer.from("oauth2accesstoken:ya29").toString("base64"),
                },
            },
        });
        expect(result.registrations.flatMap((r) => r.secretPaths)).toEqual([]);
        expect(result.outputs.imagePrefix).toBe("gcr.io");
    });
});

describe("RegistrySecret refusals never show a credential", () => {
    const PASSWORD = "S3NTINEL-refusal-pass";
    const base = (): RegistrySecretArgs => ({
        registry: {
            location: "off-cluster",
            url: "https://registry.example.com/team",
            username: "robot",
            password: PASSWORD,
        },
        scope: "project",
        namespaces: ["team-a"],
    });
    const withUrl = (url: string) => (): RegistrySecretArgs => ({
        ...base(),
        registry: { ...(base().registry as OffClusterRegistry), url },
    });
    const gcrKey = JSON.stringify({
        type: "service_account",
        client_email: "reader@my-project-123.iam.gserviceaccount.com",
        private_key: `-----BEGIN PRIVATE KEY-----${PASSWORD}`,
    });

    test.each<[string, () => RegistrySecretArgs, string]>([
        [
            "user:password in the URL",
            withUrl(`https://robot:${PASSWORD}@registry.example.com`),
            "registry.url",
        ],
        [
            "a password with '/'",
            withUrl(`https://robot:a/${PASSWORD}@registry.example.com`),
            "registry.url",
        ],
        [
            "a password with '\"'",
            withUrl(`https://robot:a"${PASSWORD}@registry.example.com`),
            "registry.url",
        ],
        [
            "a password with '@'",
            withUrl(`https://robot:${PASSWORD}@x@registry.example.com`),
            "registry.url",
        ],
        [
            "user:password and a long path",
            withUrl(`http://robot:${PASSWORD}@registry.example.com:5000/${"a".repeat(200)}`),
            "registry.url",
        ],
        [
            "user:password without a protocol",
            withUrl(`robot:${PASSWORD}@registry.example.com`),
            "registry.url",
        ],
        [
            "user:password in the test image",
            () => ({
                ...base(),
                testPullImage: `https://robot:${PASSWORD}@registry.example.com/team/hello:1.0.0`,
            }),
            "testPullImage",
        ],
        [
            "user:password in a test image without a protocol",
            () => ({
                ...base(),
                testPullImage: `robot:${PASSWORD}@registry.example.com/team/hello:1.0.0`,
            }),
            "testPullImage",
        ],
        [
            "a password that is not a string",
            () => ({
                ...base(),
                registry: {
                    ...(base().registry as OffClusterRegistry),
                    password: [PASSWORD] as unknown as string,
                },
            }),
            "registry.password",
        ],
        [
            "a gcr key on an off-Google URL",
            () => ({
                ...base(),
                registry: {
                    location: "gcr",
                    url: "https://registry.example.com",
                    serviceAccountKey: gcrKey,
                },
            }),
            "registry.url",
        ],
    ])("%s", (_case, args, path) => {
        let error: unknown;
        try {
            planRegistrySecret("r", args());
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(pulumi.InputPropertyError);
        expect((error as pulumi.InputPropertyError).propertyPath).toBe(path);
        expect(String((error as Error).message)).not.toContain(PASSWORD);
        expect((error as pulumi.InputPropertyError).reason).not.toContain(PASSWORD);
    });
});

describe("RegistrySecret testPullImage digests", () => {
    const base = (): RegistrySecretArgs => ({
        registry: {
            location: "off-cluster",
            url: "https://registry.example.com/team",
            username: "robot",
            password: "not-a-real-password",
        },
        scope: "project",
        namespaces: ["team-a"],
    });

    test.each<[string, Partial<RegistrySecretArgs>, string]>([
        [
            "a test image pinned to a digest that cannot be checked",
            { testPullImage: `registry.example.com/team/hello@sha256:${"a".repeat(32)}` },
            `RegistrySecret "r": testPullImage: got "registry.example.com/team/hello@sha256:${"a".repeat(32)}"; expected an image reference whose digest is sha256:<64 hex digits> or sha512:<128 hex digits>, e.g. registry.example.com/team/hello@sha256:${"0".repeat(64)}`,
        ],
    ])("refuses %s", (_case, change, reason) => {
        expect(() => planRegistrySecret("r", { ...base(), ...change })).toThrow(reason);
    });
});
