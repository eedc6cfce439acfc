import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
    buildOciLayout,
    pushImage,
    requireTools,
    RunningRegistry,
    startRegistry,
    tempDir,
} from "./harness";

const USER = "pipelines";
const PASSWORD = "s3cret-update-pass";

/** Runs the update program in a child process (jest claims rejections from applies in-process). */
function runUpdate(
    env: Record<string, string>,
): Promise<{ status: number | null; stdout: string }> {
    const tsx = path.join(__dirname, "../../node_modules/.bin/tsx");
    return new Promise((resolve) => {
        const child = spawn(tsx, [path.join(__dirname, "programs/pull-check-update.ts")], {
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
