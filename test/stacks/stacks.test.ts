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
