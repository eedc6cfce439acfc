import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import {
    configMapKeyProblems,
    dns1123SubdomainProblems,
    invalidInput,
    joinPath,
    parseRegistryUrl,
} from "../core";
import type {
    EcrAuth,
    EcrRegistry,
    GcrRegistry,
    OffClusterRegistry,
    RegistryLocation,
} from "./location";

/** Where a registry is reached and how images in it are named, for any location. */
export interface RegistryEndpoint {
    /** `host[:port][/path]`, the prefix of image references (never a protocol), e.g. `registry.example.com:5000/team`. */
    imagePrefix: pulumi.Output<string>;
    /** The `.dockerconfigjson` `auths` key, e.g. `registry.example.com:5000/team` or `https://index.docker.io/v1/`. */
    server: pulumi.Output<string>;
    /** True for `http://` registries: image builders and nodes must be told to trust them. */
    insecure: boolean;
    /** Base URL of the registry's v2 API, e.g. `https://registry.example.com:5000`. */
    apiBase: pulumi.Output<string>;
}

/** Token lifetimes the refresh interval must stay below. */
const ECR_TOKEN_LIFETIME = "12h";
const GCR_TOKEN_LIFETIME = "1h";
export const DEFAULT_ECR_REFRESH = "6h";
export const DEFAULT_GCR_REFRESH = "30m";
export const DEFAULT_GCR_URL = "https://gcr.io";

const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;
const AWS_ACCOUNT = /^\d{12}$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const GOOGLE_REGISTRY_HOST = /^([a-z0-9-]+\.)?gcr\.io$|^[a-z0-9-]+-docker\.pkg\.dev$/;

/**
 * Validates a registry location and tells where it is reached: the image prefix, the `auths` key of
 * pull secrets, whether it is insecure, and its v2 API base. Throws `InputPropertyError` under
 * `path` for any bad field, so components call it before creating children.
 *
 * ECR without `registryId` asks Pulumi's AWS provider for its account (`aws.getCallerIdentity`).
 *
 * @example registryEndpoint({ location: "off-cluster", url: "http://localhost:5000/team", username, password }, "registry")
 *          // imagePrefix "localhost:5000/team", server "localhost:5000/team", insecure true
 */
export function registryEndpoint(location: RegistryLocation, path = "registry"): RegistryEndpoint {
    validateLocation(location, path);
    switch (location.location) {
        case "off-cluster": {
            const url = parseRegistryUrl(location.url, joinPath(path, "url"));
            return plainEndpoint(url.imagePrefix, url.server, url.insecure, url.apiBase);
        }
        case "gcr": {
            const url = parseRegistryUrl(location.url ?? DEFAULT_GCR_URL, joinPath(path, "url"));
            return plainEndpoint(url.imagePrefix, url.server, false, url.apiBase);
        }
        case "ecr": {
            const account = location.registryId
                ? pulumi.output(location.registryId)
                : aws.getCallerIdentityOutput().accountId;
            const host = account.apply((id) => ecrHost(id, location.region));
            return {
                imagePrefix: host,
                server: host,
                insecure: false,
                apiBase: host.apply((h) => `https://${h}`),
            };
        }
    }
}

/** `<account>.dkr.ecr.<region>.amazonaws.com`, the ECR registry host of an account and region. */
export function ecrHost(registryId: string, region: string): string {
    return `${registryId}.dkr.ecr.${region}.amazonaws.com`;
}

function plainEndpoint(
    imagePrefix: string,
    server: string,
    insecure: boolean,
    apiBase: string,
): RegistryEndpoint {
    return {
        imagePrefix: pulumi.output(imagePrefix),
        server: pulumi.output(server),
        insecure,
        apiBase: pulumi.output(apiBase),
    };
}

