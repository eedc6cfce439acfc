import { createHash } from "crypto";
import * as fs from "fs";
import {
    checkImagePull,
    type PullCheckRequest,
    type PullCheckResult,
} from "../../components/registry";
import { tempDir } from "./harness";
import {
    createTestCa,
    startLoopback,
    startRawServer,
    type Handler,
    type LoopbackServer,
    type TestCa,
} from "./loopback";

// Registries and token services on 127.0.0.1 that answer what a test makes them answer: the probes
// of issue 13, each a row below. Plain HTTP and TLS (certificates from a CA made for the test).

const USER = "pipelines";
const PASSWORD = "S3NTINEL-pull-pass";
/** base64("pipelines:S3NTINEL-pull-pass") */
const USER_PASS = "cGlwZWxpbmVzOlMzTlRJTkVMLXB1bGwtcGFzcw==";
const BASIC = `Basic ${USER_PASS}`;
const TOKEN = "T0KEN-sentinel.for-the-pull-check";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const MANIFEST =
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":2},"layers":[]}';
/** `sha256sum` of MANIFEST. */
const MANIFEST_DIGEST = "sha256:eca47388aeb57cdb4e288371a26475427d7a1920b4bfd0e7fbe6be4cbb97968f";
/** `sha512sum` of MANIFEST. */
const MANIFEST_SHA512 =
    "sha512:68a3a61d823092de89ad1ba5a29e45825fb3867cdc88a63c1ccaee5136ad77f292b11df59d07da9f0a6b5a0df8ded92d30ba31e912d1a38d79b45826b78abc78";
const MIB = 1024 * 1024;

type Headers = Record<string, string | string[]>;

function answer(status: number, headers: Headers, body = ""): Handler {
    return (_req, res) => {
        res.writeHead(status, headers);
        res.end(body);
    };
}

function manifest(headers: Headers = {}, body = MANIFEST): Handler {
    return answer(200, { "Content-Type": OCI_MANIFEST, ...headers }, body);
}

const registryError = (...codes: string[]) =>
    JSON.stringify({ errors: codes.map((code) => ({ code, message: code.toLowerCase() })) });

/** Asks for Basic credentials; with the right ones, `then` answers. */
function basicAuth(then: Handler): Handler {
    return (req, res) =>
        req.headers.authorization === BASIC
            ? then(req, res)
            : answer(
                  401,
                  { "WWW-Authenticate": 'Basic realm="test"', "Content-Type": "application/json" },
                  registryError("UNAUTHORIZED"),
              )(req, res);
}

/** Answers 401 with `challenge` (one header, or several); with the token, `then` answers. */
function bearerAuth(challenge: string | string[], then: Handler = manifest()): Handler {
    return (req, res) =>
        req.headers.authorization === `Bearer ${TOKEN}`
            ? then(req, res)
            : answer(
                  401,
                  { "WWW-Authenticate": challenge },
                  registryError("UNAUTHORIZED"),
              )(req, res);
}

/** The Docker token service: `{ token }` for the right Basic credentials, 401 otherwise. */
const tokenService: Handler = (req, res) =>
    req.headers.authorization === BASIC
        ? answer(
              200,
              { "Content-Type": "application/json" },
              JSON.stringify({ token: TOKEN }),
          )(req, res)
        : answer(401, {}, "")(req, res);

/** Streams spaces forever (64 KiB at a time, as fast as the client reads); counts what it wrote. */
function endless(status: number, headers: Headers, written: { bytes: number }): Handler {
    return (_req, res) => {
        res.writeHead(status, headers);
        const chunk = Buffer.alloc(64 * 1024, " ");
        const pump = () => {
            while (!res.destroyed) {
                written.bytes += chunk.length;
                if (!res.write(chunk)) {
                    return;
                }
            }
        };
        res.on("drain", pump);
        pump();
    };
}

/** Answers after `ms` milliseconds. */
function after(ms: number, then: Handler): Handler {
    return (req, res) => {
        const timer = setTimeout(() => then(req, res), ms);
        res.on("close", () => clearTimeout(timer));
    };
}

