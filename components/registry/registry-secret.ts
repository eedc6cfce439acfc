import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    dns1123LabelProblems,
    dns1123SubdomainProblems,
    dnsLabel,
    dockerConfigJson,
    invalidInput,
    joinPath,
    labelValueProblems,
    parseImageReference,
    parseRegistryUrl,
    qualifiedNameProblems,
    standardLabels,
} from "../core";
import {
    DEFAULT_ECR_REFRESH,
    DEFAULT_GCR_REFRESH,
    DEFAULT_GCR_URL,
    ecrHost,
    registryEndpoint,
    validateLocation,
} from "./endpoint";
import type { EcrRegistry, GcrRegistry, RegistryLocation } from "./location";
import { checkImagePull } from "./pull-check";

/** `service`: the services namespace (DAG installers, Airflow); `project`: namespaces where processing containers run. */
export type RegistryScope = "project" | "service";

export interface RegistrySecretArgs {
    /** Where the images live and how to authenticate, e.g. `{ location: "off-cluster", url: "https://registry.example.com/team", username, password }`. */
    registry: RegistryLocation;
    /** Which workloads the secret serves; recorded as the `pipeline-platform.io/registry-scope` label. Example: `"project"`. */
    scope: RegistryScope;
    /** Namespaces that get the pull secret, e.g. `["pipelines-team-a"]`. Empty only together with `namespaceSelector`. */
    namespaces: pulumi.Input<string>[];
    /**
     * Labels selecting further namespaces, including ones created later (`ecr` and `gcr` with
     * `workloadIdentity` only: the secret is produced in the cluster). Example: `{ "pipeline-platform.io/project": "true" }`.
     */
    namespaceSelector?: Record<string, string>;
    /**
     * Service accounts that get the secret in their `imagePullSecrets`, through a server-side apply
     * patch. `name` patches that account in every entry of `namespaces`; `namespace/name` patches one.
     * Example: `["default", "airflow/airflow-worker"]`.
     */
    serviceAccounts?: string[];
    /**
     * An image (no protocol, with tag or digest) that must be pullable with these credentials; checked
     * against the registry's v2 API during `pulumi up`, never during preview. `off-cluster` and `gcr`
     * with `serviceAccountKey` only. Example: `registry.example.com/team/hello:1.0.0`.
     */
    testPullImage?: string;
    /** Time limit of each request of the pull check, in milliseconds. Default 10000. */
    testPullTimeoutMs?: number;
    /** Name of the Secret in every namespace. Default `dnsLabel(name)`. Example: `registry-credentials`. */
    secretName?: string;
}

export const SCOPE_LABEL = "pipeline-platform.io/registry-scope";
const GENERATORS_API = "generators.external-secrets.io/v1alpha1";
const EXTERNAL_SECRETS_API = "external-secrets.io/v1";
const DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson";

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

    constructor(name: string, args: RegistrySecretArgs, opts?: pulumi.ComponentResourceOptions) {
        const secretName = validateRegistrySecretArgs(name, args);
        super("pipeline-platform:registry:RegistrySecret", name, {}, opts);
        const endpoint = registryEndpoint(args.registry, "registry");
        const labels = standardLabels("registry", { [SCOPE_LABEL]: args.scope });
        const namespaces = args.namespaces.map((ns, i) => ({
            namespace: ns,
            key: typeof ns === "string" ? ns : String(i),
        }));

        const credentials = staticCredentials(args.registry);
        let created: pulumi.Resource[];
        if (credentials) {
            const check = pullCheck(args, credentials);
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
            const generator = tokenGenerator(args.registry as EcrRegistry | GcrRegistry);
            const spec = (generatorKind: string) =>
                externalSecretSpec(
                    args.registry as EcrRegistry | GcrRegistry,
                    secretName,
                    labels,
                    generatorKind,
                );
            if (args.namespaceSelector) {
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
                            namespaceSelectors: [{ matchLabels: args.namespaceSelector }],
                            externalSecretSpec: spec("ClusterGenerator"),
                        },
                    },
                    { parent: this, dependsOn: [clusterGenerator] },
                );
                created = [clusterGenerator, clusterSecret];
            } else {
                created = namespaces.flatMap(({ namespace, key }) => {
                    const namespaced = new k8s.apiextensions.CustomResource(
                        `${name}-generator-${key}`,
                        {
                            apiVersion: GENERATORS_API,
                            kind: generator.kind,
                            metadata: { name: secretName, namespace, labels },
                            spec: generator.spec,
                        },
                        { parent: this },
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
                    return [namespaced, externalSecret];
                });
            }
        }

        for (const { account, namespace, key } of serviceAccountTargets(
            args.serviceAccounts ?? [],
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

        this.secretName = pulumi.output(secretName);
        this.imagePrefix = endpoint.imagePrefix;
        this.server = endpoint.server;
        this.namespaces = pulumi.output(args.namespaces);
        this.registerOutputs({
            secretName: this.secretName,
            imagePrefix: this.imagePrefix,
            server: this.server,
            namespaces: this.namespaces,
            testPullDigest: this.testPullDigest,
        });
    }
}

