import * as http from "http";
import * as https from "https";
import * as tls from "tls";
import { PullCheckError, serverText, serverUrl } from "./pull-failure";

/** Largest manifest or token answer read: 4 MiB, the manifest limit containerd applies too. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** Largest error answer read (a registry's JSON error is well under 1 KiB). */
export const MAX_ERROR_BYTES = 64 * 1024;
/** Redirects followed per request. */
export const MAX_REDIRECTS = 5;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Errors of the connection itself: the server was not reached or let go before answering. */
const CONNECTION_ERRORS = new Set([
    "ECONNREFUSED",
    "ECONNRESET",
    "ENOTFOUND",
    "EAI_AGAIN",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "EHOSTDOWN",
    "ETIMEDOUT",
    "EPIPE",
    "EPROTO",
]);
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)|ERR_TLS_CERT_ALTNAME/;

/** One answer: the URL that gave it (after redirects), its status, headers and (capped) body. */
export interface Answer {
    url: URL;
    status: number;
    /** Every value of every header, names in lower case. */
    headers: NodeJS.Dict<string[]>;
    body: Buffer;
}

export interface GetOptions {
    /** Who answers, for messages: `registry`, `token service https://auth.example.com/token`. */
    label: string;
    headers?: Record<string, string>;
    /** Sent to `url`'s origin only: a redirect to another origin goes without it. */
    authorization?: string;
    /** Limit of a 2xx body, and what it is (`a manifest`); 0 reads no 2xx body. */
    maxBytes: number;
    what: string;
}

/**
 * The HTTP side of one pull check: GET requests under one deadline for the whole check, each body
 * read up to a limit, redirects bounded and never carrying credentials to another origin or down
 * from https to http, TLS verified against Node's CAs plus `caCertificates`.
 */
export class PullSession {
    private readonly controller = new AbortController();
    private readonly timer: NodeJS.Timeout;
    private readonly httpAgent = new http.Agent({ keepAlive: true });
    private readonly httpsAgent: https.Agent;

    constructor(
        readonly timeoutMs: number,
        /** Credentials of the check, never shown in a message even when a server echoes them. */
        readonly secrets: string[],
        caCertificates?: string[],
    ) {
        this.httpsAgent = new https.Agent({
            keepAlive: true,
            ...(caCertificates ? { ca: [...defaultCertificates(), ...caCertificates] } : {}),
        });
        this.timer = setTimeout(() => this.controller.abort(), timeoutMs);
    }

    /** GET `url`, following at most {@link MAX_REDIRECTS} redirects. Throws {@link PullCheckError}. */
    async get(url: URL, options: GetOptions): Promise<Answer> {
        let target = url;
        for (let redirects = 0; ; redirects++) {
            const headers = {
                ...options.headers,
                ...(options.authorization !== undefined && target.origin === url.origin
                    ? { Authorization: options.authorization }
                    : {}),
            };
            const response = await this.guard(options.label, "connect", () =>
                this.send(target, headers),
            );
            const status = response.statusCode ?? 0;
            if (!REDIRECTS.has(status)) {
                const ok = status >= 200 && status < 300;
                const body = await this.guard(options.label, "read", () =>
                    ok && options.maxBytes === 0
                        ? discard(response)
                        : readBody(
                              response,
                              ok ? options.maxBytes : MAX_ERROR_BYTES,
                              ok ? options.what : "an error answer",
                              options.label,
                          ),
                );
                return { url: target, status, headers: response.headersDistinct, body };
            }
            response.destroy();
            target = this.redirectTarget(target, response, redirects, options.label);
        }
    }

    /** Ends the deadline and closes every connection of the check. */
    close(): void {
        clearTimeout(this.timer);
        this.httpAgent.destroy();
        this.httpsAgent.destroy();
    }

