import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type {
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { credentialIn } from "../../policy-pack/credentials";
import {
    bindingsToServiceAccounts,
    credentialsOnlyInSecrets,
    httpProxyIngressClass,
    imagesPinned,
    namespacesLabelled,
    noWildcardRbac,
    objectsLabelled,
    podsHardened,
    podsNoHostAccess,
    POLICIES,
    processingImagesByDigest,
    statefulResourcesProtected,
} from "../../policy-pack/policies";

/** A resource as a test writes it: its type, inputs, and (optionally) name and protect. */
interface Fake {
    type: string;
    props: Record<string, unknown>;
    name?: string;
    protect?: boolean;
}

/** What the policy SDK's server passes a resource policy, built from a fake resource. */
function resourceArgs(fake: Fake): ResourceValidationArgs {
    const name = fake.name ?? "subject";
    return {
        type: fake.type,
        props: fake.props,
        urn: `urn:pulumi:test::policy::${fake.type}::${name}`,
        name,
        opts: {
            protect: fake.protect ?? false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`not applicable: ${reason}`);
        },
    };
}

/** The messages a resource policy reports for a fake resource. */
async function reported(policy: ResourceValidationPolicy, fake: Fake): Promise<string[]> {
    const messages: string[] = [];
    for (const validate of [policy.validateResource!].flat()) {
        await validate(resourceArgs(fake), (message) => messages.push(message));
    }
    return messages;
}

/** The `[resource name, message]` pairs a stack policy reports for fake resources. */
async function reportedForStack(
    policy: StackValidationPolicy,
    fakes: Fake[],
): Promise<Array<[string | undefined, string]>> {
    const resources = fakes.map((fake): PolicyResource => {
        const args = resourceArgs(fake);
        return {
            ...args,
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        };
    });
    const messages: Array<[string | undefined, string]> = [];
    await policy.validateStack!(
        {
            resources,
            stackTags: new Map(),
            getConfig: <T extends object>() => ({}) as T,
            notApplicable: () => {
                throw new Error("not applicable");
            },
        },
        (message, urn) => messages.push([urn?.split("::").pop(), message]),
    );
    return messages;
}

const LABELS = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "team-pipelines",
};
const DIGEST = `@sha256:${"0".repeat(64)}`;
const PINNED = `registry.example.com/team/tool:1.0.0${DIGEST}`;
const HARDENED = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
};
const pod = (spec: Record<string, unknown>): Fake => ({
    type: "kubernetes:core/v1:Pod",
    props: {
        metadata: { name: "p", namespace: "team", labels: LABELS },
        spec: { automountServiceAccountToken: false, ...spec },
    },
});
const container = (extra: Record<string, unknown> = {}) => ({
    name: "main",
    image: PINNED,
    securityContext: HARDENED,
    ...extra,
});
const configMap = (
    data: Record<string, string>,
    labels: Record<string, string> = LABELS,
): Fake => ({
    type: "kubernetes:core/v1:ConfigMap",
    props: { metadata: { name: "settings", namespace: "team", labels }, data },
});

