import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderStack, StackConfigError } from "../../bin/render";
import { cli } from "../../bin/render/cli";
import { renderedStack } from "../support/evaluations";

const root = path.join(__dirname, "../..");
const STACKS = ["dev", "staging", "prod"];

describe.each(STACKS)("stack %s", (stack) => {
    test("renders valid objects, and the render is committed as a snapshot", async () => {
        const result = await renderedStack(stack);
        expect(result.problems).toEqual([]);
        // A pull request that changes infrastructure changes this snapshot: reviewers without cloud
        // access see the tree, every manifest and every Helm value set in the diff.
        expect(result.files).toMatchSnapshot();
    });
});

describe.each([
    ["staging", ["imaging", "analytics"]],
    ["prod", ["imaging", "analytics", "partner"]],
])("stack %s: tenants fenced, Airflow's logs without a key", (stack, projects) => {
    let files: Record<string, string>;
    beforeAll(async () => {
        files = (await renderStack({ stack, root })).files;
    }, 60000);

    test.each(projects)(
        "the %s namespace has a default-deny NetworkPolicy, a ResourceQuota and a LimitRange",
        (namespace) => {
            for (const object of [
                "networkpolicy.fence-default-deny",
                "networkpolicy.fence-allow-dns",
                "resourcequota.fence-quota",
                "limitrange.fence-limits",
            ]) {
                expect(Object.keys(files)).toContain(`manifests/${namespace}/${object}.yaml`);
            }
        },
    );

    test("no access key, HMAC key or connection Secret serves Airflow's logs; its service accounts carry the identity", () => {
        const names = Object.keys(files);
        expect(names.filter((n) => /accessKey|hmacKey|iam_user/.test(n) && /logs/.test(n))).toEqual(
            [],
        );
        expect(names.filter((n) => /secret\.(airflow-conn|koalja-s3-logs)/.test(n))).toEqual([]);
        expect(files["releases/pipeline-services/platform-airflow.yaml"]).toMatch(
            stack === "staging"
                ? /eks\.amazonaws\.com\/role-arn: arn:aws:iam::123456789012:role\//
                : /iam\.gke\.io\/gcp-service-account: /,
        );
    });
});

describe("render on a broken stack file", () => {
    let dir: string;
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-bad-"));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    const broken = () => {
        const file = path.join(dir, "Pulumi.dev.yaml");
        fs.writeFileSync(
            file,
            fs
                .readFileSync(path.join(root, "stacks/Pulumi.dev.yaml"), "utf8")
                .replace(
                    "url: http://registry.localhost:5000/platform",
                    "url: registry.localhost:5000/platform",
                ),
        );
        return file;
    };

    test("reports the config path of a registry URL without protocol", async () => {
        await expect(renderStack({ stack: "dev", root, stackFile: broken() })).rejects.toEqual(
            new StackConfigError(
                'PipelinePlatform "platform": pipeline-platform:platform.registries[0].url: got "registry.localhost:5000/platform"; expected a registry URL: must start with http:// or https:// (image references carry no protocol, the registry URL must), e.g. https://registry.example.com:5000/team',
            ),
        );
    });

    test("the command exits 2, names the config path and writes nothing", async () => {
        const stderr: string[] = [];
        const code = await cli(
            [
                "render",
                "--stack",
                "dev",
                "--root",
                root,
                "--stack-file",
                broken(),
                "--out",
                path.join(dir, "out"),
            ],
            { log: () => undefined, error: (text) => stderr.push(text) },
        );
        expect(code).toBe(2);
        expect(stderr.at(-1)).toBe(
            'render: invalid config for stack dev: PipelinePlatform "platform": pipeline-platform:platform.registries[0].url: got "registry.localhost:5000/platform"; expected a registry URL: must start with http:// or https:// (image references carry no protocol, the registry URL must), e.g. https://registry.example.com:5000/team',
        );
        expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
    });
});
