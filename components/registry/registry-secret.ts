import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    dnsLabel,
    dockerConfigJson,
    invalidInput,
    parseImageReference,
    parseRegistryUrl,
    planComponent,
    Refusal,
    reported,
    standardLabels,
    usePlan,
    type ImageReferenceText,
    type Labels,
    type NamespaceName,
    type Planned,
    type RegistryUrl,
    type Reporter,
    type SecretName,
} from "../core";
import { ecrHost, planLocation, registryEndpoint, type PlannedLocation } from "./endpoint";
import type { EcrRegistry, EcrServiceAccount, GcrRegistry, RegistryLocation } from "./location";
import { checkImagePull, pinnedDigestProblem } from "./pull-check";

/** `service`: the services namespace (DAG installers, Airflow); `project`: namespaces where processing containers run. */
export type RegistryScope = "project" | "service";

/**
 * A service account to patch: `name` (in every entry of `namespaces`) or `namespace/name`.
 * @pattern ^([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$
 * @example "airflow/airflow-worker"
 */
export type ServiceAccountTarget = string;

export interface RegistrySecretArgs {
    /** Where the images live and how to authenticate. */
    registry: RegistryLocation;
    /**
     * Which workloads the secret serves; recorded as the `pipeline-platform.io/registry-scope` label.
     * @example "project"
     */
    scope: RegistryScope;
    /**
     * Namespaces that get the pull secret. Empty only together with `namespaceSelector`.
     * @uniqueItems true
     * @example ["pipelines-team-a"]
     */
    namespaces: pulumi.Input<NamespaceName>[];
    /**
     * Labels selecting further namespaces, including ones created later (`ecr` and `gcr` with
     * `workloadIdentity` only: the secret is produced in the cluster). At least one pair.
     * @minProperties 1
     * @example { "pipeline-platform.io/project": "true" }
     */
    namespaceSelector?: Labels;
    /**
     * Service accounts that get the secret in their `imagePullSecrets`, through a server-side apply
     * patch. `name` patches that account in every entry of `namespaces`; `namespace/name` patches one.
     * @uniqueItems true
     * @example ["default", "airflow/airflow-worker"]
     */
    serviceAccounts?: ServiceAccountTarget[];
    /**
     * An image (no protocol, with tag or digest) that must be pullable with these credentials; checked
     * against the registry's v2 API during `pulumi up`, never during preview. `off-cluster` and `gcr`
     * with `serviceAccountKey` only. TLS is verified against Node's CAs: for a registry whose
     * certificate a private CA signed, run `pulumi up` with `NODE_EXTRA_CA_CERTS=<ca.pem>`.
     * @example "registry.example.com/team/hello:1.0.0"
     */
    testPullImage?: ImageReferenceText;
    /**
     * Time limit of the whole pull check (every request, redirect and answer), in milliseconds.
     * Default 10000.
     * @asType integer
     * @minimum 1000
     * @maximum 120000
     * @example 10000
     */
    testPullTimeoutMs?: number;
    /** Name of the Secret in every namespace. Default `dnsLabel(name)`. */
    secretName?: SecretName;
}

/** What a RegistrySecret builds: the checked args and what follows from them. */
export interface RegistrySecretBuild {
    args: RegistrySecretArgs;
    location: PlannedLocation;
    /** Reports refusals found while building (the pull check during `pulumi up`). */
    reporter: Reporter;
    secretName: string;
    /** Each namespace with the key its children are named by (the namespace, or its index when an Output). */
    namespaces: Array<{ namespace: pulumi.Input<string>; key: string }>;
}

/** A RegistrySecret's validated input; see {@link planRegistrySecret}. */
export type RegistrySecretPlan = Planned<"RegistrySecret", RegistrySecretBuild>;

export const SCOPE_LABEL = "pipeline-platform.io/registry-scope";
const GENERATORS_API = "generators.external-secrets.io/v1alpha1";
const EXTERNAL_SECRETS_API = "external-secrets.io/v1";
const DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson";
/** The ServiceAccount annotation External Secrets reads the IAM role from (`pkg/provider/aws/auth`). */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