describe("credentials-only-in-secrets", () => {
    test.each<[string, Fake, string[]]>([
        ["a ConfigMap of settings", configMap({ LOG_LEVEL: "debug", secretName: "db" }), []],
        [
            "a password in a ConfigMap",
            configMap({ DB_PASSWORD: "hunter22" }),
            [
                'data.DB_PASSWORD: a literal value under the credential key "DB_PASSWORD"; only a Secret may hold a credential',
            ],
        ],
        [
            "a connection URL with its password in a ConfigMap",
            configMap({ SQL_CONN: "postgresql://airflow:s3cret@db:5432/airflow" }),
            ["data.SQL_CONN: a URL with a password in it; only a Secret may hold a credential"],
        ],
        [
            "a private key in a ConfigMap's binaryData",
            {
                type: "kubernetes:core/v1:ConfigMap",
                props: {
                    metadata: { name: "k", labels: LABELS },
                    binaryData: {
                        key: Buffer.from("-----BEGIN RSA PRIVATE KEY-----\nMII").toString("base64"),
                    },
                },
            },
            ['binaryData["key"]: a private key (PEM); only a Secret may hold a credential'],
        ],
        [
            "a token in an annotation",
            {
                type: "kubernetes:core/v1:Service",
                props: {
                    metadata: {
                        name: "s",
                        labels: LABELS,
                        annotations: { "example.com/api-token": "abc123" },
                    },
                },
            },
            [
                'metadata.annotations["example.com/api-token"]: a literal value under the credential key "example.com/api-token"; only a Secret may hold a credential',
            ],
        ],
        [
            "a password in Helm values",
            {
                type: "kubernetes:helm.sh/v3:Release",
                props: {
                    chart: "postgresql",
                    values: { auth: { postgresPassword: "pw", existingSecret: "db" } },
                },
            },
            [
                'values.auth.postgresPassword: a literal value under the credential key "postgresPassword"; only a Secret may hold a credential',
            ],
        ],
        [
            "a Secret's name in Helm values",
            {
                type: "kubernetes:helm.sh/v3:Release",
                props: {
                    chart: "airflow",
                    values: {
                        fernetKeySecretName: "airflow-fernet-key",
                        data: { metadataSecretName: "db" },
                    },
                },
            },
            [],
        ],
        [
            "a credential in a container's env literal",
            pod({
                containers: [
                    container({
                        env: [
                            { name: "API_KEY", value: "k-123" },
                            { name: "MODE", value: "fast" },
                        ],
                    }),
                ],
            }),
            [
                'spec containers[0] main env[0].value: a literal value under the credential key "API_KEY"; only a Secret may hold a credential',
            ],
        ],
        [
            "a credential taken from a Secret in env",
            pod({
                containers: [
                    container({
                        env: [
                            {
                                name: "API_KEY",
                                valueFrom: { secretKeyRef: { name: "api", key: "key" } },
                            },
                        ],
                    }),
                ],
            }),
            [],
        ],
        [
            "a credential in a pod template file's env",
            configMap({
                "task.yaml": `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: base\n      env:\n        - name: AWS_SECRET_ACCESS_KEY\n          value: abc\n`,
            }),
            [
                'data["task.yaml"] containers[0] base env[0].value: a literal value under the credential key "AWS_SECRET_ACCESS_KEY"; only a Secret may hold a credential',
            ],
        ],
        [
            "a credential in a Secret",
            {
                type: "kubernetes:core/v1:Secret",
                props: { metadata: { name: "s", labels: LABELS }, stringData: { password: "pw" } },
            },
            [],
        ],
    ])("%s", async (_title, fake, expected) => {
        expect(await reported(credentialsOnlyInSecrets, fake)).toEqual(expected);
    });

    test.each<[string | undefined, unknown, string | undefined]>([
        ["password", "pw", 'a literal value under the credential key "password"'],
        ["clientSecret", "x", 'a literal value under the credential key "clientSecret"'],
        ["fernetKey", "x", 'a literal value under the credential key "fernetKey"'],
        ["existingSecret", "db-secret", undefined],
        ["passwordSecretKeyRef", "db", undefined],
        ["password", "", undefined],
        ["password", "$(DB_PASSWORD)", undefined],
        ["token", 42, undefined],
        [undefined, "AKIAABCDEFGHIJKLMNOP", "an AWS access key id"],
        [
            undefined,
            '{"type":"service_account","private_key":"-----"}',
            "a service-account key (JSON)",
        ],
        [
            undefined,
            '{"auths":{"r.example.com":{"auth":"cm9ib3Q6cHc="}}}',
            "registry credentials (docker config JSON)",
        ],
        [undefined, `ghp_${"a".repeat(36)}`, "a GitHub token"],
        [
            undefined,
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyb2JvdCJ9.c2lnbmF0dXJlLXZhbHVl",
            "a JSON Web Token",
        ],
        [undefined, "https://example.com/path?x=1", undefined],
        [undefined, "registry.example.com:5000/team/otsus:1.0.0", undefined],
    ])("credentialIn(%j, %j) is %j", (key, value, expected) => {
        expect(credentialIn(key, value)).toBe(expected);
    });
});

