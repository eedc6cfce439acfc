import { createHash, X509Certificate } from "crypto";
import {
    invalidInput,
    parseImageReference,
    parseRegistryUrl,
    type ImageReference,
    type RegistryUrl,
} from "../core";
import { ChallengeSyntaxError, parseChallenges, type Challenge } from "./challenge";
import { PullCheckError, serverText, serverUrl, type PullCheckFailure } from "./pull-failure";
import { MAX_ANSWER_BYTES, PullSession, type Answer } from "./pull-http";

export type { PullCheckFailure } from "./pull-failure";

/** What to check: one image, one registry, one set of credentials. */
export interface PullCheckRequest {
    /** The registry URL with its protocol, e.g. `https://registry.example.com:5000/team`. */
    registryUrl: string;
    /** The image without protocol, with a tag or digest, e.g. `registry.example.com:5000/team/hello:1.0.0`. */
    image: string;
    username: string;
    password: string;
    /**
     * Time limit of the whole check (every request, redirect and body), in milliseconds: a whole
     * number from 1000 to 120000. Default 10000.
     */
    timeoutMs?: number;
    /**
     * PEM text of CA certificates to trust besides Node's own (bundled, system, `NODE_EXTRA_CA_CERTS`),
     * for a registry or token service whose certificate a private CA signed.
     * @example fs.readFileSync("registry-ca.pem", "utf8")
     */
    caCertificates?: string;
}

export type PullCheckResult =
    { ok: true; digest: string } | { ok: false; failure: PullCheckFailure; message: string };

/** Every manifest kind a pull can resolve to: OCI index and manifest, Docker v2 list and manifest. */
const MANIFEST_TYPES = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];
export const MANIFEST_ACCEPT = MANIFEST_TYPES.join(", ");

/** Bounds of `timeoutMs` (and RegistrySecret's `testPullTimeoutMs`), in milliseconds. */
const PULL_TIMEOUT_MS = { min: 1000, max: 120000, default: 10000 } as const;

/** The registered digest algorithms and their encoded form (OCI image spec, descriptor digests). */
const DIGEST_FORMS = { sha256: /^sha256:[a-f0-9]{64}$/, sha512: /^sha512:[a-f0-9]{128}$/ };
type DigestAlgorithm = keyof typeof DIGEST_FORMS;
/** A token fit for an `Authorization: Bearer` header: visible ASCII only. */
const TOKEN = /^[\x21-\x7e]+$/;

/**
 * Checks that `image` can be pulled from the registry with the credentials, the way a container
 * runtime resolves it: `GET /v2/<repository>/manifests/<tag|digest>` without credentials, then
 * answering the registry's challenge, Basic with the credentials or Bearer with a token the realm
 * issues for them. Credentials go only to the registry's own origin or over https; one deadline
 * (`timeoutMs`) covers the whole check; answers are read up to a limit; the digest returned is a
 * validated sha256 or sha512 digest the manifest hashes to.
 *
 * Throws only for invalid arguments (`InputPropertyError` naming `registryUrl`, `image`,
 * `timeoutMs` or `caCertificates`); a registry's answer never makes it throw. A failure message
 * names the image, the registry and the cause, never the password or a token.
 */
export async function checkImagePull(request: PullCheckRequest): Promise<PullCheckResult> {
    const registry = parseRegistryUrl(request.registryUrl, "registryUrl");
    const ref = parseImageReference(request.image, "image");
    const pinned = pinnedDigestProblem(ref);
    if (pinned !== undefined) {
        invalidInput({
            path: "image",
            given: request.image,
            expected: pinned,
            example: `registry.example.com/team/hello@sha256:${"0".repeat(64)}`,
        });
    }
    const timeoutMs = pullTimeout(request.timeoutMs, "timeoutMs");
    const ca =
        request.caCertificates === undefined
            ? undefined
            : parseCaCertificates(request.caCertificates, "caCertificates");
    const userPass = Buffer.from(`${request.username}:${request.password}`, "utf8").toString(
        "base64",
    );
    const session = new PullSession(timeoutMs, [request.password, userPass], ca);
    try {
        const check = new Check(session, registry, ref, request.username, `Basic ${userPass}`);
        return { ok: true, digest: await check.run() };
    } catch (err) {
        if (err instanceof PullCheckError) {
            return {
                ok: false,
                failure: err.failure,
                message: `cannot pull ${request.image} from registry ${request.registryUrl}: ${err.detail}`,
            };
        }
        throw err;
    } finally {
        session.close();
    }
}

