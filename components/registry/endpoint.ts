import * as pulumi from "@pulumi/pulumi";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import {
    goDurationSeconds,
    invalidInput,
    joinPath,
    parseRegistryUrl,
    type RegistryUrl,
} from "../core";
import type { EcrRegistry, GcrRegistry, RegistryLocation } from "./location";

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

/** A registry location whose domain rules hold, with what follows from it. */
export interface PlannedLocation {
    location: RegistryLocation;
    /** The parsed URL of an `off-cluster` or `gcr` registry; ECR hosts depend on the account. */
    url?: RegistryUrl;
    /** True when the pull Secret is produced and refreshed in the cluster (ECR, GCR workload identity). */
    inCluster: boolean;
    /** The in-cluster refresh interval, defaulted; undefined for static credentials. */
    refreshInterval?: string;
}

/** Token lifetimes the refresh interval must stay below. */
const ECR_TOKEN_LIFETIME = { text: "12h", seconds: 12 * 3600 };
const GCR_TOKEN_LIFETIME = { text: "1h", seconds: 3600 };
export const DEFAULT_ECR_REFRESH = "6h";
export const DEFAULT_GCR_REFRESH = "30m";
export const DEFAULT_GCR_URL = "https://gcr.io";

const AWS_ACCOUNT = /^\d{12}$/;
const GOOGLE_REGISTRY_HOST = /^([a-z0-9-]+\.)?gcr\.io$|^[a-z0-9-]+-docker\.pkg\.dev$/;

/**
 * The domain rules of a registry location whose shape is already checked (as part of some args):
 * a Google URL for `gcr`, exactly one GCR credential, a 12-digit ECR account, refresh intervals
 * below the token lifetime, a Google service-account key when one is given as plain text.
 * Refusals name paths under `path`.
 */
export function planLocation(location: RegistryLocation, path = "registry"): PlannedLocation {
    switch (location.location) {
        case "off-cluster":
            return {
                location,
                url: parseRegistryUrl(location.url, joinPath(path, "url")),
                inCluster: false,
            };
        case "ecr":
            return planEcr(location, path);
        case "gcr":
            return planGcr(location, path);
    }
}

function planEcr(location: EcrRegistry, path: string): PlannedLocation {
    if (location.registryId !== undefined && !AWS_ACCOUNT.test(location.registryId)) {
        invalidInput({
            path: joinPath(path, "registryId"),
            given: location.registryId,
            expected: "a 12-digit AWS account id",
            example: "123456789012",
        });
    }
    const refreshInterval = location.refreshInterval ?? DEFAULT_ECR_REFRESH;
    belowLifetime(
        refreshInterval,
        ECR_TOKEN_LIFETIME,
        DEFAULT_ECR_REFRESH,
        joinPath(path, "refreshInterval"),
    );
    return { location, inCluster: true, refreshInterval };
}

function planGcr(location: GcrRegistry, path: string): PlannedLocation {
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
    const hasKey = location.serviceAccountKey !== undefined;
    const hasIdentity = location.workloadIdentity !== undefined;
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
        serviceAccountKeyProblem(location.serviceAccountKey, joinPath(path, "serviceAccountKey"));
    }
    if (!hasIdentity) {
        return { location, url, inCluster: false };
    }
    const refreshInterval = location.refreshInterval ?? DEFAULT_GCR_REFRESH;
    belowLifetime(
        refreshInterval,
        GCR_TOKEN_LIFETIME,
        DEFAULT_GCR_REFRESH,
        joinPath(path, "refreshInterval"),
    );
    return { location, url, inCluster: true, refreshInterval };
}

/**
 * Where a planned location is reached. ECR without `registryId` asks Pulumi's AWS provider for its
 * account (`aws.getCallerIdentity`), so this runs while building, never while planning.
 *
 * @example registryEndpoint(planLocation({ location: "off-cluster", url: "http://localhost:5000/team", username, password }))
 *          // imagePrefix "localhost:5000/team", server "localhost:5000/team", insecure true
 */
export function registryEndpoint(planned: PlannedLocation): RegistryEndpoint {
    const { location, url } = planned;
    if (location.location !== "ecr") {
        const parsed = url as RegistryUrl;
        return {
            imagePrefix: pulumi.output(parsed.imagePrefix),
            server: pulumi.output(parsed.server),
            insecure: parsed.insecure,
            apiBase: pulumi.output(parsed.apiBase),
        };
    }
    const account = location.registryId
        ? pulumi.output(location.registryId)
        : getCallerIdentityOutput().accountId;
    const host = account.apply((id) => ecrHost(id, location.region));
    return {
        imagePrefix: host,
        server: host,
        insecure: false,
        apiBase: host.apply((h) => `https://${h}`),
    };
}

/**
 * `host[:port][/path]`, the image prefix of a registry location when it is known without asking a
 * cloud: off-cluster and Google URLs, ECR with `registryId`. Undefined for ECR without it, whose
 * account Pulumi's AWS provider reports while building. `url` is the location's URL when it is
 * parsed already (a planned location's).
 *
 * @example knownImagePrefix({ location: "ecr", registryId: "123456789012", region: "eu-central-1" })
 *          // "123456789012.dkr.ecr.eu-central-1.amazonaws.com"
 */
export function knownImagePrefix(
    location: RegistryLocation,
    url?: RegistryUrl,
): string | undefined {
    if (location.location === "ecr") {
        return location.registryId === undefined
            ? undefined
            : ecrHost(location.registryId, location.region);
    }
    return (url ?? parseRegistryUrl(location.url ?? DEFAULT_GCR_URL)).imagePrefix;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com`, the ECR registry host of an account and region. */
export function ecrHost(registryId: string, region: string): string {
    return `${registryId}.dkr.ecr.${region}.amazonaws.com`;
}

/** A plain key must be a Google service-account key; a secret Output is only known at deploy time. */
function serviceAccountKeyProblem(key: string, path: string): void {
    let parsed: { type?: unknown; client_email?: unknown } | undefined;
    try {
        parsed = JSON.parse(key);
    } catch {
        parsed = undefined;
    }
    if (!parsed || parsed.type !== "service_account" || typeof parsed.client_email !== "string") {
        invalidInput({
            path,
            given: key,
            secret: true,
            expected:
                'a Google service-account JSON key (with "type": "service_account" and "client_email")',
            example: 'config.requireSecret("gcrKey") holding the downloaded key file',
        });
    }
}

/** A refresh interval (already a valid duration) must refresh a token before it expires. */
function belowLifetime(
    interval: string,
    lifetime: { text: string; seconds: number },
    example: string,
    path: string,
): void {
    if ((goDurationSeconds(interval) as number) >= lifetime.seconds) {
        invalidInput({
            path,
            given: interval,
            expected: `a duration shorter than the token's lifetime of ${lifetime.text}`,
            example,
        });
    }
}