const role = (kind: string, rules: unknown[]): Fake => ({
    type: `kubernetes:rbac.authorization.k8s.io/v1:${kind}`,
    props: { metadata: { name: "r", labels: LABELS }, rules },
});

describe.each<[string, ResourceValidationPolicy, Fake, Fake, string[]]>([
    [
        "no-wildcard-rbac",
        noWildcardRbac,
        role("Role", [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }]),
        role("ClusterRole", [
            { apiGroups: ["*"], resources: ["pods"], verbs: ["get"] },
            { apiGroups: [""], resources: ["pods/*"], verbs: ["*"] },
        ]),
        [
            "rules[0].apiGroups holds a wildcard",
            "rules[1].verbs holds a wildcard",
            "rules[1].resources holds a wildcard",
        ],
    ],
    [
        "pods-hardened",
        podsHardened,
        pod({ containers: [container()] }),
        {
            type: "kubernetes:batch/v1:CronJob",
            props: {
                metadata: { name: "c", labels: LABELS },
                spec: {
                    jobTemplate: {
                        spec: {
                            template: {
                                spec: {
                                    securityContext: {
                                        runAsNonRoot: true,
                                        seccompProfile: { type: "RuntimeDefault" },
                                    },
                                    initContainers: [{ name: "init", image: PINNED }],
                                    containers: [container()],
                                },
                            },
                        },
                    },
                },
            },
        },
        [
            "spec.jobTemplate.spec.template.spec pod: automountServiceAccountToken is not false: the pod gets an API token",
            "spec.jobTemplate.spec.template.spec initContainers[0] init: securityContext.allowPrivilegeEscalation is not false",
            "spec.jobTemplate.spec.template.spec initContainers[0] init: securityContext.capabilities.drop does not contain ALL",
        ],
    ],
    [
        "pods-hardened (the package's own exception: a task pod template's base container may run as root)",
        podsHardened,
        {
            type: "kubernetes:core/v1:ConfigMap",
            props: {
                metadata: { name: "airflow-pod-templates", namespace: "airflow", labels: LABELS },
                data: {
                    "__default__.yaml":
                        "apiVersion: v1\nkind: Pod\nspec:\n  automountServiceAccountToken: false\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  containers:\n    - name: base\n      securityContext:\n        allowPrivilegeEscalation: false\n        capabilities:\n          drop: [ALL]\n",
                },
            },
        },
        {
            type: "kubernetes:core/v1:ConfigMap",
            props: {
                metadata: { name: "team-pods", namespace: "airflow", labels: LABELS },
                data: {
                    "task.yaml":
                        "apiVersion: v1\nkind: Pod\nspec:\n  automountServiceAccountToken: false\n  containers:\n    - name: base\n      securityContext:\n        allowPrivilegeEscalation: false\n        capabilities:\n          drop: [ALL]\n        seccompProfile:\n          type: RuntimeDefault\n",
                },
            },
        },
        [
            'data["task.yaml"] containers[0] base: runAsNonRoot is not true on the container or the pod',
        ],
    ],
    [
        "stateful-resources-protected",
        statefulResourcesProtected,
        {
            type: "kubernetes:core/v1:PersistentVolumeClaim",
            props: { metadata: { name: "data" } },
            protect: true,
        },
        { type: "aws:s3/bucket:Bucket", props: { bucket: "team-data" }, name: "data-bucket" },
        [
            "the pipelines' objects (data and task logs) in the S3 bucket; the resource is not protect: true",
        ],
    ],
    [
        "stateful-resources-protected (a Secret that is not a fernet key holds no data)",
        statefulResourcesProtected,
        {
            type: "kubernetes:core/v1:Secret",
            props: { metadata: { name: "api" } },
            name: "api-keys",
        },
        {
            type: "kubernetes:core/v1:Secret",
            props: { metadata: { name: "fk" } },
            name: "airflow-fernet-key",
        },
        [
            "Airflow's fernet key: without it the connections and variables encrypted in Airflow's database cannot be read; the resource is not protect: true",
        ],
    ],
    [
        "httpproxy-ingress-class",
        httpProxyIngressClass,
        {
            type: "kubernetes:projectcontour.io/v1:HTTPProxy",
            props: {
                metadata: { name: "web", namespace: "team" },
                spec: { ingressClassName: "contour" },
            },
        },
        {
            type: "kubernetes:projectcontour.io/v1:HTTPProxy",
            props: { metadata: { name: "web", namespace: "team" }, spec: { ingressClassName: "" } },
        },
        ["HTTPProxy team/web has no spec.ingressClassName"],
    ],
    [
        "namespaces-labelled",
        namespacesLabelled,
        {
            type: "kubernetes:core/v1:Namespace",
            props: { metadata: { name: "team", labels: LABELS } },
        },
        { type: "kubernetes:core/v1:Namespace", props: { metadata: { name: "team" } } },
        [
            "Namespace team has no label app.kubernetes.io/managed-by",
            "Namespace team has no label app.kubernetes.io/part-of",
        ],
    ],
    [
        "pods-no-host-access",
        podsNoHostAccess,
        pod({ containers: [container()], volumes: [{ name: "data", emptyDir: {} }] }),
        pod({
            hostPID: true,
            hostIPC: true,
            containers: [container({ securityContext: { ...HARDENED, privileged: true } })],
            volumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }],
        }),
        [
            "spec: hostPID is true",
            "spec: hostIPC is true",
            "spec: volume docker is a hostPath",
            "spec containers[0] main: privileged is true",
        ],
    ],
    [
        "bindings-to-service-accounts",
        bindingsToServiceAccounts,
        {
            type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
            props: {
                metadata: { name: "b", namespace: "team" },
                roleRef: { kind: "Role", name: "r" },
                subjects: [{ kind: "ServiceAccount", name: "api" }],
            },
        },
        {
            type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
            props: {
                metadata: { name: "b", namespace: "team" },
                roleRef: { kind: "ClusterRole", name: "edit" },
                subjects: [{ kind: "User", name: "alice" }],
            },
        },
        [
            "RoleBinding team/b binds ClusterRole edit, not a namespaced Role",
            "RoleBinding team/b grants to User alice, not a ServiceAccount",
        ],
    ],
    [
        "objects-labelled",
        objectsLabelled,
        configMap({ mode: "fast" }),
        configMap({ mode: "fast" }, { "app.kubernetes.io/managed-by": "pulumi" }),
        ["ConfigMap team/settings has no label app.kubernetes.io/part-of"],
    ],
])("%s", (_name, policy, passing, failing, messages) => {
    test("passes a resource that keeps it", async () => {
        expect(await reported(policy, passing)).toEqual([]);
    });
    test("reports each breach of a resource that breaks it", async () => {
        expect(await reported(policy, failing)).toEqual(messages);
    });
});

