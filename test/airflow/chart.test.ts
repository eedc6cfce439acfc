import Ajv, { type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import { readFileSync } from "fs";
import * as path from "path";
import { parse } from "yaml";
import { AIRFLOW_CHART, AIRFLOW_VERSION, chartValuesProblems } from "../../components/airflow";
import { joinPath } from "../../components/core";

const fixtures = path.join(__dirname, "../fixtures/airflow-chart");

describe("the pinned Airflow chart", () => {
    test("pins chart 1.19.0 from the Apache repository and Airflow 3.0.5, the version its schema defaults to", () => {
        const schema = JSON.parse(readFileSync(path.join(fixtures, "values.schema.json"), "utf8"));
        expect(AIRFLOW_CHART).toEqual({
            repo: "https://airflow.apache.org",
            chart: "airflow",
            version: "1.19.0",
        });
        expect([
            schema.properties.airflowVersion.default,
            schema.properties.defaultAirflowTag.default,
        ]).toEqual([AIRFLOW_VERSION, AIRFLOW_VERSION]);
    });

    test("the component ships the same schema as the test fixture", () => {
        const shipped = readFileSync(
            path.join(__dirname, "../../components/airflow/chart-values.schema.json"),
        );
        expect(shipped.equals(readFileSync(path.join(fixtures, "values.schema.json")))).toBe(true);
    });

    test("the chart's own values.yaml validates", () => {
        expect(
            chartValuesProblems(parse(readFileSync(path.join(fixtures, "values.yaml"), "utf8"))),
        ).toEqual([]);
    });

    test.each<[string, Record<string, unknown>, Array<{ path: string; message: string }>]>([
        [
            "an unknown nested key",
            { dags: { persistence: { bogus: true } } },
            [{ path: "dags.persistence.bogus", message: "is not a value of the Airflow chart" }],
        ],
        [
            "an unknown top-level key",
            { bogus: 1 },
            [{ path: "bogus", message: "is not a value of the Airflow chart" }],
        ],
        [
            "a wrong type inside an array",
            { workers: { extraVolumes: [{ name: 3 }] } },
            [{ path: "workers.extraVolumes[0].name", message: "must be string" }],
        ],
        [
            "a value outside its enum",
            { dags: { persistence: { accessMode: "ReadWriteAll" } } },
            [
                {
                    path: "dags.persistence.accessMode",
                    message:
                        'must be equal to one of the allowed values: ["ReadWriteOnce","ReadOnlyMany","ReadWriteMany"]',
                },
            ],
        ],
        [
            "an executor that is not an executor class name",
            { executor: "kubernetes" },
            [
                {
                    path: "executor",
                    message:
                        'must match pattern "^(([a-zA-Z_][a-zA-Z0-9_]*.)*[A-Z][a-zA-Z0-9]+Executor)(,(([a-zA-Z_][a-zA-Z0-9_]*.)*[A-Z][a-zA-Z0-9]+Executor))*$"',
                },
            ],
        ],
    ])("reports %s with its path", (_case, values, problems) => {
        expect(chartValuesProblems(values)).toEqual(problems);
    });

    test("accepts an empty values document", () => {
        expect(chartValuesProblems({})).toEqual([]);
    });

    test.each<[string, unknown]>([
        ["a list", []],
        ["a number", 5],
        ["null", null],
    ])("reports a document that is %s, not an object", (_case, values) => {
        expect(chartValuesProblems(values as Record<string, unknown>)).toEqual([
            { path: "", message: "must be object" },
        ]);
    });

    test("reports what ajv reports when it compiles the whole schema at once", () => {
        // The shipped validators are split per top-level key; a document with errors under several
        // keys, nested and in arrays, must get the same problems as from one validator of the schema.
        const ajv = new Ajv({ strict: false, allErrors: true });
        addFormats(ajv);
        const schema = JSON.parse(readFileSync(path.join(fixtures, "values.schema.json"), "utf8"));
        const whole = ajv.compile(schema);
        const broken = {
            executor: "kubernetes",
            workers: { replicas: "two", extraVolumes: [{ name: 3 }, { name: "ok", bogus: true }] },
            dags: { persistence: { accessMode: "ReadWriteAll", size: 5 } },
            scheduler: { podDisruptionBudget: { config: { maxUnavailable: [] } } },
        };
        // The broken keys first and in the reverse of the schema's order: problems follow the
        // schema's order, as one validator of the whole schema reports them.
        const order = Object.keys(schema.properties).filter((key) => key in broken);
        const values: Record<string, unknown> = Object.assign(
            Object.fromEntries([...order].reverse().map((key) => [key, null])),
            parse(readFileSync(path.join(fixtures, "values.yaml"), "utf8")),
            broken,
        );
        expect(Object.keys(values).slice(0, order.length)).toEqual([...order].reverse());
        whole(values);
        // The error's position as chartValuesProblems names it: a dotted path, the missing or
        // unknown property last.
        const expected = (whole.errors ?? []).map(({ instancePath, params }: ErrorObject) => {
            const at = instancePath
                .split("/")
                .slice(1)
                .reduce<string>((p, s) => joinPath(p, /^\d+$/.test(s) ? Number(s) : s), "");
            const property = params.missingProperty ?? params.additionalProperty;
            return property === undefined ? at : joinPath(at, String(property));
        });
        // In the same order too: the first one is what a refusal names.
        expect(expected.length).toBeGreaterThan(5);
        expect(chartValuesProblems(values).map((p) => p.path)).toEqual(expected);
    });
});