/** Why an image reference's digest cannot be checked; undefined when it can (or there is none). */
export function pinnedDigestProblem(ref: ImageReference): string | undefined {
    return ref.digest === undefined || digestAlgorithm(ref.digest) !== undefined
        ? undefined
        : "an image reference whose digest is sha256:<64 hex digits> or sha512:<128 hex digits>";
}

/** The time limit of a whole check: `value` checked against {@link PULL_TIMEOUT_MS}, or the default. */
function pullTimeout(value: unknown, path: string): number {
    if (value === undefined) {
        return PULL_TIMEOUT_MS.default;
    }
    if (
        typeof value !== "number" ||
        !Number.isInteger(value) ||
        value < PULL_TIMEOUT_MS.min ||
        value > PULL_TIMEOUT_MS.max
    ) {
        invalidInput({
            path,
            given: value,
            expected: `a whole number of milliseconds from ${PULL_TIMEOUT_MS.min} to ${PULL_TIMEOUT_MS.max}, the limit for the whole check`,
            example: PULL_TIMEOUT_MS.default,
        });
    }
    return value;
}

/** The PEM certificates in `text`; refuses text without one, or with one that does not parse. */
function parseCaCertificates(text: unknown, path: string): string[] {
    const blocks =
        typeof text === "string"
            ? (text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [])
            : [];
    if (blocks.length === 0 || !blocks.every(isCertificate)) {
        invalidInput({
            path,
            given: text,
            // A private key pasted by mistake must not reach a log.
            secret: typeof text === "string" && /PRIVATE KEY/.test(text),
            expected:
                "PEM text of one or more CA certificates (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)",
            example: 'fs.readFileSync("registry-ca.pem", "utf8")',
        });
    }
    return blocks;
}

function isCertificate(pem: string): boolean {
    try {
        new X509Certificate(pem);
        return true;
    } catch {
        return false;
    }
}

function digestAlgorithm(digest: string): DigestAlgorithm | undefined {
    return (Object.keys(DIGEST_FORMS) as DigestAlgorithm[]).find((algorithm) =>
        DIGEST_FORMS[algorithm].test(digest),
    );
}

function digestOf(body: Buffer, algorithm: DigestAlgorithm): string {
    return `${algorithm}:${createHash(algorithm).update(body).digest("hex")}`;
}

/** Credentials may go to the registry's own origin (http only if the user declared it), else only over https. */
function mayReceiveCredentials(target: URL, registryOrigin: string): boolean {
    return target.origin === registryOrigin || target.protocol === "https:";
}

/** One run of the check: the manifest request, the challenge answered, the answer classified. */
class Check {
    private readonly manifestUrl: URL;
    private readonly origin: string;

    constructor(
        private readonly session: PullSession,
        registry: RegistryUrl,
        private readonly ref: ImageReference,
        private readonly username: string,
        private readonly basic: string,
    ) {
        this.manifestUrl = new URL(
            `${registry.apiBase}/v2/${ref.repository}/manifests/${ref.digest ?? ref.tag}`,
        );
        this.origin = this.manifestUrl.origin;
    }

    async run(): Promise<string> {
        let authorization: string | undefined;
        let answer = await this.getManifest(undefined);
        if (answer.status === 401) {
            authorization = await this.authorize(answer);
            answer = await this.getManifest(authorization);
        }
        if (answer.status === 200) {
            return this.verifiedDigest(answer);
        }
        const codes = registryErrorCodes(answer.body);
        const shown = codes?.length ? ` ${this.codes(codes)}` : "";
        if (answer.status === 401 || answer.status === 403) {
            throw new PullCheckError(
                "credentials-rejected",
                authorization === undefined
                    ? `access denied (HTTP ${answer.status}${shown}) without asking for credentials`
                    : `credentials rejected (HTTP ${answer.status}${shown}) for user ${JSON.stringify(this.username)}`,
            );
        }
        if (answer.status === 404) {
            throw await this.notFound(codes, authorization);
        }
        throw new PullCheckError(
            "unexpected-response",
            `unexpected HTTP ${answer.status}${shown} from ${this.manifestUrl.href}`,
        );
    }

    private getManifest(authorization: string | undefined): Promise<Answer> {
        return this.session.get(this.manifestUrl, {
            label: "registry",
            headers: { Accept: MANIFEST_ACCEPT },
            authorization,
            maxBytes: MAX_ANSWER_BYTES,
            what: "a manifest",
        });
    }