describe("image policies (stack policies: they read which images the stack builds)", () => {
    const built: Fake = {
        type: "docker:index/image:Image",
        name: "otsus-image",
        props: { imageName: "registry.example.com:5000/team/otsus-method:1.0.0" },
    };
    const job = (name: string, image: string): Fake => ({
        type: "kubernetes:batch/v1:Job",
        name,
        props: {
            metadata: { name, labels: LABELS },
            spec: { template: { spec: { containers: [container({ image })] } } },
        },
    });
    const stack = [
        built,
        job("by-digest", `registry.example.com:5000/team/otsus-method:1.0.0${DIGEST}`),
        job("by-tag", "registry.example.com:5000/team/otsus-method:1.0.0"),
        job("other-tag", "docker.io/library/busybox:1.36"),
        job("other-digest", `docker.io/library/busybox${DIGEST}`),
    ];

    test("processing-images-by-digest reports a built image referenced by tag, only", async () => {
        expect(await reportedForStack(processingImagesByDigest, stack)).toEqual([
            [
                "by-tag",
                "spec.template.spec containers[0] main: image registry.example.com:5000/team/otsus-method:1.0.0 is built by this stack and referenced without its digest",
            ],
        ]);
        expect(
            await reportedForStack(
                processingImagesByDigest,
                stack.filter((r) => r.name !== "by-tag"),
            ),
        ).toEqual([]);
    });

    test("images-pinned advises on every other image referenced by tag", async () => {
        expect(await reportedForStack(imagesPinned, stack)).toEqual([
            [
                "other-tag",
                "spec.template.spec containers[0] main: image docker.io/library/busybox:1.36 is not pinned by digest",
            ],
        ]);
        expect(
            await reportedForStack(
                imagesPinned,
                stack.filter((r) => r.name !== "other-tag"),
            ),
        ).toEqual([]);
    });
});