/** Checks every plain field of a location; credentials (possibly Outputs) are only checked for presence. */
export function validateLocation(location: RegistryLocation, path: string): void {
    const kind = (location as { location?: unknown } | undefined)?.location;
    if (kind === "off-cluster") {
        const offCluster = location as OffClusterRegistry;
        parseRegistryUrl(offCluster.url, joinPath(path, "url"));
        requirePresent(
            offCluster.username,
            joinPath(path, "username"),
            "a user name (may be a secret Output)",
            "robot$pipelines",
        );
        requirePresent(
            offCluster.password,
            joinPath(path, "password"),
            "a password or token (pass it as a secret)",
            'pulumi.secret(config.requireSecret("registryPassword"))',
        );
    } else if (kind === "ecr") {
        validateEcr(location as EcrRegistry, path);
    } else if (kind === "gcr") {
        validateGcr(location as GcrRegistry, path);
    } else {
        invalidInput({
            path: joinPath(path, "location"),
            given: kind,
            expected: 'one of "off-cluster", "ecr", "gcr"',
            example: "off-cluster",
        });
    }
}

function validateEcr(location: EcrRegistry, path: string): void {
    if (typeof location.region !== "string" || !AWS_REGION.test(location.region)) {
        invalidInput({
            path: joinPath(path, "region"),
            given: location.region,
            expected: "an AWS region",
            example: "eu-central-1",
        });
    }
    if (
        location.registryId !== undefined &&
        !(typeof location.registryId === "string" && AWS_ACCOUNT.test(location.registryId))
    ) {
        invalidInput({
            path: joinPath(path, "registryId"),
            given: location.registryId,
            expected: "a 12-digit AWS account id",
            example: "123456789012",
        });
    }
    refreshIntervalSeconds(
        location.refreshInterval ?? DEFAULT_ECR_REFRESH,
        ECR_TOKEN_LIFETIME,
        joinPath(path, "refreshInterval"),
    );
    if (location.auth !== undefined) {
        validateEcrAuth(location.auth, joinPath(path, "auth"));
    }
}

function validateEcrAuth(auth: EcrAuth, path: string): void {
    const hasAccount = "serviceAccount" in auth && auth.serviceAccount !== undefined;
    const hasSecret = "secretRef" in auth && auth.secretRef !== undefined;
    if (hasAccount === hasSecret) {
        invalidInput({
            path,
            given: Object.keys(auth),
            expected: "exactly one of serviceAccount (IRSA) and secretRef (static keys)",
            example: '{ serviceAccount: { name: "ecr-reader" } }',
        });
    }
    if ("serviceAccount" in auth) {
        objectName(
            auth.serviceAccount?.name,
            joinPath(joinPath(path, "serviceAccount"), "name"),
            "ecr-reader",
        );
    } else {
        const ref = auth.secretRef;
        const refPath = joinPath(path, "secretRef");
        objectName(ref?.name, joinPath(refPath, "name"), "ecr-static-keys");
        for (const key of ["accessKeyIdKey", "secretAccessKeyKey"] as const) {
            const value = ref[key];
            if (
                value !== undefined &&
                (typeof value !== "string" || configMapKeyProblems(value).length > 0)
            ) {
                invalidInput({
                    path: joinPath(refPath, key),
                    given: value,
                    expected: "a Secret key (letters, digits, '-', '_', '.')",
                    example: "access-key-id",
                });
            }
        }
    }
}

