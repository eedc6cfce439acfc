import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { chartValidatorSource, generate } from "../../bin/schema";
import { FORMATS } from "../../components/core";
import { cachedBy } from "../support/cached";
import { filesUnder } from "../support/files";

const root = path.join(__dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(root, "schema", file), "utf8");

// The generator builds a TypeScript program of the package and its SDKs' declarations (seconds), and
// ajv compiles the chart schema: both are computed again whenever one of their inputs changes (the
// package's sources, the generator, the compiler options, the locked dependency versions).
const GENERATOR_INPUTS = [
    ...filesUnder(path.join(root, "components")).map((f) => path.join(root, "components", f)),
    path.join(root, "bin/schema.ts"),
    path.join(root, "tsconfig.json"),
    path.join(root, "package-lock.json"),
];
const VALIDATOR_INPUTS = [
    path.join(root, "components/airflow/chart-values.schema.json"),
    path.join(root, "bin/schema.ts"),
    path.join(root, "package-lock.json"),
];

describe("the generated schemas", () => {
    test("are what `npm run schema` generates from the args types today", () => {
        const { args, stack } = cachedBy("schema", GENERATOR_INPUTS, generate);
        expect(JSON.parse(read("args.schema.json"))).toEqual(args);
        expect(JSON.parse(read("stack-config.schema.json"))).toEqual(stack);
    }, 60000);

    test("include the Airflow chart's values validator as ajv compiles it from the chart schema today", () => {
        const source = cachedBy("chart-validator", VALIDATOR_INPUTS, chartValidatorSource);
        expect(read("airflow-chart-values.validate.js")).toBe(`${source}\n`);
    }, 60000);
});

describe("the stack-file schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const [name, format] of Object.entries(FORMATS)) {
        ajv.addFormat(name, (value: string) => format.problems(value).length === 0);
    }
    const validate = ajv.compile(JSON.parse(read("stack-config.schema.json")));
    const stacks = fs
        .readdirSync(path.join(root, "stacks"))
        .filter((file) => /^Pulumi\..+\.yaml$/.test(file));

    test.each(stacks)("accepts the committed %s", (file) => {
        const settings = YAML.parse(fs.readFileSync(path.join(root, "stacks", file), "utf8"));
        validate(settings);
        expect(validate.errors ?? []).toEqual([]);
    });

    test("refuses a misspelt key in a stack file, as an editor would mark it", () => {
        const settings = YAML.parse(
            fs.readFileSync(path.join(root, "stacks", "Pulumi.dev.yaml"), "utf8"),
        );
        settings.config["pipeline-platform:platform"].extentions = [];
        expect(validate(settings)).toBe(false);
        expect(validate.errors?.map((e) => [e.instancePath, e.params])).toContainEqual([
            "/config/pipeline-platform:platform",
            { additionalProperty: "extentions" },
        ]);
    });
});
