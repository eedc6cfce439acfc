import { createHash } from "crypto";
import { parseImageReference, parseRegistryUrl } from "../core";

/** What to check: one image, one registry, one set of credentials. */
export interface PullCheckRequest {
    /** The registry URL with its protocol, e.g. `https://registry.example.com:5000/team`. */
    registryUrl: string;
    /** The image without protocol, with a tag or digest, e.g. `registry.example.com:5000/team/hello:1.0.0`. */
    image: string;
    username: string;
    password: string;
    /** Limit for each HTTP request, in milliseconds. Default 10000. */
    timeoutMs?: number;
}

/** Why a check failed. */
export type PullCheckFailure =
    | "credentials-rejected"
    | "image-not-found"
    | "unreachable"
    | "timed-out"
    | "unexpected-response";

export type PullCheckResult =
    { ok: true; digest: string } | { ok: false; failure: PullCheckFailure; message: string };

/** Every manifest kind a pull can resolve to: OCI index and manifest, Docker v2 list and manifest. */
export const MANIFEST_ACCEPT = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

const DEFAULT_TIMEOUT_MS = 10000;

/**
 * Checks that `image` can be pulled from the registry with the credentials, the way a container
 * runtime would: `GET /v2/<repository>/manifests/<tag|digest>` with Basic auth, following a
 * `WWW-Authenticate: Bearer` challenge to the token service when the registry asks for one.
 * Every request is bounded by `timeoutMs`. Never throws: failures come back with a message naming
 * the registry, the image and the cause (never the password).
 */
export async function checkImagePull(request: PullCheckRequest): Promise<PullCheckResult> {
    const registry = parseRegistryUrl(request.registryUrl, "registryUrl");
    const ref = parseImageReference(request.image, "image");
    const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const fail = (failure: PullCheckFailure, cause: string): PullCheckResult => ({
        ok: false,
        failure,
        message: `cannot pull ${request.image} from registry ${request.registryUrl}: ${cause}`,
    });
    const manifestUrl = `${registry.apiBase}/v2/${ref.repository}/manifests/${ref.digest ?? ref.tag}`;
    const basic = `Basic ${Buffer.from(`${request.username}:${request.password}`, "utf8").toString("base64")}`;

    try {
        let authorization = basic;
        let response = await timedFetch(
            manifestUrl,
            { Accept: MANIFEST_ACCEPT, Authorization: authorization },
            timeoutMs,
        );
        const challenge =
            response.status === 401
                ? parseChallenge(response.headers.get("www-authenticate") ?? "")
                : undefined;
        if (challenge?.scheme === "bearer") {
            await response.body?.cancel();
            const token = await fetchToken(challenge.params, ref.repository, basic, timeoutMs);
            if (!token.ok) {
                return fail(token.failure, token.cause);
            }
            authorization = `Bearer ${token.token}`;
            response = await timedFetch(
                manifestUrl,
                { Accept: MANIFEST_ACCEPT, Authorization: authorization },
                timeoutMs,
            );
        }
        const body = Buffer.from(await response.arrayBuffer());
        if (response.ok) {
            const digest =
                response.headers.get("docker-content-digest") ??
                `sha256:${createHash("sha256").update(body).digest("hex")}`;
            return { ok: true, digest };
        }
        const codes = errorCodes(body);
        if (response.status === 401 || response.status === 403) {
            return fail(
                "credentials-rejected",
                `credentials rejected (HTTP ${response.status}${codes.length ? ` ${codes.join(", ")}` : ""}) for user ${JSON.stringify(request.username)}`,
            );
        }
        if (response.status === 404) {
            // Registries differ in whether a missing repository is NAME_UNKNOWN or MANIFEST_UNKNOWN
            // (distribution 2.8 says the latter); the tag list tells the two apart.
            const tags = codes.includes("NAME_UNKNOWN")
                ? undefined
                : await timedFetch(
                      `${registry.apiBase}/v2/${ref.repository}/tags/list`,
                      { Authorization: authorization },
                      timeoutMs,
                  );
            await tags?.body?.cancel();
            if (tags === undefined || tags.status === 404) {
                return fail(
                    "image-not-found",
                    `repository ${ref.repository} not found (NAME_UNKNOWN)`,
                );
            }
            return fail(
                "image-not-found",
                `${ref.digest ? `digest ${ref.digest}` : `tag ${ref.tag}`} not found in repository ${ref.repository} (${codes.join(", ") || "HTTP 404"})`,
            );
        }
        return fail(
            "unexpected-response",
            `unexpected HTTP ${response.status}${codes.length ? ` ${codes.join(", ")}` : ""} from ${manifestUrl}`,
        );
    } catch (err) {
        return networkFailure(err, timeoutMs, fail);
    }
}

