import * as pulumi from "@pulumi/pulumi";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { DagInstallerChart, type DagInstallerChartArgs } from "../../components/dags";
import { releaseNameFor, valuesProblems } from "../../components/dags/dag-installer-chart";
import {
    assertValidManifests,
    ProgramError,
    runProgram,
    type Registration,
} from "../../components/testing";

const installerImage = { imageName: "registry.example.com:5000/team/dag-otsus-method:1.0.0" };
const base: DagInstallerChartArgs = {
    image: installerImage,
    namespace: "services",
    imagePullSecrets: ["registry-service"],
    dagsClaimName: "airflow-dags",
};
const labels = {
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "pipeline-platform",
    "app.kubernetes.io/component": "dags",
};
const relative = (p: string) => path.relative(process.cwd(), p);

function run(args: DagInstallerChartArgs) {
    return runProgram(
        () => {
            const chart = new DagInstallerChart("otsus-method", args);
            return { releaseName: chart.releaseName, chartVersion: chart.chartVersion };
        },
        { preview: false },
    );
}

function release(registrations: Registration[]): Registration {
    const found = registrations.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    expect(found).toHaveLength(1);
    return found[0];
}

describe("DagInstallerChart", () => {
    let tmp: string;
    beforeAll(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dag-installer-"));
    });
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    test("installs the bundled chart pinned to its version, waiting for the copy Job", async () => {
        const result = await run({
            ...base,
            pluginsClaimName: "airflow-plugins",
            env: { KAAPANA_BUILD_VERSION: "0.3.0" },
        });
        expect(result.registrations.map((r) => [r.type, r.name])).toEqual([
            ["pipeline-platform:dags:DagInstallerChart", "otsus-method"],
            ["kubernetes:helm.sh/v3:Release", "otsus-method-release"],
        ]);
        const rel = release(result.registrations);
        expect(rel.parent).toBe(result.registrations[0].urn);
        expect(rel.inputs).toEqual({
            name: "otsus-method",
            namespace: "services",
            chart: "./" + relative(path.join(__dirname, "../../components/dags/chart")),
            version: "0.1.0",
            waitForJobs: true,
            maxHistory: 5,
            compat: "true",
            values: {
                image: "registry.example.com:5000/team/dag-otsus-method:1.0.0",
                action: "copy",
                imagePullSecrets: [{ name: "registry-service" }],
                dagsClaimName: "airflow-dags",
                pluginsClaimName: "airflow-plugins",
                mountedScriptsClaimName: "",
                backoffLimit: 0,
                labels,
                env: { KAAPANA_BUILD_VERSION: "0.3.0" },
            },
        });
        expect(valuesProblems(rel.inputs.values)).toEqual([]);
        expect(result.outputs).toEqual({ releaseName: "otsus-method", chartVersion: "0.1.0" });
        await assertValidManifests(result.registrations);
    });

    test.each(["copy", "remove", "prefetch"] as const)(
        "computes values the chart schema accepts for action %s",
        async (action) => {
            const result = await run({
                ...base,
                action,
                dagsClaimName: action === "prefetch" ? undefined : "airflow-dags",
            });
            const values = release(result.registrations).inputs.values;
            expect(values.action).toBe(action);
            expect(valuesProblems(values)).toEqual([]);
        },
    );

    test("takes the image name from an Output, such as a ProcessingImage's", async () => {
        const result = await run({
            ...base,
            image: { imageName: pulumi.output("registry.example.com/dag-x:2.0.0") },
        });
        expect(release(result.registrations).inputs.values.image).toBe(
            "registry.example.com/dag-x:2.0.0",
        );
    });

    test("installs a user's chart folder pinned to the version in its Chart.yaml", async () => {
        const chart = relative(path.join(__dirname, "../fixtures/dags/extension-chart"));
        const result = await run({ ...base, chart, values: { global: { action: "copy" } } });
        const rel = release(result.registrations);
        expect([rel.inputs.chart, rel.inputs.version]).toEqual(["./" + chart, "1.0.0"]);
        expect(rel.inputs.values.global).toEqual({ action: "copy" });
    });

    test("installs a packaged .tgz pinned to the version in its file name", async () => {
        const tgz = path.join(tmp, "otsus-method-workflow-1.2.3.tgz");
        fs.writeFileSync(tgz, zlib.gzipSync(Buffer.from("chart")));
        const result = await run({ ...base, chart: tgz });
        expect(release(result.registrations).inputs.version).toBe("1.2.3");
    });

    test("two evaluations register identical inputs", async () => {
        const first = await run(base);
        const second = await run(base);
        expect(second.registrations.map((r) => r.inputs)).toEqual(
            first.registrations.map((r) => r.inputs),
        );
    });

    test("keeps short release names and hashes long ones to 40 characters", () => {
        expect(releaseNameFor("otsus-method")).toBe("otsus-method");
        const long = releaseNameFor("a-very-long-workflow-extension-name-for-otsus-method");
        expect(long).toMatch(/^a-very-long-workflow-extension-n-[0-9a-f]{7}$/);
        expect(long.length).toBeLessThanOrEqual(40);
    });

    const notAChart = path.join(__dirname, "../fixtures/images/context");
    test.each([
        [
            "an action outside copy, remove, prefetch",
            () => ({ action: "delete" as never }),
            "action",
            /one of copy, remove, prefetch/,
        ],
        [
            "a chart path that does not exist",
            () => ({ chart: "charts/missing" }),
            "chart",
            /exists \(looked for .*charts\/missing\)/,
        ],
        [
            "a chart folder without Chart.yaml",
            () => ({ chart: notAChart }),
            "chart",
            /with a Chart\.yaml/,
        ],
        [
            "a file that is not a packaged chart",
            () => ({ chart: path.join(notAChart, "Dockerfile") }),
            "chart",
            /packaged chart \(\.tgz/,
        ],
        [
            "a .tgz without a version",
            () => {
                const tgz = path.join(tmp, "chart.tgz");
                fs.writeFileSync(tgz, zlib.gzipSync(Buffer.from("chart")));
                return { chart: tgz };
            },
            "chartVersion",
            /semver version/,
        ],
        [
            "an installer image reference with a protocol",
            () => ({ image: { imageName: "https://registry.example.com/dag-x:1.0.0" } }),
            "image.imageName",
            /must not carry a protocol/,
        ],
        [
            "a copy without a DAG claim",
            () => ({ dagsClaimName: undefined }),
            "dagsClaimName",
            /DAG PersistentVolumeClaim/,
        ],
        [
            "an upper-case pull secret",
            () => ({ imagePullSecrets: ["Registry"] }),
            "imagePullSecrets[0]",
            /Kubernetes object name/,
        ],
        ["ACTION in env", () => ({ env: { ACTION: "remove" } }), "env.ACTION", /other than ACTION/],
        [
            "a release name over 40 characters",
            () => ({ releaseName: "x".repeat(41) }),
            "releaseName",
            /at most 40/,
        ],
    ])("rejects %s before registering anything", async (_label, override, propertyPath, reason) => {
        const error = await run({ ...base, ...override() }).catch((e) => e);
        expect(error).toBeInstanceOf(ProgramError);
        expect(error.cause.propertyPath).toBe(propertyPath);
        expect(error.message).toMatch(reason);
        expect(error.registrations).toEqual([]);
    });

    // jest claims unhandled rejections, so the apply-time check runs in a child process.
    test("fails the run when an Output image name carries a protocol", () => {
        const tsx = path.join(__dirname, "../../node_modules/.bin/tsx");
        const result = spawnSync(
            tsx,
            [path.join(__dirname, "programs/installer-image-protocol.ts")],
            { encoding: "utf8", timeout: 60000 },
        );
        expect(result.stdout).toMatch(
            /^run failed: error serializing property "values": image\.imageName: got "https:\/\/registry\.example\.com\/dag-x:1\.0\.0"; expected an image reference: must not carry a protocol/,
        );
        expect(result.status).toBe(3);
    });
});