/** Validates every argument; returns the Secret name. Throws `InputPropertyError` before anything exists. */
export function validateRegistrySecretArgs(name: string, args: RegistrySecretArgs): string {
    if (!args || typeof args !== "object") {
        return invalidInput({
            path: "args",
            given: args,
            expected: "RegistrySecret arguments",
            example: '{ registry, scope: "project", namespaces: ["pipelines"] }',
        });
    }
    validateLocation(args.registry, "registry");
    if (args.scope !== "project" && args.scope !== "service") {
        invalidInput({
            path: "scope",
            given: args.scope,
            expected: '"project" (processing containers) or "service" (DAG installers, Airflow)',
            example: "project",
        });
    }
    const inCluster =
        args.registry.location === "ecr" ||
        (args.registry.location === "gcr" && !!args.registry.workloadIdentity);
    validateNamespaces(args.namespaces, args.namespaceSelector !== undefined);
    if (args.namespaceSelector !== undefined) {
        validateSelector(args.namespaceSelector, inCluster);
    }
    validateServiceAccounts(args.serviceAccounts);
    if (args.testPullImage !== undefined) {
        validateTestPullImage(args.testPullImage, args.registry, inCluster);
    }
    if (
        args.testPullTimeoutMs !== undefined &&
        !(Number.isInteger(args.testPullTimeoutMs) && args.testPullTimeoutMs > 0)
    ) {
        invalidInput({
            path: "testPullTimeoutMs",
            given: args.testPullTimeoutMs,
            expected: "a positive whole number of milliseconds",
            example: "10000",
        });
    }
    if (args.secretName !== undefined) {
        if (
            typeof args.secretName !== "string" ||
            dns1123LabelProblems(args.secretName).length > 0
        ) {
            invalidInput({
                path: "secretName",
                given: args.secretName,
                expected: "a DNS-1123 label: at most 63 lower-case letters, digits and '-'",
                example: "registry-credentials",
            });
        }
        return args.secretName;
    }
    return dnsLabel(name);
}

function validateNamespaces(namespaces: pulumi.Input<string>[], hasSelector: boolean): void {
    if (!Array.isArray(namespaces)) {
        invalidInput({
            path: "namespaces",
            given: namespaces,
            expected: "a list of namespace names",
            example: '["pipelines-team-a"]',
        });
    }
    if (namespaces.length === 0 && !hasSelector) {
        invalidInput({
            path: "namespaces",
            given: namespaces,
            expected: "at least one namespace (or a namespaceSelector)",
            example: '["pipelines-team-a"]',
        });
    }
    const seen = new Map<string, number>();
    namespaces.forEach((ns, i) => {
        const path = joinPath("namespaces", i);
        if (
            ns === undefined ||
            ns === null ||
            (typeof ns === "string" && dns1123LabelProblems(ns).length > 0)
        ) {
            invalidInput({
                path,
                given: ns,
                expected: "a namespace name (DNS-1123 label: lower-case letters, digits, '-')",
                example: "pipelines-team-a",
            });
        }
        if (typeof ns === "string") {
            if (seen.has(ns)) {
                invalidInput({
                    path,
                    given: ns,
                    expected: `each namespace once (also at namespaces[${seen.get(ns)}])`,
                    example: '["pipelines-team-a", "pipelines-team-b"]',
                });
            }
            seen.set(ns, i);
        }
    });
}

function validateSelector(selector: Record<string, string>, inCluster: boolean): void {
    if (!inCluster) {
        invalidInput({
            path: "namespaceSelector",
            given: selector,
            expected:
                "no selector for static credentials (off-cluster, gcr with serviceAccountKey): list the namespaces; namespaces created later are reached only by in-cluster refreshed locations (ecr, gcr with workloadIdentity)",
            example: 'namespaces: ["pipelines-team-a"]',
        });
    }
    if (!selector || typeof selector !== "object" || Object.keys(selector).length === 0) {
        invalidInput({
            path: "namespaceSelector",
            given: selector,
            expected: "at least one label pair (an empty selector would match every namespace)",
            example: '{ "pipeline-platform.io/project": "true" }',
        });
    }
    for (const [key, value] of Object.entries(selector)) {
        const path = joinPath("namespaceSelector", key);
        if (qualifiedNameProblems(key).length > 0) {
            invalidInput({
                path,
                given: key,
                expected: "a label key ([prefix/]name)",
                example: "pipeline-platform.io/project",
            });
        }
        if (typeof value !== "string" || labelValueProblems(value).length > 0) {
            invalidInput({
                path,
                given: value,
                expected: "a label value (at most 63 letters, digits, '-', '_', '.')",
                example: "true",
            });
        }
    }
}