type TokenResult =
    { ok: true; token: string } | { ok: false; failure: PullCheckFailure; cause: string };

/** The Docker token flow: GET realm?service=…&scope=… with Basic credentials, returns `token`/`access_token`. */
async function fetchToken(
    params: Record<string, string>,
    repository: string,
    basic: string,
    timeoutMs: number,
): Promise<TokenResult> {
    if (!params.realm) {
        return {
            ok: false,
            failure: "unexpected-response",
            cause: "Bearer challenge without a realm",
        };
    }
    const url = new URL(params.realm);
    if (params.service) {
        url.searchParams.set("service", params.service);
    }
    url.searchParams.set("scope", params.scope ?? `repository:${repository}:pull`);
    const response = await timedFetch(url.toString(), { Authorization: basic }, timeoutMs);
    const body = Buffer.from(await response.arrayBuffer());
    if (response.status === 401 || response.status === 403) {
        return {
            ok: false,
            failure: "credentials-rejected",
            cause: `credentials rejected by the token service ${url.origin}${url.pathname} (HTTP ${response.status})`,
        };
    }
    if (!response.ok) {
        return {
            ok: false,
            failure: "unexpected-response",
            cause: `token service ${url.origin}${url.pathname} answered HTTP ${response.status}`,
        };
    }
    try {
        const parsed = JSON.parse(body.toString("utf8"));
        const token = parsed.token ?? parsed.access_token;
        if (typeof token === "string" && token !== "") {
            return { ok: true, token };
        }
    } catch {
        // An unparsable body is reported below like a body without a token.
    }
    return {
        ok: false,
        failure: "unexpected-response",
        cause: `token service ${url.origin}${url.pathname} returned no token`,
    };
}

async function timedFetch(
    url: string,
    headers: Record<string, string>,
    timeoutMs: number,
): Promise<Response> {
    return fetch(url, { headers, redirect: "follow", signal: AbortSignal.timeout(timeoutMs) });
}

/** Parses `Bearer realm="…",service="…",scope="…"` (RFC 7235 auth-params, quoted or not). */
export function parseChallenge(
    header: string,
): { scheme: string; params: Record<string, string> } | undefined {
    const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
    if (!match) {
        return undefined;
    }
    const params: Record<string, string> = {};
    for (const part of match[2].matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
        params[part[1].toLowerCase()] =
            part[2] !== undefined ? part[2].replace(/\\(.)/g, "$1") : part[3];
    }
    return { scheme: match[1].toLowerCase(), params };
}

/** The `errors[].code` values of a registry error body (`NAME_UNKNOWN`, `MANIFEST_UNKNOWN`, `UNAUTHORIZED`). */
function errorCodes(body: Buffer): string[] {
    try {
        const parsed = JSON.parse(body.toString("utf8"));
        return Array.isArray(parsed?.errors)
            ? parsed.errors.map((e: { code?: unknown }) => String(e.code))
            : [];
    } catch {
        return [];
    }
}

function networkFailure(
    err: unknown,
    timeoutMs: number,
    fail: (failure: PullCheckFailure, cause: string) => PullCheckResult,
): PullCheckResult {
    const error = err as {
        name?: string;
        message?: string;
        cause?: { code?: string; message?: string };
    };
    if (error?.name === "TimeoutError" || error?.name === "AbortError") {
        return fail("timed-out", `no answer within ${timeoutMs} ms (timed out)`);
    }
    const cause = error?.cause?.code ?? error?.cause?.message ?? error?.message ?? String(err);
    return fail("unreachable", `registry unreachable (${cause})`);
}