let dir: string;
let ca: TestCa;
/** The registry under test, plain HTTP and TLS; another origin of each kind (token services, redirects). */
let plain: LoopbackServer;
let tls: LoopbackServer;
let otherPlain: LoopbackServer;
let otherTls: LoopbackServer;

beforeAll(async () => {
    dir = tempDir("pull-check-hostile");
    ca = createTestCa(dir);
    [plain, tls, otherPlain, otherTls] = await Promise.all([
        startLoopback(),
        startLoopback(ca),
        startLoopback(),
        startLoopback(ca),
    ]);
});

afterAll(async () => {
    await Promise.all([plain, tls, otherPlain, otherTls].map((server) => server?.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
    for (const server of [plain, tls, otherPlain, otherTls]) {
        server.reset();
    }
});

const imageOf = (registry: LoopbackServer, ref = "team/hello:1.0.0") => `${registry.host}/${ref}`;

function check(registry: LoopbackServer, extra: Partial<PullCheckRequest> = {}) {
    return checkImagePull({
        registryUrl: registry.origin,
        image: imageOf(registry),
        username: USER,
        password: PASSWORD,
        caCertificates: ca.caPem,
        ...extra,
    });
}

/** `ok`, or the kind of failure. */
const kindOf = (result: PullCheckResult) => (result.ok ? "ok" : result.failure);

function failure(registry: LoopbackServer, kind: string, cause: string, ref?: string) {
    return {
        ok: false,
        failure: kind,
        message: `cannot pull ${imageOf(registry, ref)} from registry ${registry.origin}: ${cause}`,
    };
}

const MANIFEST_PATH = "/v2/team/hello/manifests/1.0.0";
const TOKEN_QUERY = "?service=registry&scope=repository%3Ateam%2Fhello%3Apull";

describe("credentials go over https, or to the registry's own origin only", () => {
    test.each<[string, () => LoopbackServer, () => LoopbackServer, string]>([
        ["an http registry to its own origin", () => plain, () => plain, "http"],
        ["an http registry to an https token service", () => plain, () => otherTls, "https"],
        [
            "an https registry to an https token service elsewhere",
            () => tls,
            () => otherTls,
            "https",
        ],
    ])("%s: the token realm gets the credentials", async (_case, registry, realm) => {
        registry().handle = (req, res) =>
            req.url?.startsWith("/token")
                ? tokenService(req, res)
                : bearerAuth(`Bearer realm="${realm().origin}/token",service="registry"`)(req, res);
        if (realm() !== registry()) {
            realm().handle = tokenService;
        }
        expect(await check(registry())).toEqual({ ok: true, digest: MANIFEST_DIGEST });
        expect(realm().requests.filter((r) => r.path.startsWith("/token"))).toEqual([
            { path: `/token${TOKEN_QUERY}`, authorization: BASIC },
        ]);
    });

    test.each<[string, () => LoopbackServer]>([
        ["an https registry", () => tls],
        ["an http registry", () => plain],
    ])(
        "%s with a plain-http token realm on another origin never sends it the credentials",
        async (_case, registry) => {
            registry().handle = bearerAuth(
                `Bearer realm="${otherPlain.origin}/token",service="registry"`,
            );
            otherPlain.handle = tokenService;
            expect(await check(registry())).toEqual(
                failure(
                    registry(),
                    "insecure-realm",
                    `refusing to send the credentials to the token realm ${otherPlain.origin}/token: plain http, and not the registry's own origin ${registry().origin}; a token service on another origin must use https`,
                ),
            );
            expect(otherPlain.requests).toEqual([]);
        },
    );

    test("an https registry's realm on the same host over http is another origin, refused", async () => {
        tls.handle = bearerAuth(`Bearer realm="http://${tls.host}/token"`);
        expect(kindOf(await check(tls))).toBe("insecure-realm");
        expect(tls.requests.map((r) => r.authorization)).toEqual([undefined]);
    });

    test("the first request carries no credentials; Basic goes only after a Basic challenge", async () => {
        plain.handle = basicAuth(manifest({ "Docker-Content-Digest": MANIFEST_DIGEST }));
        expect(await check(plain)).toEqual({ ok: true, digest: MANIFEST_DIGEST });
        expect(plain.requests).toEqual([
            { path: MANIFEST_PATH },
            { path: MANIFEST_PATH, authorization: BASIC },
        ]);
    });
});

describe("a malformed realm is refused with what is wrong, not reported unreachable", () => {
    test.each<[string, string, string, string]>([
        [
            "a data: realm",
            'Bearer realm="data:application/json,{\\"token\\":\\"x\\"}"',
            "malformed-realm",
            'the token realm "data:application/json,{\\"token\\":\\"x\\"}" is not an http or https URL; credentials go only over http(s)',
        ],
        [
            "a file: realm",
            'Bearer realm="file:///etc/passwd"',
            "malformed-realm",
            'the token realm "file:///etc/passwd" is not an http or https URL; credentials go only over http(s)',
        ],
        [
            "an ftp: realm",
            'Bearer realm="ftp://127.0.0.1/token"',
            "malformed-realm",
            'the token realm "ftp://127.0.0.1/token" is not an http or https URL; credentials go only over http(s)',
        ],
        [
            "a realm that is not a URL",
            'Bearer realm="token service"',
            "malformed-realm",
            'the token realm "token service" is not a URL',
        ],
        [
            "no realm",
            'Bearer service="registry"',
            "malformed-realm",
            "the Bearer challenge names no realm",
        ],
        [
            "a realm with user:password",
            'Bearer realm="https://someone:else@127.0.0.1/token"',
            "malformed-realm",
            "the token realm carries user:password of its own",
        ],
        [
            "an unterminated quoted string",
            'Bearer realm="https://127.0.0.1/token',
            "malformed-challenge",
            "the registry's WWW-Authenticate header does not parse (expected a closing quote (\") at character 38)",
        ],
        [
            "a scheme a pull cannot answer",
            "Negotiate, NTLM",
            "malformed-challenge",
            "the registry asks for negotiate, ntlm authentication; a pull answers only Basic or Bearer",
        ],
    ])("%s", async (_case, challenge, kind, cause) => {
        tls.handle = answer(401, { "WWW-Authenticate": challenge });
        expect(await check(tls)).toEqual(failure(tls, kind, cause));
        expect(tls.requests.map((r) => r.authorization)).toEqual([undefined]);
    });

    test("a 401 without any challenge", async () => {
        tls.handle = answer(401, {});
        expect(await check(tls)).toEqual(
            failure(
                tls,
                "malformed-challenge",
                "the registry answered HTTP 401 without a WWW-Authenticate challenge",
            ),
        );
    });
});

describe("challenges are parsed per RFC 7235 and Bearer is chosen", () => {
    test.each<[string, (realm: string) => string | string[], string]>([
        [
            "Basic and Bearer in one header",
            (realm) => `Basic realm="r", Bearer realm="${realm}",service="registry"`,
            TOKEN_QUERY,
        ],
        [
            "Basic and Bearer in two headers",
            (realm) => ['Basic realm="r"', `Bearer realm="${realm}", service=registry`],
            TOKEN_QUERY,
        ],
        [
            "quoted strings with escapes and commas",
            (realm) =>
                `Bearer realm="${realm}",service="svc \\"one\\", two",scope="repository:team/hello:pull"`,
            "?service=svc+%22one%22%2C+two&scope=repository%3Ateam%2Fhello%3Apull",
        ],
    ])("%s", async (_case, challenge, query) => {
        tls.handle = bearerAuth(challenge(`${otherTls.origin}/token`));
        otherTls.handle = tokenService;
        expect(await check(tls)).toEqual({ ok: true, digest: MANIFEST_DIGEST });
        expect(otherTls.requests).toEqual([{ path: `/token${query}`, authorization: BASIC }]);
        expect(tls.requests.map((r) => r.authorization)).toEqual([undefined, `Bearer ${TOKEN}`]);
    });
});

describe("answers are read up to a limit", () => {
    const written = { bytes: 0 };
    const padded = (bytes: number) => MANIFEST + " ".repeat(bytes - MANIFEST.length);
    const sha256 = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

    test.each<[string, (body: string) => Headers]>([
        ["with Content-Length", (body) => ({ "Content-Length": String(Buffer.byteLength(body)) })],
        ["chunked", () => ({ "Transfer-Encoding": "chunked" })],
    ])("a manifest of exactly 4 MiB passes, one byte more fails (%s)", async (_case, headers) => {
        const exact = padded(4 * MIB);
        plain.handle = manifest(headers(exact), exact);
        expect(await check(plain)).toEqual({ ok: true, digest: sha256(exact) });

        const over = padded(4 * MIB + 1);
        plain.handle = manifest(headers(over), over);
        expect(await check(plain)).toEqual(
            failure(
                plain,
                "body-too-large",
                "the registry answered with more than 4194304 bytes, the limit for a manifest",
            ),
        );
    });

    test.each<[string, () => Handler, string]>([
        [
            "an endless manifest",
            () => endless(200, { "Content-Type": OCI_MANIFEST }, written),
            "the registry answered with more than 4194304 bytes, the limit for a manifest",
        ],
        [
            "an endless token answer",
            () => {
                otherTls.handle = endless(200, { "Content-Type": "application/json" }, written);
                return bearerAuth(`Bearer realm="${otherTls.origin}/token"`);
            },
            "the token service OTHER/token answered with more than 4194304 bytes, the limit for a token answer",
        ],
        [
            "an endless error answer",
            () => endless(404, { "Content-Type": "application/json" }, written),
            "the registry answered with more than 65536 bytes, the limit for an error answer",
        ],
    ])("%s is cut off in bounded time and memory", async (_case, handler, cause) => {
        written.bytes = 0;
        tls.handle = handler();
        const started = Date.now();
        const result = await check(tls, { timeoutMs: 120000 });
        expect(result).toEqual(
            failure(tls, "body-too-large", cause.replace("OTHER", otherTls.origin)),
        );
        // The limit, not the 120 s deadline, ended it (the kind says so); loaded CI machines are slow.
        expect(Date.now() - started).toBeLessThan(30000);
        // What the server got out before the check hung up: the limit plus socket buffers, no more.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(written.bytes).toBeLessThan(32 * MIB);
    });
});

describe("one deadline for the whole check", () => {
    test("four redirects of 400 ms each time out at the 1000 ms limit of the whole check", async () => {
        plain.handle = (req, res) => {
            const hop = Number(/\/hop(\d)$/.exec(req.url ?? "")?.[1] ?? 0);
            after(400, hop === 4 ? manifest() : answer(307, { Location: `/hop${hop + 1}` }))(
                req,
                res,
            );
        };
        const started = Date.now();
        const result = await check(plain, { timeoutMs: 1000 });
        const elapsed = Date.now() - started;
        expect(result).toEqual(
            failure(plain, "timed-out", "the check did not finish within 1000 ms (timed out)"),
        );
        expect(elapsed).toBeGreaterThanOrEqual(950);
        expect(elapsed).toBeLessThan(3000);
    });

    test("a challenge, a token and a manifest of 400 ms each time out at the 1000 ms limit", async () => {
        plain.handle = after(400, (req, res) =>
            req.url?.startsWith("/token")
                ? tokenService(req, res)
                : bearerAuth(`Bearer realm="${plain.origin}/token"`)(req, res),
        );
        const started = Date.now();
        const result = await check(plain, { timeoutMs: 1000 });
        const elapsed = Date.now() - started;
        expect(result).toEqual(
            failure(plain, "timed-out", "the check did not finish within 1000 ms (timed out)"),
        );
        expect(elapsed).toBeGreaterThanOrEqual(950);
        expect(elapsed).toBeLessThan(3000);
        expect(plain.requests.map((r) => r.path.split("?")[0])).toEqual([
            MANIFEST_PATH,
            "/token",
            MANIFEST_PATH,
        ]);
    });

    test("a body that trickles in forever times out at the limit", async () => {
        plain.handle = (_req, res) => {
            res.writeHead(200, { "Content-Type": OCI_MANIFEST });
            const timer = setInterval(() => res.write(" "), 50);
            res.on("close", () => clearInterval(timer));
        };
        const started = Date.now();
        expect(kindOf(await check(plain, { timeoutMs: 1000 }))).toBe("timed-out");
        expect(Date.now() - started).toBeLessThan(3000);
    });

    test.each<[unknown, string]>([
        [0, "0"],
        [999, "999"],
        [120001, "120001"],
        [1e12, "1000000000000"],
        [1500.5, "1500.5"],
        [NaN, "null"],
        ["10000", '"10000"'],
    ])("timeoutMs %p is refused", async (timeoutMs, shown) => {
        await expect(check(plain, { timeoutMs: timeoutMs as number })).rejects.toThrow(
            `timeoutMs: got ${shown}; expected a whole number of milliseconds from 1000 to 120000, the limit for the whole check, e.g. 10000`,
        );
        expect(plain.requests).toEqual([]);
    });
});

describe("redirects are bounded and never carry credentials elsewhere", () => {
    test("an endless redirect loop stops after five", async () => {
        plain.handle = answer(302, { Location: MANIFEST_PATH });
        expect(await check(plain)).toEqual(
            failure(plain, "refused-redirect", "the registry redirected more than 5 times"),
        );
        expect(plain.requests).toHaveLength(6);
    });

    test("a redirect to another origin goes without the Authorization header; one on the same origin keeps it", async () => {
        plain.handle = basicAuth((req, res) =>
            req.url === MANIFEST_PATH
                ? answer(307, { Location: "/moved" })(req, res)
                : answer(307, { Location: `${otherPlain.origin}/blob` })(req, res),
        );
        otherPlain.handle = manifest();
        expect(await check(plain)).toEqual({ ok: true, digest: MANIFEST_DIGEST });
        expect(plain.requests).toEqual([
            { path: MANIFEST_PATH },
            { path: MANIFEST_PATH, authorization: BASIC },
            { path: "/moved", authorization: BASIC },
        ]);
        expect(otherPlain.requests).toEqual([{ path: "/blob" }]);
    });

    test.each<[string, () => string, string]>([
        [
            "from https to plain http",
            () => `${otherPlain.origin}/blob`,
            "the registry redirected from https to plain http (OTHER/blob)",
        ],
        [
            "to a file: URL",
            () => "file:///etc/passwd",
            "the registry redirected to a file: URL, not http or https",
        ],
    ])("a redirect %s is refused", async (_case, location, cause) => {
        tls.handle = answer(302, { Location: location() });
        expect(await check(tls)).toEqual(
            failure(tls, "refused-redirect", cause.replace("OTHER", otherPlain.origin)),
        );
        expect(otherPlain.requests).toEqual([]);
    });
});

describe("a success must be a manifest whose digest checks out", () => {
    test.each<[string, Handler, string, string]>([
        [
            "an HTML login page",
            answer(200, { "Content-Type": "text/html; charset=utf-8" }, "<html>Sign in</html>"),
            "not-a-manifest",
            'the registry answered with Content-Type "text/html; charset=utf-8", not an OCI or Docker v2 manifest or index',
        ],
        [
            "no content type",
            answer(200, {}, MANIFEST),
            "not-a-manifest",
            "the registry answered with no Content-Type, not an OCI or Docker v2 manifest or index",
        ],
        [
            "a manifest type over an HTML body",
            answer(200, { "Content-Type": OCI_MANIFEST }, "<html>Sign in</html>"),
            "not-a-manifest",
            `the registry answered ${OCI_MANIFEST} with a body that is not a schemaVersion 2 manifest`,
        ],
        [
            "a body declaring another media type",
            manifest({ "Content-Type": "application/vnd.oci.image.index.v1+json" }),
            "not-a-manifest",
            `the manifest declares mediaType "${OCI_MANIFEST}" but was served as application/vnd.oci.image.index.v1+json`,
        ],
        [
            "a digest header echoing the Authorization header",
            (req, res) =>
                manifest({ "Docker-Content-Digest": `sha256:${req.headers.authorization}` })(
                    req,
                    res,
                ),
            "malformed-digest",
            `the registry's Docker-Content-Digest "sha256:Basic <redacted>" is not a sha256:<64 hex digits> or sha512:<128 hex digits> digest`,
        ],
        [
            "a digest header of another manifest",
            manifest({ "Docker-Content-Digest": `sha256:${"a".repeat(64)}` }),
            "digest-mismatch",
            `the manifest hashes to ${MANIFEST_DIGEST}, not to sha256:${"a".repeat(64)} as the registry's Docker-Content-Digest says`,
        ],
        [
            "an upper-case digest header",
            manifest({ "Docker-Content-Digest": MANIFEST_DIGEST.toUpperCase() }),
            "malformed-digest",
            `the registry's Docker-Content-Digest "${MANIFEST_DIGEST.toUpperCase()}" is not a sha256:<64 hex digits> or sha512:<128 hex digits> digest`,
        ],
        [
            "two digest headers",
            manifest({ "Docker-Content-Digest": [MANIFEST_DIGEST, MANIFEST_DIGEST] }),
            "malformed-digest",
            "the registry sent several Docker-Content-Digest headers",
        ],
    ])("%s is refused", async (_case, handler, kind, cause) => {
        plain.handle = basicAuth(handler);
        expect(await check(plain)).toEqual(failure(plain, kind, cause));
    });

    const DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    const dockerManifest = MANIFEST.replace(OCI_MANIFEST, DOCKER_V2);
    test.each<[string, Handler, string]>([
        [
            "a sha256 digest header",
            manifest({ "Docker-Content-Digest": MANIFEST_DIGEST }),
            MANIFEST_DIGEST,
        ],
        [
            "a sha512 digest header",
            manifest({ "Docker-Content-Digest": MANIFEST_SHA512 }),
            MANIFEST_SHA512,
        ],
        ["no digest header", manifest(), MANIFEST_DIGEST],
        [
            "a Docker v2 manifest served with a charset parameter",
            manifest({ "Content-Type": `${DOCKER_V2}; charset=utf-8` }, dockerManifest),
            // sha256sum of MANIFEST with the Docker v2 media type
            "sha256:940a45dc73c7cb01caccb4608cfb29ac8ccc5c7983a48150420078e77b4874a2",
        ],
    ])("%s: the digest is the manifest's", async (_case, handler, digest) => {
        plain.handle = handler;
        expect(await check(plain)).toEqual({ ok: true, digest });
    });

    test("a pinned digest the manifest does not hash to is a mismatch", async () => {
        const pinned = `sha256:${"b".repeat(64)}`;
        plain.handle = manifest();
        expect(await check(plain, { image: imageOf(plain, `team/hello@${pinned}`) })).toEqual(
            failure(
                plain,
                "digest-mismatch",
                `the manifest hashes to ${MANIFEST_DIGEST}, not to the pinned ${pinned}`,
                `team/hello@${pinned}`,
            ),
        );
    });

    test("a pinned digest that is not sha256 or sha512 is refused before any request", async () => {
        await expect(
            check(plain, { image: imageOf(plain, `team/hello@sha256:${"c".repeat(32)}`) }),
        ).rejects.toThrow(
            "image: got " +
                JSON.stringify(imageOf(plain, `team/hello@sha256:${"c".repeat(32)}`)) +
                "; expected an image reference whose digest is sha256:<64 hex digits> or sha512:<128 hex digits>",
        );
        expect(plain.requests).toEqual([]);
    });
});

describe("errors are classified from what the server said, and its text is made safe", () => {
    test("error codes lose escapes and newlines and are cut short", async () => {
        const code = `\u001b[31mBOOM\u001b[0m\nINJECTED\r\n${"A".repeat(5000)}`;
        plain.handle = basicAuth(
            answer(500, { "Content-Type": "application/json" }, registryError(code)),
        );
        expect(await check(plain)).toEqual(
            failure(
                plain,
                "unexpected-response",
                `unexpected HTTP 500 BOOM INJECTED ${"A".repeat(23)}... from ${plain.origin}${MANIFEST_PATH}`,
            ),
        );
    });

    test("a 404 with malformed JSON is not NAME_UNKNOWN", async () => {
        plain.handle = basicAuth(
            answer(
                404,
                { "Content-Type": "application/json" },
                '{"errors":[{"code":"NAME_UNKNOWN"',
            ),
        );
        expect(await check(plain)).toEqual(
            failure(
                plain,
                "unexpected-response",
                `HTTP 404 without a registry error from ${plain.origin}${MANIFEST_PATH} (not a registry's v2 API?)`,
            ),
        );
    });

    test.each<[string, number, string, string]>([
        [
            "the tag list knows the repository",
            200,
            "{}",
            "tag 1.0.0 not found in repository team/hello (MANIFEST_UNKNOWN)",
        ],
        [
            "the tag list says NAME_UNKNOWN",
            404,
            registryError("NAME_UNKNOWN"),
            "repository team/hello not found (NAME_UNKNOWN)",
        ],
        [
            "the tag list's 404 is not a registry error",
            404,
            "not found",
            "tag 1.0.0 not found in repository team/hello (MANIFEST_UNKNOWN)",
        ],
    ])("MANIFEST_UNKNOWN where %s", async (_case, status, tagsBody, cause) => {
        plain.handle = basicAuth((req, res) =>
            req.url === MANIFEST_PATH
                ? answer(
                      404,
                      { "Content-Type": "application/json" },
                      registryError("MANIFEST_UNKNOWN"),
                  )(req, res)
                : answer(status, { "Content-Type": "application/json" }, tagsBody)(req, res),
        );
        expect(await check(plain)).toEqual(failure(plain, "image-not-found", cause));
        expect(plain.requests.map((r) => r.path)).toEqual([
            MANIFEST_PATH,
            MANIFEST_PATH,
            "/v2/team/hello/tags/list",
        ]);
    });

    test("a registry whose certificate a CA not passed signed is untrusted, not unreachable", async () => {
        tls.handle = manifest();
        expect(await check(tls, { caCertificates: undefined })).toEqual(
            failure(
                tls,
                "untrusted-certificate",
                "TLS certificate of the registry not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE); trust the CA that signed it with NODE_EXTRA_CA_CERTS (or checkImagePull's caCertificates)",
            ),
        );
        expect(await check(tls)).toEqual({ ok: true, digest: MANIFEST_DIGEST });
    });

    test("https to a plain-http server is unreachable (the TLS handshake fails)", async () => {
        const registry = { ...plain, origin: `https://${plain.host}` };
        expect(await check(registry)).toEqual(
            failure(registry, "unreachable", "registry unreachable (EPROTO)"),
        );
    });

    test("an answer that is not HTTP is a malformed answer", async () => {
        const raw = await startRawServer("SSH-2.0-OpenSSH_9.6\r\n\r\n");
        try {
            const registry = {
                ...plain,
                host: `127.0.0.1:${raw.port}`,
                origin: `http://127.0.0.1:${raw.port}`,
            };
            expect(await check(registry)).toEqual(
                failure(
                    registry,
                    "unexpected-response",
                    "malformed HTTP answer from the registry (HPE_INVALID_CONSTANT)",
                ),
            );
        } finally {
            await raw.stop();
        }
    });

    test("a body that breaks off is not unreachable", async () => {
        plain.handle = (_req, res) => {
            res.writeHead(200, { "Content-Type": OCI_MANIFEST, "Content-Length": "1000" });
            res.write(MANIFEST.slice(0, 10));
            setTimeout(() => res.destroy(), 20);
        };
        expect(kindOf(await check(plain))).toBe("unexpected-response");
    });
});

describe("caCertificates", () => {
    test.each<[string, string, string]>([
        ["text without a certificate", "not a certificate", '"not a certificate"'],
        [
            "a private key by mistake",
            "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n",
            "<redacted>",
        ],
        [
            "a certificate block that does not parse",
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
            '"-----BEGIN CERTIFICATE-----\\nbm90IGEgY2VydGlmaWNhdGU=\\n-----END CERTIFICATE-----\\n"',
        ],
    ])("%s is refused", async (_case, pem, shown) => {
        await expect(check(tls, { caCertificates: pem })).rejects.toThrow(
            `caCertificates: got ${shown}; expected PEM text of one or more CA certificates`,
        );
    });
});

describe("no credential in any failure message", () => {
    const echoes: Array<[string, () => void]> = [
        [
            "in error codes",
            () =>
                (plain.handle = basicAuth(
                    answer(500, {}, registryError(PASSWORD, USER_PASS, BASIC)),
                )),
        ],
        [
            "in a 401 after the credentials",
            () =>
                (plain.handle = basicAuth(
                    answer(401, {}, registryError(`bad password ${PASSWORD}`)),
                )),
        ],
        [
            "in a 404",
            () => (plain.handle = basicAuth(answer(404, {}, registryError(`no ${PASSWORD}`)))),
        ],
        [
            "in the content type",
            () =>
                (plain.handle = basicAuth(
                    answer(200, { "Content-Type": `text/${PASSWORD}` }, MANIFEST),
                )),
        ],
        [
            "in the digest header",
            () =>
                (plain.handle = basicAuth(
                    manifest({ "Docker-Content-Digest": `sha256:${PASSWORD}` }),
                )),
        ],
        [
            "in the manifest's media type",
            () =>
                (plain.handle = basicAuth(manifest({}, MANIFEST.replace(OCI_MANIFEST, PASSWORD)))),
        ],
        [
            "in the realm",
            () =>
                (plain.handle = bearerAuth(
                    `Bearer realm="${otherPlain.origin}/${PASSWORD}/${USER_PASS}"`,
                )),
        ],
        [
            "in a realm with another scheme",
            () => (plain.handle = bearerAuth(`Bearer realm="x-${PASSWORD}:${USER_PASS}"`)),
        ],
        [
            "in the challenge's scheme",
            () => (plain.handle = answer(401, { "WWW-Authenticate": `${PASSWORD}, ${USER_PASS}` })),
        ],
        [
            "in a redirect",
            () =>
                (plain.handle = basicAuth(
                    answer(302, { Location: `ftp://${PASSWORD}/${USER_PASS}` }),
                )),
        ],
        [
            "in the token service's answer",
            () => {
                plain.handle = (req, res) =>
                    req.url?.startsWith("/token")
                        ? answer(503, {}, registryError(PASSWORD))(req, res)
                        : bearerAuth(`Bearer realm="${plain.origin}/token/${PASSWORD}"`)(req, res);
            },
        ],
        [
            "the token echoed back",
            () => {
                plain.handle = (req, res) =>
                    req.url?.startsWith("/token")
                        ? tokenService(req, res)
                        : bearerAuth(`Bearer realm="${plain.origin}/token"`, (rq, rs) =>
                              answer(403, {}, registryError(`${rq.headers.authorization}`))(rq, rs),
                          )(req, res);
            },
        ],
    ];

    test.each(echoes)("a registry echoing the credentials %s", async (_case, hostile) => {
        hostile();
        const result = await check(plain);
        expect(result.ok).toBe(false);
        const message = (result as { message: string }).message;
        for (const secret of [PASSWORD, USER_PASS, TOKEN]) {
            expect(message).not.toContain(secret);
        }
    });
});