/**
 * Image pull credentials for one registry in a set of namespaces. Static credentials (`off-cluster`,
 * `gcr` with a key) become `kubernetes.io/dockerconfigjson` Secrets; short-lived tokens (`ecr`, `gcr`
 * with workload identity) are produced and refreshed in the cluster by External Secrets Operator, so
 * Pulumi state never holds a token.
 */
export class RegistrySecret extends pulumi.ComponentResource {
    /** Name of the pull Secret in every namespace. */
    public readonly secretName: pulumi.Output<string>;
    /** `host[:port][/path]` for image references. */
    public readonly imagePrefix: pulumi.Output<string>;
    /** The `auths` key in the Secret. */
    public readonly server: pulumi.Output<string>;
    /** The namespaces listed in `namespaces`. */
    public readonly namespaces: pulumi.Output<string[]>;
    /** Digest of `testPullImage` as the registry reported it during `pulumi up`; undefined in preview or without a check. */
    public readonly testPullDigest: pulumi.Output<string | undefined>;

    constructor(
        name: string,
        args: RegistrySecretArgs | RegistrySecretPlan,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const plan = usePlan("RegistrySecret", name, args, planRegistrySecret);
        super("pipeline-platform:registry:RegistrySecret", name, {}, opts);
        const { secretName, namespaces, location } = plan;
        const endpoint = registryEndpoint(location);
        const labels = standardLabels("registry", { [SCOPE_LABEL]: plan.args.scope });

        const credentials = staticCredentials(location);
        let created: pulumi.Resource[];
        if (credentials) {
            const check = pullCheck(plan, credentials);
            this.testPullDigest = pulumi.unsecret(check);
            const configJson = pulumi.secret(
                pulumi
                    .all([endpoint.server, credentials.username, credentials.password, check])
                    .apply(([server, user, pass]) => dockerConfigJson(server, user, pass)),
            );
            created = namespaces.map(
                ({ namespace, key }) =>
                    new k8s.core.v1.Secret(
                        `${name}-secret-${key}`,
                        {
                            metadata: { name: secretName, namespace, labels },
                            type: DOCKER_CONFIG_JSON,
                            stringData: { ".dockerconfigjson": configJson },
                        },
                        { parent: this },
                    ),
            );
        } else {
            this.testPullDigest = pulumi.output(undefined);
            const registry = location.location as EcrRegistry | GcrRegistry;
            const generator = tokenGenerator(registry);
            const spec = (generatorKind: string) =>
                externalSecretSpec(location, secretName, labels, generatorKind);
            if (plan.args.namespaceSelector) {
                const clusterGenerator = new k8s.apiextensions.CustomResource(
                    `${name}-cluster-generator`,
                    {
                        apiVersion: GENERATORS_API,
                        kind: "ClusterGenerator",
                        metadata: { name: secretName, labels },
                        spec: {
                            kind: generator.kind,
                            generator: { [generator.specField]: generator.spec },
                        },
                    },
                    { parent: this },
                );
                const clusterSecret = new k8s.apiextensions.CustomResource(
                    `${name}-cluster-external-secret`,
                    {
                        apiVersion: EXTERNAL_SECRETS_API,
                        kind: "ClusterExternalSecret",
                        metadata: { name: secretName, labels },
                        spec: {
                            externalSecretName: secretName,
                            externalSecretMetadata: { labels },
                            ...(namespaces.length > 0
                                ? { namespaces: namespaces.map((n) => n.namespace) }
                                : {}),
                            namespaceSelectors: [{ matchLabels: plan.args.namespaceSelector }],
                            externalSecretSpec: spec("ClusterGenerator"),
                        },
                    },
                    { parent: this, dependsOn: [clusterGenerator] },
                );
                created = [clusterGenerator, clusterSecret];
            } else {
                const irsa = irsaServiceAccount(registry);
                created = namespaces.flatMap(({ namespace, key }) => {
                    // External Secrets reads the generator's ServiceAccount in this namespace.
                    const account =
                        irsa?.roleArn === undefined
                            ? []
                            : [
                                  new k8s.core.v1.ServiceAccount(
                                      `${name}-irsa-${key}`,
                                      {
                                          metadata: {
                                              name: irsa.name,
                                              namespace,
                                              labels,
                                              annotations: { [IRSA_ROLE_ANNOTATION]: irsa.roleArn },
                                          },
                                      },
                                      { parent: this },
                                  ),
                              ];
                    const namespaced = new k8s.apiextensions.CustomResource(
                        `${name}-generator-${key}`,
                        {
                            apiVersion: GENERATORS_API,
                            kind: generator.kind,
                            metadata: { name: secretName, namespace, labels },
                            spec: generator.spec,
                        },
                        { parent: this, dependsOn: account },
                    );
                    const externalSecret = new k8s.apiextensions.CustomResource(
                        `${name}-external-secret-${key}`,
                        {
                            apiVersion: EXTERNAL_SECRETS_API,
                            kind: "ExternalSecret",
                            metadata: { name: secretName, namespace, labels },
                            spec: spec(generator.kind),
                        },
                        { parent: this, dependsOn: [namespaced] },
                    );
                    return [...account, namespaced, externalSecret];
                });
            }
        }

        for (const { account, namespace, key } of serviceAccountTargets(
            plan.args.serviceAccounts ?? [],
            namespaces,
        )) {
            new k8s.core.v1.ServiceAccountPatch(
                `${name}-pull-secrets-${key}`,
                {
                    metadata: { name: account, namespace },
                    imagePullSecrets: [{ name: secretName }],
                },
                { parent: this, dependsOn: created },
            );
        }

        // Carries the objects it names, so whoever reads it is created after them.
        this.secretName = pulumi.all(created.map((r) => r.urn)).apply(() => secretName);
        this.imagePrefix = endpoint.imagePrefix;
        this.server = endpoint.server;
        this.namespaces = pulumi.output(plan.args.namespaces);
        this.registerOutputs({
            secretName: this.secretName,
            imagePrefix: this.imagePrefix,
            server: this.server,
            namespaces: this.namespaces,
            testPullDigest: this.testPullDigest,
        });
    }
}