describe("the pack", () => {
    test("holds the mandatory policies the package guarantees, and advisory ones for the rest", () => {
        expect(POLICIES.map((p) => `${p.enforcementLevel} ${p.name}`)).toEqual([
            "mandatory credentials-only-in-secrets",
            "mandatory no-wildcard-rbac",
            "mandatory pods-hardened",
            "mandatory processing-images-by-digest",
            "mandatory stateful-resources-protected",
            "mandatory httpproxy-ingress-class",
            "mandatory namespaces-labelled",
            "advisory images-pinned",
            "advisory pods-no-host-access",
            "advisory bindings-to-service-accounts",
            "advisory objects-labelled",
        ]);
    });
});

describe("the pack's folder", () => {
    const root = path.join(__dirname, "../..");
    const read = (file: string) => fs.readFileSync(path.join(root, "policy-pack", file), "utf8");

    test("is a Node.js policy pack: PulumiPolicy.yaml names the runtime", () => {
        expect(YAML.parse(read("PulumiPolicy.yaml")).runtime).toBe("nodejs");
    });

    test("carries the package's version in its own package.json, where PolicyPack reads it", () => {
        const own = JSON.parse(read("package.json"));
        const root_ = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
        expect(own.version).toBe(root_.version);
        expect(root_.dependencies["@pulumi/policy"]).toMatch(/^\d+\.\d+\.\d+$/);
    });

    test("its entry hands every policy to one PolicyPack", () => {
        expect(read("index.ts")).toMatch(
            /new PolicyPack\("pipeline-platform", \{[\s\S]*\n {4}policies: POLICIES,\n\}\);\n$/,
        );
    });

    test("the build copies the pack's manifest files next to its compiled code", () => {
        const build = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts
            .build;
        expect(build).toContain(
            "cp policy-pack/PulumiPolicy.yaml policy-pack/package.json dist/policy-pack/",
        );
    });
});

describe("hostile shapes", () => {
    const types = [
        "kubernetes:core/v1:Pod",
        "kubernetes:core/v1:ConfigMap",
        "kubernetes:core/v1:Namespace",
        "kubernetes:apps/v1:Deployment",
        "kubernetes:batch/v1:CronJob",
        "kubernetes:rbac.authorization.k8s.io/v1:Role",
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        "kubernetes:projectcontour.io/v1:HTTPProxy",
        "kubernetes:helm.sh/v3:Release",
        "docker:index/image:Image",
    ];
    const shapes: Array<Record<string, unknown>> = [
        {},
        { metadata: null, spec: null, data: null, rules: null, values: null },
        { metadata: 42, spec: 42, data: 42, rules: 42, values: 42, imageName: 42 },
        { metadata: { labels: [], annotations: "x" }, spec: [], data: [], rules: "*" },
        {
            spec: {
                containers: [null, 42, "x", { env: [null, 7], securityContext: null }],
                initContainers: {},
                volumes: [null, { hostPath: null }],
                template: { spec: { containers: [null] } },
                jobTemplate: null,
            },
            rules: [null, 42, { verbs: "*", resources: [null, 5] }],
            subjects: [null],
            roleRef: null,
            binaryData: { k: 5 },
        },
        JSON.parse('{"data": {"__proto__": "x", "a.yaml": "kind: Pod\\nspec: 42\\n"}}'),
    ];

    test("no policy throws on props of any shape: the API server refuses such objects, the pack reports or passes", async () => {
        for (const policy of POLICIES) {
            for (const type of types) {
                for (const props of shapes) {
                    const fake = { type, props, name: "x" };
                    await expect(
                        "validateResource" in policy
                            ? reported(policy as ResourceValidationPolicy, fake)
                            : reportedForStack(policy as StackValidationPolicy, [fake]),
                    ).resolves.toEqual(expect.any(Array));
                }
            }
        }
    });
});
