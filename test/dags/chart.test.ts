import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { dagInstallerValues, valuesProblems } from "../../components/dags/dag-installer-chart";

// No helm binary here: the templates are not rendered. These tests check the chart's metadata, that
// the computed values pass values.schema.json (as Helm would check them), and that the templates only
// read values the schema defines.
const chartDir = path.join(__dirname, "../../components/dags/chart");
const schema = JSON.parse(fs.readFileSync(path.join(chartDir, "values.schema.json"), "utf8"));
const defaults = YAML.parse(fs.readFileSync(path.join(chartDir, "values.yaml"), "utf8"));
const templates = fs.readdirSync(path.join(chartDir, "templates")).sort();
const templateText = (file: string) =>
    fs.readFileSync(path.join(chartDir, "templates", file), "utf8");

const computed = dagInstallerValues({
    image: "registry.example.com:5000/team/dag-otsus-method:1.0.0",
    action: "copy",
    imagePullSecrets: ["registry-service"],
    dagsClaimName: "airflow-dags",
    pluginsClaimName: "",
    mountedScriptsClaimName: "",
    backoffLimit: 0,
    env: {},
});

describe("the bundled dag-installer chart", () => {
    test("is named dag-installer with a pinned semver version", () => {
        const chart = YAML.parse(fs.readFileSync(path.join(chartDir, "Chart.yaml"), "utf8"));
        expect([chart.apiVersion, chart.name, chart.version]).toEqual([
            "v2",
            "dag-installer",
            "0.1.0",
        ]);
    });

    test("ships a draft-07 values schema", () => {
        expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
        expect(() =>
            new Ajv({ strict: true, allowMatchingProperties: true }).compile(schema),
        ).not.toThrow();
    });

    test("accepts the computed values, alone and over the chart defaults", () => {
        expect(valuesProblems(computed)).toEqual([]);
        expect(valuesProblems({ ...defaults, ...computed })).toEqual([]);
    });

    test("rejects the chart defaults alone: image and DAG claim must be set", () => {
        expect(valuesProblems(defaults)).toEqual(
            expect.arrayContaining([
                '/image must match pattern "' + schema.properties.image.pattern + '"',
            ]),
        );
    });

    test.each([
        [
            "an action outside copy, remove, prefetch",
            { action: "delete" },
            "/action must be equal to one of the allowed values",
        ],
        [
            "an image with a protocol",
            { image: "https://registry.example.com/dag-otsus-method:1.0.0" },
            "/image must match pattern",
        ],
        [
            "an image without tag or digest",
            { image: "registry.example.com/dag-otsus-method" },
            "/image must match pattern",
        ],
        ["an empty DAG claim for copy", { dagsClaimName: "" }, "/dagsClaimName must match pattern"],
        [
            "an upper-case pull secret",
            { imagePullSecrets: [{ name: "Registry" }] },
            "/imagePullSecrets/0/name must match pattern",
        ],
        ["ACTION in env", { env: { ACTION: "remove" } }, "/env must NOT be valid"],
        ["an unknown key", { imageTag: "0.0.0" }, "/ must NOT have additional properties"],
        ["a negative backoffLimit", { backoffLimit: -1 }, "/backoffLimit must be >= 0"],
    ])("rejects %s", (_label, override, problem) => {
        expect(
            valuesProblems({ ...computed, ...override }).some((p) => p.startsWith(problem)),
        ).toBe(true);
    });

    test("accepts prefetch without a DAG claim", () => {
        expect(valuesProblems({ ...computed, action: "prefetch", dagsClaimName: "" })).toEqual([]);
    });

    test("has the copy Job, the pre-delete remove hook and the prefetch Deployment", () => {
        expect(templates).toEqual([
            "_helpers.tpl",
            "delete-hook.yaml",
            "job.yaml",
            "prefetch-deployment.yaml",
        ]);
        expect(templateText("job.yaml")).toMatch(/kind: Job[\s\S]*"action" \.Values\.action/);
        expect(templateText("delete-hook.yaml")).toMatch(
            /if eq \.Values\.action "copy"[\s\S]*kind: Job[\s\S]*"helm\.sh\/hook": pre-delete[\s\S]*"action" "remove"/,
        );
        expect(templateText("prefetch-deployment.yaml")).toMatch(
            /if eq \.Values\.action "prefetch"[\s\S]*kind: Deployment[\s\S]*"action" "prefetch"/,
        );
    });

    test("mounts DAGs and plugins where Kaapana installer images write, with a hardened pod", () => {
        const helpers = templateText("_helpers.tpl");
        for (const line of [
            "mountPath: /kaapana/mounted/workflows/dags",
            "mountPath: /kaapana/mounted/workflows/plugins",
            "claimName: {{ $v.dagsClaimName | quote }}",
            "claimName: {{ $v.pluginsClaimName | quote }}",
            "- name: ACTION",
            "runAsNonRoot: true",
            "type: RuntimeDefault",
            "allowPrivilegeEscalation: false",
            'drop: ["ALL"]',
            "imagePullSecrets:",
        ]) {
            expect(helpers).toContain(line);
        }
    });

    test("templates read only values the schema defines, and every defined value is read", () => {
        const read = new Set<string>();
        for (const file of templates) {
            for (const match of templateText(file).matchAll(/(?:\.Values|\$v)\.([A-Za-z]+)/g)) {
                read.add(match[1]);
            }
        }
        expect([...read].sort()).toEqual(Object.keys(schema.properties).sort());
        expect(Object.keys(defaults).sort()).toEqual(Object.keys(schema.properties).sort());
    });
});