    private redirectTarget(
        from: URL,
        response: http.IncomingMessage,
        redirects: number,
        label: string,
    ): URL {
        const refuse = (cause: string): never => {
            throw new PullCheckError("refused-redirect", `the ${label} redirected ${cause}`);
        };
        if (redirects === MAX_REDIRECTS) {
            refuse(`more than ${MAX_REDIRECTS} times`);
        }
        const location = response.headersDistinct.location ?? [];
        if (location.length !== 1) {
            refuse(`(HTTP ${response.statusCode}) without one Location`);
        }
        let next: URL;
        try {
            next = new URL(location[0], from);
        } catch {
            return refuse(
                `to a malformed URL ${JSON.stringify(serverText(location[0], this.secrets))}`,
            );
        }
        if (next.protocol !== "http:" && next.protocol !== "https:") {
            refuse(`to a ${serverText(next.protocol, this.secrets, 20)} URL, not http or https`);
        }
        if (from.protocol === "https:" && next.protocol === "http:") {
            refuse(`from https to plain http (${serverUrl(next, this.secrets)})`);
        }
        return next;
    }

    private send(url: URL, headers: Record<string, string>): Promise<http.IncomingMessage> {
        return new Promise((resolve, reject) => {
            const secure = url.protocol === "https:";
            const request = (secure ? https : http).request(
                url,
                {
                    method: "GET",
                    headers,
                    agent: secure ? this.httpsAgent : this.httpAgent,
                    signal: this.controller.signal,
                },
                resolve,
            );
            request.on("error", reject);
            request.end();
        });
    }

    /** Runs one step; a deadline, a socket or a parser error becomes the failure it means. */
    private async guard<T>(label: string, phase: "connect" | "read", step: () => Promise<T>) {
        try {
            return await step();
        } catch (err) {
            if (err instanceof PullCheckError) {
                throw err;
            }
            if (this.controller.signal.aborted) {
                throw new PullCheckError(
                    "timed-out",
                    `the check did not finish within ${this.timeoutMs} ms (timed out)`,
                );
            }
            throw this.networkFailure(err, label, phase);
        }
    }

    private networkFailure(err: unknown, label: string, phase: "connect" | "read") {
        const { code, message } = err as { code?: unknown; message?: unknown };
        const reason = serverText(
            typeof code === "string" ? code : String(message ?? err),
            this.secrets,
            60,
        );
        if (typeof code === "string" && CERTIFICATE_ERROR.test(code)) {
            return new PullCheckError(
                "untrusted-certificate",
                `TLS certificate of the ${label} not trusted (${reason}); trust the CA that signed it with NODE_EXTRA_CA_CERTS (or checkImagePull's caCertificates)`,
            );
        }
        if (typeof code === "string" && code.startsWith("HPE_")) {
            return new PullCheckError(
                "unexpected-response",
                `malformed HTTP answer from the ${label} (${reason})`,
            );
        }
        if (phase === "read") {
            return new PullCheckError(
                "unexpected-response",
                `the ${label}'s answer broke off (${reason})`,
            );
        }
        if (
            typeof code === "string" &&
            (CONNECTION_ERRORS.has(code) || code.startsWith("ERR_SSL_"))
        ) {
            return new PullCheckError("unreachable", `${label} unreachable (${reason})`);
        }
        return new PullCheckError(
            "unexpected-response",
            `request to the ${label} failed (${reason})`,
        );
    }
}

/** Node's trusted CAs (bundled, system if enabled, `NODE_EXTRA_CA_CERTS`): an explicit `ca` replaces them. */
function defaultCertificates(): readonly string[] {
    return typeof tls.getCACertificates === "function"
        ? tls.getCACertificates("default")
        : tls.rootCertificates;
}

function discard(response: http.IncomingMessage): Promise<Buffer> {
    response.destroy();
    return Promise.resolve(Buffer.alloc(0));
}

/** Reads a body, at most `max` bytes: a longer one is cut off unread and fails the check. */
function readBody(
    response: http.IncomingMessage,
    max: number,
    what: string,
    label: string,
): Promise<Buffer> {
    const tooLarge = () =>
        new PullCheckError(
            "body-too-large",
            `the ${label} answered with more than ${max} bytes, the limit for ${what}`,
        );
    const declared = Number(response.headers["content-length"]);
    if (Number.isFinite(declared) && declared > max) {
        response.destroy();
        return Promise.reject(tooLarge());
    }
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > max) {
                response.destroy();
                reject(tooLarge());
                return;
            }
            chunks.push(chunk);
        });
        response.on("end", () => resolve(Buffer.concat(chunks, size)));
        response.on("error", reject);
        response.on("close", () => {
            if (!response.complete) {
                reject(Object.assign(new Error("the answer ended early"), { code: "ECONNRESET" }));
            }
        });
    });
}