    /** The `Authorization` a 401's challenges ask for: Bearer preferred, as container runtimes do. */
    private async authorize(answer: Answer): Promise<string> {
        let challenges: Challenge[];
        try {
            challenges = parseChallenges(answer.headers["www-authenticate"] ?? []);
        } catch (err) {
            if (err instanceof ChallengeSyntaxError) {
                throw new PullCheckError(
                    "malformed-challenge",
                    `the registry's WWW-Authenticate header does not parse (${err.message})`,
                );
            }
            throw err;
        }
        const bearer = challenges.find((c) => c.scheme === "bearer");
        if (bearer) {
            return `Bearer ${await this.token(bearer)}`;
        }
        if (challenges.some((c) => c.scheme === "basic")) {
            return this.basic;
        }
        throw new PullCheckError(
            "malformed-challenge",
            challenges.length === 0
                ? "the registry answered HTTP 401 without a WWW-Authenticate challenge"
                : `the registry asks for ${this.text(challenges.map((c) => c.scheme).join(", "))} authentication; a pull answers only Basic or Bearer`,
        );
    }

    /** The Docker token flow: GET realm?service=…&scope=… with Basic credentials, returns `token`/`access_token`. */
    private async token(challenge: Challenge): Promise<string> {
        const realmText = challenge.params.realm;
        if (!realmText) {
            throw new PullCheckError("malformed-realm", "the Bearer challenge names no realm");
        }
        const shownRealm = JSON.stringify(this.text(realmText));
        let realm: URL;
        try {
            realm = new URL(realmText);
        } catch {
            throw new PullCheckError(
                "malformed-realm",
                `the token realm ${shownRealm} is not a URL`,
            );
        }
        if (realm.protocol !== "http:" && realm.protocol !== "https:") {
            throw new PullCheckError(
                "malformed-realm",
                `the token realm ${shownRealm} is not an http or https URL; credentials go only over http(s)`,
            );
        }
        if (realm.username !== "" || realm.password !== "") {
            throw new PullCheckError(
                "malformed-realm",
                "the token realm carries user:password of its own",
            );
        }
        if (!mayReceiveCredentials(realm, this.origin)) {
            throw new PullCheckError(
                "insecure-realm",
                `refusing to send the credentials to the token realm ${serverUrl(realm, this.session.secrets)}: plain http, and not the registry's own origin ${this.origin}; a token service on another origin must use https`,
            );
        }
        if (challenge.params.service) {
            realm.searchParams.set("service", challenge.params.service);
        }
        realm.searchParams.set(
            "scope",
            challenge.params.scope ?? `repository:${this.ref.repository}:pull`,
        );
        const label = `token service ${serverUrl(realm, this.session.secrets)}`;
        const answer = await this.session.get(realm, {
            label,
            authorization: this.basic,
            maxBytes: MAX_ANSWER_BYTES,
            what: "a token answer",
        });
        if (answer.status === 401 || answer.status === 403) {
            throw new PullCheckError(
                "credentials-rejected",
                `credentials rejected by the ${label} (HTTP ${answer.status})`,
            );
        }
        if (answer.status !== 200) {
            throw new PullCheckError(
                "unexpected-response",
                `the ${label} answered HTTP ${answer.status}`,
            );
        }
        const token = tokenOf(answer.body);
        if (token === undefined) {
            throw new PullCheckError("unexpected-response", `the ${label} returned no token`);
        }
        this.session.secrets.push(token);
        return token;
    }

