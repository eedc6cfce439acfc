import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderStack, StackConfigError } from "../../bin/render";
import { ProgramError, runProgram } from "../../components/testing";
import { BAD, CASES } from "./cases";

/** Rows that call a helper function rather than declare a component. */
const HELPERS = new Set(["selectDomainSuffix", "pipelineHostname"]);

/** Runs a case's program; returns the error it failed with and what was registered. */
async function failure(program: () => unknown) {
    const outcome = await runProgram(program).then(
        () => undefined,
        (err: unknown) => err,
    );
    if (!(outcome instanceof ProgramError)) {
        throw new Error(
            `expected the program to fail with an input error, got ${outcome === undefined ? "success" : String(outcome)}`,
        );
    }
    return { cause: outcome.cause, registered: outcome.registrations };
}

describe("bad-input catalog", () => {
    // SECURITY.md states this count: a row removed must fail here, a row added raises the floor.
    test("holds at least 506 cases, each titled once per component", () => {
        expect(CASES.length).toBeGreaterThanOrEqual(506);
        const titles = CASES.map((c) => `${c.component}: ${c.title}`);
        expect(new Set(titles).size).toBe(titles.length);
    });

    test.each(CASES.map((c) => [`${c.component} rejects ${c.title}`, c] as const))(
        "%s",
        async (_title, c) => {
            const { cause, registered } = await failure(c.program);
            expect(pulumi.InputPropertyError.isInstance(cause)).toBe(true);
            const error = cause as pulumi.InputPropertyError;
            expect(error.propertyPath).toBe(c.path);
            // A component names its instance; a helper function has none to name.
            const label = HELPERS.has(c.component)
                ? ""
                : `${c.label ?? `${c.component} "${BAD}"`}: `;
            expect(error.reason.startsWith(`${label}${c.path || "(args)"}: `)).toBe(true);
            expect(error.reason).toContain(c.says);
            if (c.example !== undefined) {
                expect(error.reason).toContain(`, e.g. ${c.example}`);
            }
            // No credential in any message: every credential the catalog plants (passwords, keys,
            // secure config values, URL userinfo, chart values) contains "sentinel".
            expect(`${error.reason}\n${error.message}`.toLowerCase()).not.toContain("sentinel");
            // Nothing is registered, not even the failing component; only what a valid earlier part declared.
            expect(registered.map((r) => r.name)).toEqual(c.before ?? []);
        },
    );
});

/** Committed stack files with one value broken, rendered as `render --stack` would. */
const STACK_FILE_CASES: Array<{
    stack: string;
    from: string;
    to: string;
    path: string;
    says: string;
    example?: string;
}> = [
    {
        stack: "dev",
        from: "url: http://registry.localhost:5000/platform",
        to: "url: registry.localhost:5000/platform",
        path: "pipeline-platform:platform.registries[0].url",
        says: "must start with http:// or https://",
        example: "https://registry.example.com:5000/team",
    },
    {
        stack: "dev",
        from: "bucket: pipelines",
        to: "bucket: Pipelines",
        path: "pipeline-platform:platform.storage.storages.default.bucket",
        says: "a bucket name that",
        example: "acme-pipelines-prod",
    },
    {
        stack: "staging",
        from: "refreshInterval: 6h",
        to: "refreshInterval: 13h",
        path: "pipeline-platform:platform.registries[0].refreshInterval",
        says: "shorter than the token's lifetime of 12h",
        example: "6h",
    },
    {
        stack: "dev",
        from: "startupTimeoutSeconds: 600",
        to: "startupTimeoutSecond: 600",
        path: "pipeline-platform:platform.airflow.runConfig.startupTimeoutSecond",
        says: "unknown key; did you mean startupTimeoutSeconds?",
    },
    {
        stack: "dev",
        from: "        extensions:",
        to: "        extentions:",
        path: "pipeline-platform:platform.extentions",
        says: "unknown key; did you mean extensions?",
    },
    {
        stack: "dev",
        from: "              username: platform",
        to: "              usrname: platform",
        path: "pipeline-platform:platform.registries[0].usrname",
        says: "unknown key; did you mean username?",
    },
    {
        stack: "dev",
        from: "                    endpoint: http://minio.minio.svc:9000",
        to: "                    endpont: http://minio.minio.svc:9000",
        path: "pipeline-platform:platform.storage.storages.default.endpont",
        says: "unknown key; did you mean endpoint?",
    },
    {
        stack: "dev",
        from: "                accessModes: [ReadWriteOnce]",
        to: "                accesModes: [ReadWriteOnce]",
        path: "pipeline-platform:platform.airflow.dags.accesModes",
        says: "unknown key; did you mean accessModes?",
    },
    {
        stack: "dev",
        from: "            imaging:\n                labels:",
        to: "            Imaging:\n                labels:",
        path: "pipeline-platform:platform.projects.Imaging",
        says: 'got key "Imaging"; expected a DNS-1123 label',
        example: "imaging",
    },
    {
        stack: "dev",
        from: "              installer:",
        to: "              instaler:",
        path: "pipeline-platform:platform.extensions[0].instaler",
        says: "unknown key; did you mean installer?",
    },
    {
        stack: "dev",
        from: "url: http://registry.localhost:5000/platform",
        to: "url: http://platform:stack-sentinel-password@registry.localhost:5000/platform",
        path: "pipeline-platform:platform.registries[0].url",
        says: 'got "http://<redacted>@registry.localhost:5000/platform"',
        example: "https://registry.example.com:5000/team",
    },
    {
        stack: "dev",
        from: "passwordConfigKey: registryPassword",
        to: "passwordConfigKey: registryPasword",
        path: "pipeline-platform:platform.registries[0].passwordConfigKey",
        says: "did you mean registryPassword?",
        example: "registryPassword",
    },
];

describe("bad values in a stack file", () => {
    const root = path.join(__dirname, "../..");
    let tmp: string;
    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bad-stack-"));
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    test.each(STACK_FILE_CASES.map((c) => [`${c.stack}: ${c.to}`, c] as const))(
        "render refuses %s, naming the config path",
        async (_title, c) => {
            const original = fs.readFileSync(
                path.join(root, "stacks", `Pulumi.${c.stack}.yaml`),
                "utf8",
            );
            expect(original).toContain(c.from);
            const stackFile = path.join(tmp, `Pulumi.${c.stack}.yaml`);
            fs.writeFileSync(stackFile, original.replace(c.from, c.to));
            const error = await renderStack({ stack: c.stack, root, stackFile }).then(
                () => undefined,
                (err: unknown) => err,
            );
            expect(error).toBeInstanceOf(StackConfigError);
            expect((error as StackConfigError).path).toBe(c.path);
            expect((error as StackConfigError).message).toContain(c.says);
            expect((error as StackConfigError).message).not.toContain("sentinel");
            if (c.example !== undefined) {
                expect((error as StackConfigError).message).toContain(`, e.g. ${c.example}`);
            }
        },
        60000,
    );
});