/**
 * Checks a RegistrySecret's args (shape, then the rules across fields) without creating anything,
 * and returns the plan its constructor builds from. Refusals name the instance
 * (`RegistrySecret "name": registry.url: got …`), or report through `reporter` when a platform plans it.
 */
export function planRegistrySecret(
    name: string,
    args: RegistrySecretArgs,
    reporter?: Reporter,
): RegistrySecretPlan {
    return planComponent(
        "RegistrySecret",
        "RegistrySecretArgs",
        name,
        args,
        (checked: RegistrySecretArgs, reported: Reporter) => {
            const location = planLocation(checked.registry, "registry");
            if (checked.namespaces.length === 0 && checked.namespaceSelector === undefined) {
                invalidInput({
                    path: "namespaces",
                    given: checked.namespaces,
                    expected: "at least one namespace (or a namespaceSelector)",
                    example: ["pipelines-team-a"],
                });
            }
            if (checked.namespaceSelector !== undefined && !location.inCluster) {
                invalidInput({
                    path: "namespaceSelector",
                    given: checked.namespaceSelector,
                    expected:
                        "no selector for static credentials (off-cluster, gcr with serviceAccountKey): list the namespaces; namespaces created later are reached only by in-cluster refreshed locations (ecr, gcr with workloadIdentity)",
                    example: 'namespaces: ["pipelines-team-a"]',
                });
            }
            const irsa = irsaServiceAccount(checked.registry);
            if (irsa?.roleArn !== undefined && checked.namespaceSelector !== undefined) {
                invalidInput({
                    path: "registry.auth.serviceAccount.roleArn",
                    given: irsa.roleArn,
                    expected:
                        "no roleArn together with a namespaceSelector: the ServiceAccount is created only in the listed namespaces, and External Secrets looks for it in every selected one; create it there yourself and leave roleArn out, or list the namespaces",
                    example: 'namespaces: ["pipelines-team-a"] without namespaceSelector',
                });
            }
            if (checked.testPullImage !== undefined) {
                checkTestPullImage(checked.testPullImage, location);
            }
            return {
                args: checked,
                location,
                reporter: reported,
                secretName: checked.secretName ?? dnsLabel(name),
                namespaces: checked.namespaces.map((namespace, i) => ({
                    namespace,
                    key: typeof namespace === "string" ? namespace : String(i),
                })),
            };
        },
        reporter,
    );
}