function validateGcr(location: GcrRegistry, path: string): void {
    const url = parseRegistryUrl(location.url ?? DEFAULT_GCR_URL, joinPath(path, "url"));
    if (
        url.protocol !== "https" ||
        !GOOGLE_REGISTRY_HOST.test(url.host) ||
        url.port !== undefined
    ) {
        invalidInput({
            path: joinPath(path, "url"),
            given: location.url,
            expected:
                "a Google registry: https://gcr.io, https://<region>.gcr.io or Artifact Registry https://<region>-docker.pkg.dev/<project>/<repo>",
            example: "https://europe-west1-docker.pkg.dev/my-project/pipelines",
        });
    }
    const hasKey = location.serviceAccountKey !== undefined && location.serviceAccountKey !== null;
    const hasIdentity =
        location.workloadIdentity !== undefined && location.workloadIdentity !== null;
    if (hasKey === hasIdentity) {
        invalidInput({
            path,
            given: hasKey
                ? "both serviceAccountKey and workloadIdentity"
                : "neither serviceAccountKey nor workloadIdentity",
            expected:
                "exactly one of serviceAccountKey (static _json_key credentials) and workloadIdentity (token refreshed in the cluster)",
            example: '{ location: "gcr", serviceAccountKey: config.requireSecret("gcrKey") }',
        });
    }
    if (typeof location.serviceAccountKey === "string") {
        validateServiceAccountKey(location.serviceAccountKey, joinPath(path, "serviceAccountKey"));
    }
    refreshIntervalSeconds(
        location.refreshInterval ?? DEFAULT_GCR_REFRESH,
        GCR_TOKEN_LIFETIME,
        joinPath(path, "refreshInterval"),
    );
    const identity = location.workloadIdentity;
    if (identity) {
        const idPath = joinPath(path, "workloadIdentity");
        if (typeof identity.projectId !== "string" || !GCP_PROJECT.test(identity.projectId)) {
            invalidInput({
                path: joinPath(idPath, "projectId"),
                given: identity.projectId,
                expected: "a GCP project id (6-30 lower-case letters, digits, '-')",
                example: "my-project-123",
            });
        }
        for (const [key, example] of [
            ["clusterLocation", "europe-west1"],
            ["clusterName", "pipelines"],
        ] as const) {
            if (typeof identity[key] !== "string" || identity[key].trim() === "") {
                invalidInput({
                    path: joinPath(idPath, key),
                    given: identity[key],
                    expected: "the GKE cluster's location and name",
                    example,
                });
            }
        }
        objectName(
            identity.serviceAccount?.name,
            joinPath(joinPath(idPath, "serviceAccount"), "name"),
            "registry-reader",
        );
    }
}

/** A plain key must be a Google service-account key; a secret Output is only known at deploy time. */
function validateServiceAccountKey(key: string, path: string): void {
    let parsed: { type?: unknown; client_email?: unknown } | undefined;
    try {
        parsed = JSON.parse(key);
    } catch {
        parsed = undefined;
    }
    if (!parsed || parsed.type !== "service_account" || typeof parsed.client_email !== "string") {
        invalidInput({
            path,
            given: "<credential, not shown>",
            expected:
                'a Google service-account JSON key (with "type": "service_account" and "client_email")',
            example: 'config.requireSecret("gcrKey") holding the downloaded key file',
        });
    }
}

function requirePresent(value: unknown, path: string, expected: string, example: string): void {
    if (value === undefined || value === null || value === "") {
        invalidInput({ path, given: value, expected, example });
    }
}

function objectName(value: unknown, path: string, example: string): void {
    if (typeof value !== "string" || dns1123SubdomainProblems(value).length > 0) {
        invalidInput({
            path,
            given: value,
            expected: "a Kubernetes object name (lower-case letters, digits, '-', '.')",
            example,
        });
    }
}

const DURATION_UNITS: Record<string, number> = {
    ns: 1e-9,
    us: 1e-6,
    µs: 1e-6,
    ms: 1e-3,
    s: 1,
    m: 60,
    h: 3600,
};

/** Seconds in a Go duration (`6h`, `1h30m`, `90s`), or undefined when it does not parse. */
export function goDurationSeconds(text: string): number | undefined {
    if (typeof text !== "string" || !/^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.test(text)) {
        return undefined;
    }
    let total = 0;
    for (const part of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
        total += Number(part[1]) * DURATION_UNITS[part[2]];
    }
    return total;
}

/** A refresh interval that parses and refreshes a token before it expires. */
function refreshIntervalSeconds(text: string, lifetime: string, path: string): number {
    const seconds = goDurationSeconds(text);
    const limit = goDurationSeconds(lifetime) as number;
    if (seconds === undefined) {
        return invalidInput({
            path,
            given: text,
            expected: "a Go duration (number plus h, m or s)",
            example: "6h",
        });
    }
    if (seconds <= 0 || seconds >= limit) {
        return invalidInput({
            path,
            given: text,
            expected: `a duration above 0 and shorter than the token's lifetime of ${lifetime}`,
            example: lifetime === ECR_TOKEN_LIFETIME ? DEFAULT_ECR_REFRESH : DEFAULT_GCR_REFRESH,
        });
    }
    return seconds;
}
