/**
 * `npm run schema`: generates the JSON Schemas of the public args types from their TypeScript
 * declarations and TSDoc, so the shape check and the stack-file schema never drift from the types.
 *
 * - `schema/args.schema.json`: every args type and everything it refers to, read at run time by
 *   `components/core/shape.ts`.
 * - `schema/stack-config.schema.json`: a `Pulumi.<stack>.yaml` file of this project, for editors
 *   (`# yaml-language-server: $schema=…`) and the stack-file tests.
 * - `schema/airflow-chart-values.validate.js`: the Airflow chart's values validator, compiled by ajv
 *   ahead of time (`components/airflow/chart.ts`).
 *
 * `npm run schema -- --check` writes nothing and exits 1 when a committed file is out of date.
 */
import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone";
import addFormats from "ajv-formats";
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";
import {
    AnnotatedType,
    AnyType,
    createFormatter,
    createParser,
    createProgram,
    DEFAULT_CONFIG,
    SchemaGenerator,
    type BaseType,
    type CompletedConfig,
    type Context,
    type MutableParser,
    type NodeParser,
    type SubNodeParser,
} from "ts-json-schema-generator";

import { chartSchema } from "../components/airflow/chart";

const ROOT = path.resolve(__dirname, "..");
const OUT = path.join(ROOT, "schema");

/** The types users pass to components, and the stack config. */
export const ROOTS = [
    "RegistrySecretArgs",
    "ProcessingImageArgs",
    "DagInstallerChartArgs",
    "WorkflowExtensionArgs",
    "ContourIngressArgs",
    "PipelineIngressArgs",
    "KoaljaDomainConfigArgs",
    "S3StorageArgs",
    "AirflowDeploymentArgs",
    "PlatformMonitoringArgs",
    "ProjectFenceArgs",
    "WorkloadIdentityArgs",
    "PipelinePlatformArgs",
    "PlatformConfig",
];

/** `pulumi.Input<T>` and `pulumi.Output<T>`: T, marked as taking an Output that is checked once known. */
class PulumiInputParser implements SubNodeParser {
    constructor(private readonly child: NodeParser) {}

    supportsNode(node: ts.Node): boolean {
        return (
            ts.isTypeReferenceNode(node) &&
            /^(pulumi\.)?(Input|Output)$/.test(node.typeName.getText())
        );
    }

    createType(node: ts.TypeReferenceNode, context: Context): BaseType {
        const inner = this.child.createType(
            (node.typeArguments as ts.NodeArray<ts.TypeNode>)[0],
            context,
        );
        return new AnnotatedType(inner, { "x-pulumi-input": true }, false);
    }
}

/** A component class (a `ProcessingImage`, an `S3Storage`): accepted by identity, not by shape. */
class ResourceParser implements SubNodeParser {
    constructor(private readonly checker: ts.TypeChecker) {}

    supportsNode(node: ts.Node): boolean {
        return (
            ts.isTypeReferenceNode(node) && isResourceClass(this.checker.getTypeAtLocation(node))
        );
    }

    createType(node: ts.TypeReferenceNode): BaseType {
        return new AnnotatedType(new AnyType(), { "x-resource": node.typeName.getText() }, false);
    }
}

function isResourceClass(type: ts.Type): boolean {
    const seen = new Set<ts.Type>();
    const queue = [type];
    while (queue.length > 0) {
        const current = queue.pop() as ts.Type;
        if (seen.has(current)) {
            continue;
        }
        seen.add(current);
        const declaration = current.getSymbol()?.declarations?.[0];
        const file = declaration?.getSourceFile().fileName ?? "";
        if (
            ["Resource", "ComponentResource", "CustomResource"].includes(
                current.getSymbol()?.name ?? "",
            ) &&
            file.includes("@pulumi/pulumi")
        ) {
            return true;
        }
        if (current.isClass()) {
            queue.push(...(current.getBaseTypes() ?? []));
        }
    }
    return false;
}

interface Definitions {
    [name: string]: Record<string, unknown>;
}

function generate(): { args: unknown; stack: unknown } {
    const config: CompletedConfig = {
        ...DEFAULT_CONFIG,
        path: path.join(ROOT, "components/index.ts"),
        tsconfig: path.join(ROOT, "tsconfig.json"),
        type: ROOTS,
        skipTypeCheck: true,
        jsDoc: "extended",
        markdownDescription: false,
        extraTags: ["secret"],
        sortProps: false,
        encodeRefs: false,
    };
    const program = createProgram(config);
    const checker = program.getTypeChecker();
    const parser = createParser(program, config, (mutable: MutableParser) => {
        mutable.addNodeParser(new PulumiInputParser(mutable as unknown as NodeParser));
        mutable.addNodeParser(new ResourceParser(checker));
    });
    const generator = new SchemaGenerator(program, parser, createFormatter(config), config);
    const schema = generator.createSchema(config.type) as { definitions: Definitions };
    const definitions = sortKeys(schema.definitions);
    const args = {
        $schema: "http://json-schema.org/draft-07/schema#",
        $comment: "Generated by `npm run schema` from the args types in components/; do not edit.",
        definitions,
    };
    return { args, stack: stackSchema(definitions) };
}