/** The test image must be in this registry (the credentials are for it), and the check must be able to run. */
function checkTestPullImage(image: string, location: PlannedLocation): void {
    if (location.inCluster || location.url === undefined) {
        invalidInput({
            path: "testPullImage",
            given: image,
            expected:
                "no test image for ecr or gcr with workloadIdentity: their token exists only in the cluster, so the check cannot run during pulumi up",
            example: "a gcr serviceAccountKey or an off-cluster registry",
        });
    }
    const url = location.url;
    const ref = parseImageReference(image, "testPullImage");
    const pinned = pinnedDigestProblem(ref);
    if (pinned !== undefined) {
        invalidInput({
            path: "testPullImage",
            given: image,
            expected: pinned,
            example: `${url.imagePrefix}/hello@sha256:${"0".repeat(64)}`,
        });
    }
    const host = url.port === undefined ? url.host : `${url.host}:${url.port}`;
    // Comparing API hosts makes Docker Hub's aliases (docker.io, index.docker.io) one registry.
    const apiHost = (base: string) => new URL(base).host;
    if (
        apiHost(parseRegistryUrl(`${url.protocol}://${ref.registry}`, "testPullImage").apiBase) !==
        apiHost(url.apiBase)
    ) {
        invalidInput({
            path: "testPullImage",
            given: image,
            expected: `an image in the registry ${host} (these credentials are for that registry)`,
            example: `${url.imagePrefix}/hello:1.0.0`,
        });
    }
}

interface Credentials {
    username: pulumi.Input<string>;
    password: pulumi.Input<string>;
    url: RegistryUrl;
}

/** Long-lived credentials Pulumi writes into Secrets; undefined for locations refreshed in the cluster. */
function staticCredentials({ location, url }: PlannedLocation): Credentials | undefined {
    if (location.location === "off-cluster") {
        return {
            username: location.username,
            password: location.password,
            url: url as RegistryUrl,
        };
    }
    if (location.location === "gcr" && location.serviceAccountKey !== undefined) {
        return {
            username: "_json_key",
            password: location.serviceAccountKey,
            url: url as RegistryUrl,
        };
    }
    return undefined;
}

/** The pull check during `pulumi up`: resolves to the image digest, fails the update otherwise. */
function pullCheck(
    { args, reporter }: RegistrySecretBuild,
    credentials: Credentials,
): pulumi.Output<string | undefined> {
    const image = args.testPullImage;
    return pulumi
        .all([credentials.username, credentials.password])
        .apply(async ([username, password]) => {
            if (image === undefined || pulumi.runtime.isDryRun()) {
                return undefined;
            }
            const result = await checkImagePull({
                registryUrl: `${credentials.url.protocol}://${credentials.url.imagePrefix}`,
                image,
                username,
                password,
                timeoutMs: args.testPullTimeoutMs,
            });
            if (!result.ok) {
                throw reported(reporter, new Refusal("testPullImage", result.message));
            }
            return result.digest;
        });
}

/** The ECR generator's IRSA service account, when the registry authenticates with one. */
function irsaServiceAccount(registry: RegistryLocation): EcrServiceAccount | undefined {
    return registry.location === "ecr" && registry.auth && "serviceAccount" in registry.auth
        ? registry.auth.serviceAccount
        : undefined;
}

interface Generator {
    kind: "ECRAuthorizationToken" | "GCRAccessToken";
    /** The field of a ClusterGenerator's `generator` that holds this kind's spec. */
    specField: "ecrAuthorizationTokenSpec" | "gcrAccessTokenSpec";
    spec: Record<string, unknown>;
}

