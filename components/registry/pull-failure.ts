import { REDACTED } from "../core";

/** Why a pull check failed. */
export type PullCheckFailure =
    /** The registry or its token service refused the credentials (HTTP 401/403). */
    | "credentials-rejected"
    /** The repository, tag or digest does not exist (a registry error body says so). */
    | "image-not-found"
    /** No connection: nothing listening, DNS failure, connection reset, TLS handshake failure. */
    | "unreachable"
    /** The TLS certificate is not trusted (a private CA not in `NODE_EXTRA_CA_CERTS` or `caCertificates`). */
    | "untrusted-certificate"
    /** The whole check did not finish within its time limit. */
    | "timed-out"
    /** The `WWW-Authenticate` header does not parse, or asks for a scheme other than Basic or Bearer. */
    | "malformed-challenge"
    /** The Bearer challenge has no realm, or one that is not an http(s) URL. */
    | "malformed-realm"
    /** The token realm would receive the credentials over plain http from another origin. */
    | "insecure-realm"
    /** Too many redirects, or one to plain http from https, to another scheme or a malformed URL. */
    | "refused-redirect"
    /** A success answer that is not a manifest or index (e.g. an HTML login page). */
    | "not-a-manifest"
    /** A `Docker-Content-Digest` header that is not a sha256 or sha512 digest. */
    | "malformed-digest"
    /** The manifest does not hash to the digest the registry names or the image reference pins. */
    | "digest-mismatch"
    /** An answer larger than its limit (a manifest or token answer 4 MiB, an error answer 64 KiB). */
    | "body-too-large"
    /** Any other answer: another HTTP status, a 404 without a registry error, no token, malformed HTTP. */
    | "unexpected-response";

/** A failure found during the check; `detail` is the part of the message after the image and registry. */
export class PullCheckError extends Error {
    constructor(
        readonly failure: PullCheckFailure,
        readonly detail: string,
    ) {
        super(detail);
        this.name = "PullCheckError";
    }
}

// Matching control characters is what these two are for.
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])/g;
/** C0 and C1 controls, DEL, line and paragraph separators, and bidirectional overrides. */
const CONTROL =
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text a server chose, made fit for a message: escape sequences removed, other control characters
 * (newlines, tabs, bidi overrides) turned into spaces, any credential of the check replaced by
 * `<redacted>`, and at most `max` characters.
 */
export function serverText(text: string, secrets: readonly string[], max = 80): string {
    let clean = text.replace(ANSI_ESCAPE, "").replace(CONTROL, " ").replace(/\s+/g, " ").trim();
    for (const secret of secrets) {
        if (secret !== "") {
            clean = clean.split(secret).join(REDACTED);
        }
    }
    const chars = Array.from(clean);
    return chars.length > max ? `${chars.slice(0, max - 3).join("")}...` : clean;
}

/** A URL a server named (a token realm), shown as `protocol//host/path` without userinfo or query. */
export function serverUrl(url: URL, secrets: readonly string[]): string {
    return serverText(`${url.protocol}//${url.host}${url.pathname}`, secrets, 100);
}