    /** The manifest's digest, once the answer is shown to be a manifest that hashes to it. */
    private verifiedDigest(answer: Answer): string {
        const types = answer.headers["content-type"] ?? [];
        const mediaType = types.length === 1 ? types[0].split(";")[0].trim().toLowerCase() : "";
        if (!MANIFEST_TYPES.includes(mediaType)) {
            const given =
                types.length === 0
                    ? "no Content-Type"
                    : types.length > 1
                      ? "several Content-Types"
                      : `Content-Type ${JSON.stringify(this.text(types[0]))}`;
            throw new PullCheckError(
                "not-a-manifest",
                `the registry answered with ${given}, not an OCI or Docker v2 manifest or index`,
            );
        }
        const manifest = jsonOf(answer.body) as { schemaVersion?: unknown; mediaType?: unknown };
        if (typeof manifest !== "object" || manifest === null || manifest.schemaVersion !== 2) {
            throw new PullCheckError(
                "not-a-manifest",
                `the registry answered ${mediaType} with a body that is not a schemaVersion 2 manifest`,
            );
        }
        if (manifest.mediaType !== undefined && manifest.mediaType !== mediaType) {
            throw new PullCheckError(
                "not-a-manifest",
                `the manifest declares mediaType ${JSON.stringify(this.text(String(manifest.mediaType)))} but was served as ${mediaType}`,
            );
        }
        const named = answer.headers["docker-content-digest"] ?? [];
        if (named.length > 1) {
            throw new PullCheckError(
                "malformed-digest",
                "the registry sent several Docker-Content-Digest headers",
            );
        }
        const headerDigest = named[0];
        if (headerDigest !== undefined) {
            const algorithm = digestAlgorithm(headerDigest);
            if (algorithm === undefined) {
                throw new PullCheckError(
                    "malformed-digest",
                    `the registry's Docker-Content-Digest ${JSON.stringify(this.text(headerDigest))} is not a sha256:<64 hex digits> or sha512:<128 hex digits> digest`,
                );
            }
            const actual = digestOf(answer.body, algorithm);
            if (actual !== headerDigest) {
                throw new PullCheckError(
                    "digest-mismatch",
                    `the manifest hashes to ${actual}, not to ${headerDigest} as the registry's Docker-Content-Digest says`,
                );
            }
        }
        if (this.ref.digest !== undefined) {
            const actual = digestOf(answer.body, digestAlgorithm(this.ref.digest)!);
            if (actual !== this.ref.digest) {
                throw new PullCheckError(
                    "digest-mismatch",
                    `the manifest hashes to ${actual}, not to the pinned ${this.ref.digest}`,
                );
            }
        }
        return headerDigest ?? this.ref.digest ?? digestOf(answer.body, "sha256");
    }

    /**
     * A 404 with a registry error body. Registries differ in whether a missing repository is
     * NAME_UNKNOWN or MANIFEST_UNKNOWN (distribution 2.8 says the latter); the tag list tells the two apart.
     */
    private async notFound(
        codes: string[] | undefined,
        authorization: string | undefined,
    ): Promise<PullCheckError> {
        if (codes === undefined) {
            return new PullCheckError(
                "unexpected-response",
                `HTTP 404 without a registry error from ${this.manifestUrl.href} (not a registry's v2 API?)`,
            );
        }
        const repositoryMissing = new PullCheckError(
            "image-not-found",
            `repository ${this.ref.repository} not found (NAME_UNKNOWN)`,
        );
        if (codes.includes("NAME_UNKNOWN")) {
            return repositoryMissing;
        }
        const tags = await this.session.get(
            new URL(`${this.manifestUrl.origin}/v2/${this.ref.repository}/tags/list`),
            { label: "registry", authorization, maxBytes: 0, what: "a tag list" },
        );
        if (tags.status === 404 && registryErrorCodes(tags.body)?.includes("NAME_UNKNOWN")) {
            return repositoryMissing;
        }
        const missing = this.ref.digest ? `digest ${this.ref.digest}` : `tag ${this.ref.tag}`;
        return new PullCheckError(
            "image-not-found",
            `${missing} not found in repository ${this.ref.repository} (${this.codes(codes) || "HTTP 404"})`,
        );
    }

    private text(text: string): string {
        return serverText(text, this.session.secrets);
    }

    /** At most three error codes, each made fit for a message. */
    private codes(codes: string[]): string {
        const shown = codes.slice(0, 3).map((code) => serverText(code, this.session.secrets, 40));
        return `${shown.join(", ")}${codes.length > 3 ? ", ..." : ""}`;
    }
}

function jsonOf(body: Buffer): unknown {
    try {
        return JSON.parse(body.toString("utf8"));
    } catch {
        return undefined;
    }
}

/** The `errors[].code` values of a registry error body; undefined when the body is not one. */
function registryErrorCodes(body: Buffer): string[] | undefined {
    const parsed = jsonOf(body) as { errors?: unknown } | undefined;
    const errors = typeof parsed === "object" && parsed !== null ? parsed.errors : undefined;
    if (!Array.isArray(errors) || errors.length === 0) {
        return undefined;
    }
    const codes = errors.map((e: { code?: unknown } | null) => e?.code);
    return codes.every((code): code is string => typeof code === "string") ? codes : undefined;
}

/** `token` (or OAuth2's `access_token`) of a token answer, when it is fit for a header. */
function tokenOf(body: Buffer): string | undefined {
    const parsed = jsonOf(body) as { token?: unknown; access_token?: unknown } | undefined;
    if (typeof parsed !== "object" || parsed === null) {
        return undefined;
    }
    const token = parsed.token ?? parsed.access_token;
    return typeof token === "string" && TOKEN.test(token) ? token : undefined;
}
