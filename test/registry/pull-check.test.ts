import * as fs from "fs";
import { checkImagePull } from "../../components/registry";
import {
    buildOciLayout,
    createTokenIssuer,
    freePort,
    inspectDigest,
    pushImage,
    requireTools,
    RunningRegistry,
    RunningServer,
    startRegistry,
    startSilentServer,
    startTokenServer,
    tempDir,
    TokenServer,
} from "./harness";
import { createTestCa, type TestCa } from "./loopback";

const USERS = { pipelines: "s3cret-pull-pass" };
const GOOD = { username: "pipelines", password: USERS.pipelines };

describe("pull check against docker-registry with htpasswd auth", () => {
    let dir: string;
    let registry: RunningRegistry;
    let pushed: string;

    beforeAll(async () => {
        requireTools();
        dir = tempDir("pull-check-htpasswd");
        const layout = buildOciLayout(dir, "1.0.0");
        registry = await startRegistry(dir, { htpasswd: { users: USERS } });
        pushed = await pushImage(
            layout,
            "1.0.0",
            `${registry.host}/team/hello:1.0.0`,
            `${GOOD.username}:${GOOD.password}`,
            dir,
        );
    });

    afterAll(async () => {
        await registry?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("good credentials resolve the image to the digest skopeo pushed", async () => {
        const image = `${registry.host}/team/hello:1.0.0`;
        const result = await checkImagePull({ registryUrl: registry.url, image, ...GOOD });
        expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(await inspectDigest(image, `${GOOD.username}:${GOOD.password}`)).toBe(pushed);
        expect(result).toEqual({ ok: true, digest: pushed });
    });

    test("a digest reference resolves to the same digest", async () => {
        const result = await checkImagePull({
            registryUrl: registry.url,
            image: `${registry.host}/team/hello@${pushed}`,
            ...GOOD,
        });
        expect(result).toEqual({ ok: true, digest: pushed });
    });

    test.each([
        ["a wrong password", "pipelines", "wrong-password"],
        ["an unknown user", "nobody", USERS.pipelines],
    ])("%s is reported as rejected credentials", async (_case, username, password) => {
        const image = `${registry.host}/team/hello:1.0.0`;
        const result = await checkImagePull({
            registryUrl: registry.url,
            image,
            username,
            password,
        });
        expect(result).toEqual({
            ok: false,
            failure: "credentials-rejected",
            message: `cannot pull ${image} from registry ${registry.url}: credentials rejected (HTTP 401 UNAUTHORIZED) for user ${JSON.stringify(username)}`,
        });
        expect(JSON.stringify(result)).not.toContain(password);
    });

    test.each([
        [
            "a missing repository",
            "team/absent:1.0.0",
            "repository team/absent not found (NAME_UNKNOWN)",
        ],
        [
            "a missing tag",
            "team/hello:9.9.9",
            "tag 9.9.9 not found in repository team/hello (MANIFEST_UNKNOWN)",
        ],
        [
            "a missing digest",
            `team/hello@sha256:${"0".repeat(64)}`,
            `digest sha256:${"0".repeat(64)} not found in repository team/hello (MANIFEST_UNKNOWN)`,
        ],
    ])("%s is reported as image not found", async (_case, repoRef, cause) => {
        const image = `${registry.host}/${repoRef}`;
        const result = await checkImagePull({ registryUrl: registry.url, image, ...GOOD });
        expect(result).toEqual({
            ok: false,
            failure: "image-not-found",
            message: `cannot pull ${image} from registry ${registry.url}: ${cause}`,
        });
    });
});

describe("pull check against docker-registry with token auth (Bearer challenge, https token service)", () => {
    let dir: string;
    let ca: TestCa;
    let tokens: TokenServer;
    let registry: RunningRegistry;
    let pushed: string;

    beforeAll(async () => {
        requireTools();
        dir = tempDir("pull-check-token");
        const issuer = createTokenIssuer(dir);
        ca = createTestCa(dir);
        tokens = await startTokenServer(issuer, USERS, ca);
        registry = await startRegistry(dir, {
            token: {
                realm: tokens.realm,
                service: issuer.service,
                issuer: issuer.issuer,
                certFile: issuer.certFile,
            },
        });
        const layout = buildOciLayout(dir, "1.0.0");
        pushed = await pushImage(
            layout,
            "1.0.0",
            `${registry.host}/team/hello:1.0.0`,
            `${GOOD.username}:${GOOD.password}`,
            dir,
        );
    });

    afterAll(async () => {
        await registry?.stop();
        await tokens?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("good credentials get a pull token from the realm and resolve the digest", async () => {
        tokens.requests.length = 0;
        const result = await checkImagePull({
            registryUrl: registry.url,
            image: `${registry.host}/team/hello:1.0.0`,
            ...GOOD,
            caCertificates: ca.caPem,
        });
        expect(result).toEqual({ ok: true, digest: pushed });
        expect(tokens.requests).toEqual([
            {
                service: "pull-check-test-registry",
                scope: "repository:team/hello:pull",
                user: "pipelines",
            },
        ]);
    });

    test("a wrong password is rejected by the token service", async () => {
        const image = `${registry.host}/team/hello:1.0.0`;
        const result = await checkImagePull({
            registryUrl: registry.url,
            image,
            username: "pipelines",
            password: "wrong-password",
            caCertificates: ca.caPem,
        });
        expect(result).toEqual({
            ok: false,
            failure: "credentials-rejected",
            message: `cannot pull ${image} from registry ${registry.url}: credentials rejected by the token service ${tokens.realm} (HTTP 401)`,
        });
    });

    test("a missing tag behind a token is reported as image not found", async () => {
        const image = `${registry.host}/team/hello:2.0.0`;
        const result = await checkImagePull({
            registryUrl: registry.url,
            image,
            ...GOOD,
            caCertificates: ca.caPem,
        });
        expect(result).toEqual({
            ok: false,
            failure: "image-not-found",
            message: `cannot pull ${image} from registry ${registry.url}: tag 2.0.0 not found in repository team/hello (MANIFEST_UNKNOWN)`,
        });
    });
});

describe("pull check against registries that do not answer", () => {
    let silent: RunningServer;

    beforeAll(async () => {
        silent = await startSilentServer();
    });

    afterAll(async () => {
        await silent?.stop();
    });

    test("nothing listening on the port is reported as unreachable", async () => {
        const port = await freePort();
        const image = `127.0.0.1:${port}/team/hello:1.0.0`;
        const result = await checkImagePull({
            registryUrl: `http://127.0.0.1:${port}`,
            image,
            ...GOOD,
        });
        expect(result).toEqual({
            ok: false,
            failure: "unreachable",
            message: `cannot pull ${image} from registry http://127.0.0.1:${port}: registry unreachable (ECONNREFUSED)`,
        });
    });

    test("a server that accepts the connection and never answers times out in bounded time", async () => {
        const image = `127.0.0.1:${silent.port}/team/hello:1.0.0`;
        const started = Date.now();
        const result = await checkImagePull({
            registryUrl: `http://127.0.0.1:${silent.port}`,
            image,
            ...GOOD,
            timeoutMs: 1500,
        });
        const elapsed = Date.now() - started;
        expect(result).toEqual({
            ok: false,
            failure: "timed-out",
            message: `cannot pull ${image} from registry http://127.0.0.1:${silent.port}: the check did not finish within 1500 ms (timed out)`,
        });
        expect(elapsed).toBeGreaterThanOrEqual(1400);
        expect(elapsed).toBeLessThan(5000);
    });
});