/** The External Secrets generator that mints the registry token in the cluster. */
function tokenGenerator(registry: EcrRegistry | GcrRegistry): Generator {
    if (registry.location === "ecr") {
        const auth = registry.auth;
        let awsAuth: Record<string, unknown> | undefined;
        if (auth && "serviceAccount" in auth) {
            awsAuth = { jwt: { serviceAccountRef: { name: auth.serviceAccount.name } } };
        } else if (auth && "secretRef" in auth) {
            awsAuth = {
                secretRef: {
                    accessKeyIDSecretRef: {
                        name: auth.secretRef.name,
                        key: auth.secretRef.accessKeyIdKey ?? "access-key-id",
                    },
                    secretAccessKeySecretRef: {
                        name: auth.secretRef.name,
                        key: auth.secretRef.secretAccessKeyKey ?? "secret-access-key",
                    },
                },
            };
        }
        return {
            kind: "ECRAuthorizationToken",
            specField: "ecrAuthorizationTokenSpec",
            spec: { region: registry.region, ...(awsAuth ? { auth: awsAuth } : {}) },
        };
    }
    const identity = registry.workloadIdentity!;
    return {
        kind: "GCRAccessToken",
        specField: "gcrAccessTokenSpec",
        spec: {
            projectID: identity.projectId,
            auth: {
                workloadIdentity: {
                    clusterLocation: identity.clusterLocation,
                    clusterName: identity.clusterName,
                    clusterProjectID: identity.projectId,
                    serviceAccountRef: { name: identity.serviceAccount.name },
                },
            },
        },
    };
}

/**
 * The ExternalSecret spec that turns the generator's `username`/`password` (and ECR's
 * `proxy_endpoint`) into a `kubernetes.io/dockerconfigjson` Secret named `secretName`.
 */
function externalSecretSpec(
    planned: PlannedLocation,
    secretName: string,
    labels: Record<string, string>,
    generatorKind: string,
): Record<string, unknown> {
    return {
        refreshInterval: planned.refreshInterval,
        target: {
            name: secretName,
            creationPolicy: "Owner",
            template: {
                type: DOCKER_CONFIG_JSON,
                engineVersion: "v2",
                metadata: { labels },
                data: { ".dockerconfigjson": dockerConfigTemplate(tokenServerKey(planned)) },
            },
        },
        dataFrom: [
            {
                sourceRef: {
                    generatorRef: {
                        apiVersion: GENERATORS_API,
                        kind: generatorKind,
                        name: secretName,
                    },
                },
            },
        ],
    };
}

/** The `auths` key as a template fragment: a JSON string literal, or the ECR token's own endpoint. */
function tokenServerKey({ location, url }: PlannedLocation): string {
    if (location.location === "ecr") {
        return location.registryId
            ? JSON.stringify(ecrHost(location.registryId, location.region))
            : '"{{ .proxy_endpoint }}"';
    }
    return JSON.stringify((url as RegistryUrl).server);
}

/** A Go template (External Secrets engine v2, sprig) rendering `.dockerconfigjson` from the token. */
function dockerConfigTemplate(serverKey: string): string {
    return `{"auths":{${serverKey}:{"username":"{{ .username }}","password":"{{ .password }}","auth":"{{ printf "%s:%s" .username .password | b64enc }}"}}}`;
}

/** Which service accounts to patch in which namespaces, with a stable resource-name key for each. */
function serviceAccountTargets(
    accounts: string[],
    namespaces: Array<{ namespace: pulumi.Input<string>; key: string }>,
): Array<{ account: string; namespace: pulumi.Input<string>; key: string }> {
    return accounts.flatMap((entry) => {
        const slash = entry.indexOf("/");
        if (slash !== -1) {
            const namespace = entry.slice(0, slash);
            const account = entry.slice(slash + 1);
            return [{ account, namespace, key: `${namespace}-${account}` }];
        }
        return namespaces.map(({ namespace, key }) => ({
            account: entry,
            namespace,
            key: `${key}-${entry}`,
        }));
    });
}
