import { spawn } from "child_process";
import * as fs from "fs";
import type { IncomingMessage, ServerResponse } from "http";
import * as path from "path";
import {
    buildOciLayout,
    pushImage,
    requireTools,
    RunningRegistry,
    startRegistry,
    tempDir,
} from "./harness";
import { createTestCa, startLoopback, type LoopbackServer, type TestCa } from "./loopback";
import { nodeTs } from "../support/node-ts";

const USER = "pipelines";
const PASSWORD = "s3cret-update-pass";

/** Runs the update program in a child process (jest claims rejections from applies in-process). */
function runUpdate(
    env: Record<string, string>,
): Promise<{ status: number | null; stdout: string }> {
    return new Promise((resolve) => {
        const child = spawn(...nodeTs(path.join(__dirname, "programs/pull-check-update.ts")), {
            env: { ...process.env, ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        child.stdout.on("data", (d) => (stdout += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), 60000);
        child.on("exit", (status) => {
            clearTimeout(timer);
            resolve({ status, stdout });
        });
    });
}

describe("RegistrySecret pull check during pulumi up, against docker-registry", () => {
    let dir: string;
    let registry: RunningRegistry;
    let pushed: string;
    let image: string;

    beforeAll(async () => {
        requireTools();
        dir = tempDir("registry-secret-update");
        registry = await startRegistry(dir, { htpasswd: { users: { [USER]: PASSWORD } } });
        image = `${registry.host}/team/hello:1.0.0`;
        pushed = await pushImage(
            buildOciLayout(dir, "1.0.0"),
            "1.0.0",
            image,
            `${USER}:${PASSWORD}`,
            dir,
        );
    });

    afterAll(async () => {
        await registry?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("good credentials pass and record the pushed digest as a plain output", async () => {
        const result = await runUpdate({
            REGISTRY_URL: registry.url,
            REGISTRY_USER: USER,
            REGISTRY_PASSWORD: PASSWORD,
            TEST_PULL_IMAGE: image,
        });
        expect(result.stdout).toBe(
            `run succeeded: digest ${pushed}; secret outputs []; registered e2e,e2e-secret-team-a\n`,
        );
        expect(result.status).toBe(0);
    });

    test("a wrong password fails the update before the Secret is written, naming registry, image and cause", async () => {
        const result = await runUpdate({
            REGISTRY_URL: registry.url,
            REGISTRY_USER: USER,
            REGISTRY_PASSWORD: "wrong-password",
            TEST_PULL_IMAGE: image,
        });
        // The engine may report the rejection through the component's outputs first; the cause is the same.
        const cause = `testPullImage: cannot pull ${image} from registry ${registry.url}: credentials rejected (HTTP 401 UNAUTHORIZED) for user "${USER}"`;
        expect(result.stdout.startsWith("run failed: ")).toBe(true);
        expect(result.stdout.endsWith(`${cause}; registered before failing: e2e\n`)).toBe(true);
        expect(result.stdout).not.toContain("wrong-password");
        expect(result.status).toBe(3);
    });
});

describe("RegistrySecret pull check during pulumi up, against loopback registries", () => {
    const MANIFEST =
        '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":2},"layers":[]}';
    /** `sha256sum` of MANIFEST. */
    const MANIFEST_DIGEST =
        "sha256:eca47388aeb57cdb4e288371a26475427d7a1920b4bfd0e7fbe6be4cbb97968f";
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
    let dir: string;
    let ca: TestCa;
    let tls: LoopbackServer;

    /** Asks for Basic credentials, then serves the manifest with `digest` as Docker-Content-Digest. */
    const serve =
        (digest: (authorization: string) => string) =>
        (req: IncomingMessage, res: ServerResponse) => {
            if (req.headers.authorization !== basic) {
                res.writeHead(401, { "WWW-Authenticate": 'Basic realm="test"' });
                res.end();
                return;
            }
            res.writeHead(200, {
                "Content-Type": "application/vnd.oci.image.manifest.v1+json",
                "Docker-Content-Digest": digest(req.headers.authorization),
            });
            res.end(MANIFEST);
        };

    beforeAll(async () => {
        dir = tempDir("registry-secret-update-tls");
        ca = createTestCa(dir);
        fs.writeFileSync(path.join(dir, "ca.pem"), ca.caPem);
        tls = await startLoopback(ca);
    });

    afterAll(async () => {
        await tls?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const env = () => ({
        REGISTRY_URL: tls.origin,
        REGISTRY_USER: USER,
        REGISTRY_PASSWORD: PASSWORD,
        TEST_PULL_IMAGE: `${tls.host}/team/hello:1.0.0`,
        NODE_EXTRA_CA_CERTS: path.join(dir, "ca.pem"),
    });

    test("a registry whose certificate a private CA signed passes with NODE_EXTRA_CA_CERTS", async () => {
        tls.handle = serve(() => MANIFEST_DIGEST);
        const result = await runUpdate(env());
        expect(result.stdout).toBe(
            `run succeeded: digest ${MANIFEST_DIGEST}; secret outputs []; registered e2e,e2e-secret-team-a\n`,
        );
        expect(result.status).toBe(0);
    });

    test("a registry echoing the credentials as the digest fails the update; testPullDigest never gets them", async () => {
        tls.handle = serve((authorization) => `sha256:${authorization}`);
        const result = await runUpdate(env());
        const cause = `testPullImage: cannot pull ${tls.host}/team/hello:1.0.0 from registry ${tls.origin}: the registry's Docker-Content-Digest "sha256:Basic <redacted>" is not a sha256:<64 hex digits> or sha512:<128 hex digits> digest`;
        expect(result.stdout.startsWith("run failed: ")).toBe(true);
        expect(result.stdout.endsWith(`${cause}; registered before failing: e2e\n`)).toBe(true);
        expect(result.stdout).not.toContain(PASSWORD);
        expect(result.stdout).not.toContain(basic.slice("Basic ".length));
        expect(result.status).toBe(3);
    });
});