function validateServiceAccounts(accounts: string[] | undefined): void {
    if (accounts === undefined) {
        return;
    }
    if (!Array.isArray(accounts)) {
        invalidInput({
            path: "serviceAccounts",
            given: accounts,
            expected: "a list of service account names",
            example: '["default", "airflow/airflow-worker"]',
        });
    }
    const seen = new Set<string>();
    accounts.forEach((entry, i) => {
        const path = joinPath("serviceAccounts", i);
        const parts = typeof entry === "string" ? entry.split("/") : [];
        const [namespace, account] = parts.length === 2 ? parts : [undefined, parts[0]];
        const valid =
            (parts.length === 1 || parts.length === 2) &&
            account !== undefined &&
            dns1123SubdomainProblems(account).length === 0 &&
            (namespace === undefined || dns1123LabelProblems(namespace).length === 0);
        if (!valid) {
            invalidInput({
                path,
                given: entry,
                expected: "a service account as name or namespace/name",
                example: "airflow/airflow-worker",
            });
        }
        if (seen.has(entry)) {
            invalidInput({
                path,
                given: entry,
                expected: "each service account once",
                example: '["default", "airflow/airflow-worker"]',
            });
        }
        seen.add(entry);
    });
}

function validateTestPullImage(
    image: string,
    registry: RegistryLocation,
    inCluster: boolean,
): void {
    if (inCluster) {
        invalidInput({
            path: "testPullImage",
            given: image,
            expected:
                "no test image for ecr or gcr with workloadIdentity: their token exists only in the cluster, so the check cannot run during pulumi up",
            example: "a gcr serviceAccountKey or an off-cluster registry",
        });
    }
    const ref = parseImageReference(image, "testPullImage");
    const url = parseRegistryUrl(
        registry.location === "off-cluster"
            ? registry.url
            : ((registry as GcrRegistry).url ?? DEFAULT_GCR_URL),
        "registry.url",
    );
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
    registryUrl: string;
}

/** Long-lived credentials Pulumi writes into Secrets; undefined for locations refreshed in the cluster. */
function staticCredentials(registry: RegistryLocation): Credentials | undefined {
    if (registry.location === "off-cluster") {
        return {
            username: registry.username,
            password: registry.password,
            registryUrl: registry.url,
        };
    }
    if (registry.location === "gcr" && registry.serviceAccountKey !== undefined) {
        return {
            username: "_json_key",
            password: registry.serviceAccountKey,
            registryUrl: registry.url ?? DEFAULT_GCR_URL,
        };
    }
    return undefined;
}

/** The pull check during `pulumi up`: resolves to the image digest, fails the update otherwise. */
function pullCheck(
    args: RegistrySecretArgs,
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
                registryUrl: credentials.registryUrl,
                image,
                username,
                password,
                timeoutMs: args.testPullTimeoutMs,
            });
            if (!result.ok) {
                throw new pulumi.InputPropertyError({
                    propertyPath: "testPullImage",
                    reason: `testPullImage: ${result.message}`,
                });
            }
            return result.digest;
        });
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
    registry: EcrRegistry | GcrRegistry,
    secretName: string,
    labels: Record<string, string>,
    generatorKind: string,
): Record<string, unknown> {
    return {
        refreshInterval:
            registry.refreshInterval ??
            (registry.location === "ecr" ? DEFAULT_ECR_REFRESH : DEFAULT_GCR_REFRESH),
        target: {
            name: secretName,
            creationPolicy: "Owner",
            template: {
                type: DOCKER_CONFIG_JSON,
                engineVersion: "v2",
                metadata: { labels },
                data: { ".dockerconfigjson": dockerConfigTemplate(tokenServerKey(registry)) },
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
function tokenServerKey(registry: EcrRegistry | GcrRegistry): string {
    if (registry.location === "ecr") {
        return registry.registryId
            ? JSON.stringify(ecrHost(registry.registryId, registry.region))
            : '"{{ .proxy_endpoint }}"';
    }
    return JSON.stringify(parseRegistryUrl(registry.url ?? DEFAULT_GCR_URL, "registry.url").server);
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