/** A `Pulumi.<stack>.yaml` of this project: the platform key, secure keys, provider settings. */
function stackSchema(definitions: Definitions): unknown {
    const used = reachable(definitions, "PlatformConfig");
    return {
        $schema: "http://json-schema.org/draft-07/schema#",
        $comment: "Generated by `npm run schema` from PlatformConfig; do not edit.",
        title: "pipeline-platform stack settings (Pulumi.<stack>.yaml)",
        type: "object",
        properties: {
            config: {
                type: "object",
                description:
                    "The stack's configuration: `pipeline-platform:platform`, secure keys named by `…ConfigKey` fields, and provider settings.",
                properties: {
                    "pipeline-platform:platform": {
                        $ref: "#/definitions/PlatformConfig",
                        description: "The whole platform (PlatformConfig).",
                    },
                },
                patternProperties: {
                    "^pipeline-platform:(?!platform$)[A-Za-z][A-Za-z0-9_-]*$": {
                        description:
                            "A secure value named by a `…ConfigKey` field; set it with `pulumi config set --secret <key> <value>`.",
                        type: "object",
                        properties: { secure: { type: "string" } },
                        required: ["secure"],
                        additionalProperties: false,
                    },
                    "^(kubernetes|aws|gcp|random|docker):[A-Za-z][A-Za-z0-9_-]*$": {
                        description:
                            "A provider setting, e.g. `kubernetes:context` or `aws:region`.",
                    },
                },
                required: ["pipeline-platform:platform"],
                additionalProperties: false,
            },
            encryptionsalt: { type: "string" },
            secretsprovider: { type: "string" },
            encryptedkey: { type: "string" },
        },
        additionalProperties: false,
        definitions: Object.fromEntries(
            used.map((name) => [name, stripMarkers(definitions[name])]),
        ),
    };
}

/** The definitions `root` refers to, directly or through others, sorted. */
function reachable(definitions: Definitions, root: string): string[] {
    const found = new Set<string>();
    const visit = (name: string) => {
        if (found.has(name)) {
            return;
        }
        found.add(name);
        for (const ref of JSON.stringify(definitions[name]).matchAll(
            /"#\/definitions\/([^"]+)"/g,
        )) {
            visit(ref[1]);
        }
    };
    visit(root);
    return [...found].sort();
}

/** Editors and ajv read plain JSON Schema: the run-time markers go. */
function stripMarkers(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(stripMarkers);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([key]) => !key.startsWith("x-") && key !== "secret")
                .map(([key, v]) => [key, stripMarkers(v)]),
        );
    }
    return value;
}

function sortKeys(definitions: Definitions): Definitions {
    return Object.fromEntries(
        Object.keys(definitions)
            .sort()
            .map((name) => [name, definitions[name]]),
    );
}

function text(value: unknown): string {
    return `${JSON.stringify(value, null, 2)}\n`;
}

function main(): void {
    const check = process.argv.includes("--check");
    const { args, stack } = generate();
    const files = {
        "args.schema.json": text(args),
        "stack-config.schema.json": text(stack),
        "airflow-chart-values.validate.js": `${chartValidatorSource()}\n`,
    };
    const stale = Object.entries(files).filter(([file, content]) => {
        const target = path.join(OUT, file);
        return !fs.existsSync(target) || fs.readFileSync(target, "utf8") !== content;
    });
    if (check) {
        if (stale.length > 0) {
            console.error(
                `schema: ${stale.map(([f]) => `schema/${f}`).join(", ")} out of date; run npm run schema`,
            );
            process.exitCode = 1;
        }
        return;
    }
    fs.mkdirSync(OUT, { recursive: true });
    for (const [file, content] of stale) {
        fs.writeFileSync(path.join(OUT, file), content);
        console.log(`schema: wrote schema/${file}`);
    }
}

/** The chart schema's id inside the generator's ajv instance. */
const CHART_SCHEMA_ID = "airflow-chart-values";

/**
 * The source of the Airflow chart's values validators: ajv's standalone code for the chart schema
 * (draft-07, with the Kubernetes `int32`/`int64`/`date-time` formats), every error reported, one
 * exported validator per top-level key (the chart's top level is an object of optional keys) and one
 * function per definition, so that a document's first check compiles only the code its keys reach.
 * Generated here so that a run loads the compiled validators only, never ajv's compiler.
 */
export function chartValidatorSource(): string {
    const ajv = new Ajv({
        strict: false,
        allErrors: true,
        inlineRefs: false,
        code: { source: true },
    });
    addFormats(ajv);
    const schema = chartSchema();
    ajv.addSchema(schema, CHART_SCHEMA_ID);
    const keys = Object.keys(schema.properties);
    return standaloneCode(
        ajv,
        Object.fromEntries(keys.map((key) => [key, `${CHART_SCHEMA_ID}#/properties/${key}`])),
    );
}

if (require.main === module) {
    main();
}

export { generate };
