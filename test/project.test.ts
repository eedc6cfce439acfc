import Ajv from "ajv/dist/2020";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

const root = path.join(__dirname, "..");
const schema = JSON.parse(
    fs.readFileSync(
        path.join(__dirname, "fixtures/pulumi-project/pulumi-project.schema.json"),
        "utf8",
    ),
);

function projectFiles(): string[] {
    const examples = path.join(root, "examples");
    const found = [path.join(root, "Pulumi.yaml")];
    if (fs.existsSync(examples)) {
        for (const dir of fs.readdirSync(examples)) {
            const file = path.join(examples, dir, "Pulumi.yaml");
            if (fs.existsSync(file)) {
                found.push(file);
            }
        }
    }
    return found;
}

describe("Pulumi project files", () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

    test.each(projectFiles().map((f) => [path.relative(root, f), f]))(
        "%s is valid against the Pulumi project schema",
        (_rel, file) => {
            const project = YAML.parse(fs.readFileSync(file, "utf8"));
            const ok = validate(project);
            expect(validate.errors ?? []).toEqual([]);
            expect(ok).toBe(true);
        },
    );

    test("the schema rejects a project without a runtime, so the check can fail", () => {
        expect(validate({ name: "x" })).toBe(false);
    });

    test("the root project runs the stacks folder and keeps stack files beside it", () => {
        const project = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
        expect([project.main, project.stackConfigDir]).toEqual(["stacks/", "stacks"]);
    });
});
