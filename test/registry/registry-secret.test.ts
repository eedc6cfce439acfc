import * as pulumi from "@pulumi/pulumi";
import { RegistrySecret, RegistrySecretArgs } from "../../components/registry";
import {
    assertValidManifests,
    isSecretInput,
    ProgramError,
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

describe("RegistrySecret bad input", () => {
    const offCluster = {
        location: "off-cluster" as const,
        url: "https://registry.example.com/team",
        username: "robot",
        password: "pw",
    };
    const base: RegistrySecretArgs = {
        registry: offCluster,
        scope: "project",
        namespaces: ["team-a"],
    };
    const ecr = { location: "ecr" as const, region: "eu-central-1" };
    const identity = {
        projectId: "my-project-123",
        clusterLocation: "europe-west1",
        clusterName: "pipelines",
        serviceAccount: { name: "reader" },
    };
    const cases: Array<
        [string, Partial<RegistrySecretArgs> & Record<string, unknown>, string, RegExp]
    > = [
        [
            "a URL without protocol",
            { registry: { ...offCluster, url: "registry.example.com/team" } },
            "registry.url",
            /starts with http:\/\/ or https:\/\//,
        ],
        [
            "a URL with another protocol",
            { registry: { ...offCluster, url: "ftp://registry.example.com" } },
            "registry.url",
            /protocol http or https, not ftp/,
        ],
        [
            "a URL with a query",
            { registry: { ...offCluster, url: "https://registry.example.com/team?x=1" } },
            "registry.url",
            /no query/,
        ],
        [
            "a URL with a fragment",
            { registry: { ...offCluster, url: "https://registry.example.com/team#a" } },
            "registry.url",
            /fragment/,
        ],
        [
            "a URL with user:password",
            { registry: { ...offCluster, url: "https://robot:pw@registry.example.com" } },
            "registry.url",
            /no user:password inside the URL/,
        ],
        [
            "a missing password",
            { registry: { ...offCluster, password: "" } },
            "registry.password",
            /a password or token/,
        ],
        [
            "an unknown location",
            { registry: { location: "azure" } as never },
            "registry.location",
            /one of "off-cluster", "ecr", "gcr"/,
        ],
        [
            "testPullImage with a protocol",
            { testPullImage: "https://registry.example.com/team/hello:1.0.0" },
            "testPullImage",
            /without a protocol/,
        ],
        [
            "testPullImage without tag or digest",
            { testPullImage: "registry.example.com/team/hello" },
            "testPullImage",
            /a tag or digest/,
        ],
        [
            "testPullImage in another registry",
            { testPullImage: "quay.io/team/hello:1.0.0" },
            "testPullImage",
            /an image in the registry registry.example.com/,
        ],
        [
            "testPullImage for ecr",
            {
                registry: ecr,
                testPullImage: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/hello:1.0.0",
            },
            "testPullImage",
            /token exists only in the cluster/,
        ],
        [
            "a zero pull timeout",
            { testPullTimeoutMs: 0 },
            "testPullTimeoutMs",
            /positive whole number/,
        ],
        ["an upper-case secretName", { secretName: "Registry" }, "secretName", /DNS-1123 label/],
        ["an over-long secretName", { secretName: "r".repeat(64) }, "secretName", /at most 63/],
        ["no namespaces", { namespaces: [] }, "namespaces", /at least one namespace/],
        ["an empty namespace", { namespaces: [""] }, "namespaces[0]", /a namespace name/],
        [
            "an upper-case namespace",
            { namespaces: ["Team-A"] },
            "namespaces[0]",
            /a namespace name/,
        ],
        [
            "a duplicate namespace",
            { namespaces: ["team-a", "team-b", "team-a"] },
            "namespaces[2]",
            /each namespace once \(also at namespaces\[0\]\)/,
        ],
        [
            "an unknown scope",
            { scope: "cluster" as never },
            "scope",
            /"project" \(processing containers\) or "service"/,
        ],
        [
            "a namespaceSelector for static credentials",
            { namespaceSelector: { team: "a" } },
            "namespaceSelector",
            /list the namespaces/,
        ],
        [
            "an empty namespaceSelector",
            { registry: ecr, namespaceSelector: {} },
            "namespaceSelector",
            /at least one label pair/,
        ],
        [
            "a bad selector label value",
            { registry: ecr, namespaceSelector: { team: "a b" } },
            "namespaceSelector.team",
            /a label value/,
        ],
        [
            "a bad service account",
            { serviceAccounts: ["a/b/c"] },
            "serviceAccounts[0]",
            /name or namespace\/name/,
        ],
        [
            "a duplicate service account",
            { serviceAccounts: ["default", "default"] },
            "serviceAccounts[1]",
            /each service account once/,
        ],
        [
            "ecr without region",
            { registry: { location: "ecr" } as never },
            "registry.region",
            /an AWS region/,
        ],
        [
            "ecr with a malformed region",
            { registry: { ...ecr, region: "europe" } },
            "registry.region",
            /an AWS region/,
        ],
        [
            "ecr with a malformed registryId",
            { registry: { ...ecr, registryId: "12345" } },
            "registry.registryId",
            /12-digit AWS account id/,
        ],
        [
            "ecr with a refreshInterval that does not parse",
            { registry: { ...ecr, refreshInterval: "six hours" } },
            "registry.refreshInterval",
            /a Go duration/,
        ],
        [
            "ecr with a refreshInterval not shorter than 12h",
            { registry: { ...ecr, refreshInterval: "12h" } },
            "registry.refreshInterval",
            /shorter than the token's lifetime of 12h/,
        ],
        [
            "ecr with a zero refreshInterval",
            { registry: { ...ecr, refreshInterval: "0s" } },
            "registry.refreshInterval",
            /above 0/,
        ],
        [
            "ecr auth with both kinds",
            {
                registry: {
                    ...ecr,
                    auth: { serviceAccount: { name: "a" }, secretRef: { name: "b" } } as never,
                },
            },
            "registry.auth",
            /exactly one of serviceAccount/,
        ],
        [
            "ecr auth with a bad secret key",
            { registry: { ...ecr, auth: { secretRef: { name: "keys", accessKeyIdKey: "a/b" } } } },
            "registry.auth.secretRef.accessKeyIdKey",
            /a Secret key/,
        ],
        [
            "gcr with both key and workload identity",
            {
                registry: {
                    location: "gcr",
                    serviceAccountKey: GCP_KEY,
                    workloadIdentity: identity,
                },
            },
            "registry",
            /both serviceAccountKey and workloadIdentity/,
        ],
        [
            "gcr with neither key nor workload identity",
            { registry: { location: "gcr" } },
            "registry",
            /neither serviceAccountKey nor workloadIdentity/,
        ],
        [
            "gcr with a non-Google URL",
            {
                registry: {
                    location: "gcr",
                    url: "https://registry.example.com",
                    serviceAccountKey: GCP_KEY,
                },
            },
            "registry.url",
            /a Google registry/,
        ],
        [
            "gcr with a key that is not a service-account key",
            { registry: { location: "gcr", serviceAccountKey: '{"secret": "sentinel"}' } },
            "registry.serviceAccountKey",
            /a Google service-account JSON key/,
        ],
        [
            "gcr with a refreshInterval of 1h",
            { registry: { location: "gcr", workloadIdentity: identity, refreshInterval: "1h" } },
            "registry.refreshInterval",
            /shorter than the token's lifetime of 1h/,
        ],
        [
            "gcr with a malformed project id",
            { registry: { location: "gcr", workloadIdentity: { ...identity, projectId: "P" } } },
            "registry.workloadIdentity.projectId",
            /a GCP project id/,
        ],
    ];

    test.each(cases)(
        "rejects %s before creating anything",
        async (_case, override, path, reason) => {
            const args = { ...base, ...override } as RegistrySecretArgs;
            const error = await runProgram(() => new RegistrySecret("bad", args), { invokes }).then(
                () => undefined,
                (err: ProgramError) => err,
            );
            expect(error).toBeInstanceOf(ProgramError);
            expect(pulumi.InputPropertyError.isInstance(error!.cause)).toBe(true);
            const cause = error!.cause as pulumi.InputPropertyError;
            expect(cause.propertyPath).toBe(path);
            expect(cause.reason).toMatch(reason);
            expect(cause.reason).toMatch(/; expected .*, e\.g\. /);
            expect(cause.reason).not.toContain("sentinel");
            expect(error!.registrations).toEqual([]);
        },
    );
});
