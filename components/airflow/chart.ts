import type { ErrorObject } from "ajv";
import { readFileSync } from "fs";
import * as path from "path";
import { appendPath, invalidInput, isPlainObject, joinPath } from "../core";

/** The official Apache Airflow Helm chart, pinned in this one place. */
export const AIRFLOW_CHART = {
    repo: "https://airflow.apache.org",
    chart: "airflow",
    version: "1.19.0",
} as const;

/**
 * The Airflow version the pinned chart release defaults to (its `appVersion`). The chart's
 * `airflowVersion` and the image tag are set to it explicitly, so an image never depends on the
 * chart's own default.
 */
export const AIRFLOW_VERSION = "3.1.7";

/**
 * Ports of the chart's services that cross a namespace's NetworkPolicy (its `ports` values, defaults
 * of the 1.19.0 release: test/fixtures/airflow-chart/release-1.19.0-facts.json): the API server
 * (web UI and, in Airflow 3, the task execution API workers call), a worker's log server (the API
 * server reads running tasks' logs from it) and StatsD's ingest port (UDP).
 */
export const AIRFLOW_CHART_PORTS = {
    apiServer: 8080,
    workerLogs: 8793,
    statsdIngest: 9125,
} as const;

/** The `values.schema.json` of the pinned chart release, shipped beside this file (SOURCE.md). */
const SCHEMA_FILE = path.join(__dirname, "chart-values.schema.json");

/**
 * The validators of the chart's values, one per top-level key, compiled ahead of time by
 * `npm run schema` into `schema/airflow-chart-values.validate.js` (compiling the 650 kB schema takes
 * most of a second on every run otherwise). The schema's top level is an object of optional keys, so
 * checking each key given against its own validator is checking the document; V8 compiles only the
 * functions of the keys a document has.
 */
const VALIDATOR_FILE = path.join(__dirname, "../../schema/airflow-chart-values.validate.js");

/** A validator of ajv's standalone code, given where its data sits in the document. */
interface KeyValidator {
    (
        data: unknown,
        at: {
            instancePath: string;
            parentData: object;
            parentDataProperty: string;
            rootData: object;
        },
    ): boolean;
    errors?: ErrorObject[] | null;
}

let validators: Map<string, KeyValidator> | undefined;

/** Loads the chart's values validators on first use only: a platform may declare no Airflow at all. */
function chartValidators(): Map<string, KeyValidator> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- generated code, found at run time
    validators ??= new Map(Object.entries(require(VALIDATOR_FILE) as Record<string, KeyValidator>));
    return validators;
}

/** The chart's values schema (`bin/schema.ts` compiles its validators). */
export function chartSchema(): { properties: Record<string, unknown> } {
    return JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
}

/** One reason the chart would refuse (or silently ignore) a values document. */
export interface ChartValuesProblem {
    /** Dotted property path inside the values, e.g. `dags.persistence.bogus`. */
    path: string;
    message: string;
}

/**
 * Validates a Helm values document against the pinned chart's schema. The schema's top level is
 * open, but a top-level key the chart does not know is ignored by every template, so it is reported
 * too.
 */
export function chartValuesProblems(values: Record<string, unknown>): ChartValuesProblem[] {
    if (!isPlainObject(values)) {
        // The schema's top level is an object: what the validators of its keys cannot see.
        return [{ path: "", message: "must be object" }];
    }
    const validators = chartValidators();
    // Keys the chart does not know first, then what the validators of the known ones report, in
    // the schema's order of its keys (as one validator of the whole schema reports them).
    const problems: ChartValuesProblem[] = Object.keys(values)
        .filter((key) => !validators.has(key))
        .map((key) => ({
            path: joinPath("", key),
            message: "is not a value of the Airflow chart",
        }));
    for (const [key, validate] of validators) {
        if (
            Object.hasOwn(values, key) &&
            // The chart's keys are plain identifiers: none needs escaping in a JSON pointer.
            !validate(values[key], {
                instancePath: `/${key}`,
                parentData: values,
                parentDataProperty: key,
                rootData: values,
            })
        ) {
            problems.push(...(validate.errors ?? []).map(describeError));
        }
    }
    return problems;
}

function describeError(error: ErrorObject): ChartValuesProblem {
    const segments = error.instancePath
        .split("/")
        .slice(1)
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    let at = segments.reduce<string>((p, s) => joinPath(p, /^\d+$/.test(s) ? Number(s) : s), "");
    let message = error.message ?? "is invalid";
    if (error.keyword === "required") {
        at = joinPath(at, String(error.params.missingProperty));
        message = "is required by the Airflow chart here";
    } else if (error.keyword === "additionalProperties") {
        at = joinPath(at, String(error.params.additionalProperty));
        message = "is not a value of the Airflow chart";
    } else if (error.keyword === "enum") {
        message = `${message}: ${JSON.stringify(error.params.allowedValues)}`;
    }
    return { path: at, message };
}

/**
 * Throws an InputPropertyError for the first problem of a values document that `within` selects
 * (default: every problem). `root` is the argument the values came from (e.g. `values`), so the
 * error path reads `values.dags.persistence.bogus`.
 */
export function assertValidChartValues(
    values: Record<string, unknown>,
    root: string,
    within: (path: string) => boolean = () => true,
): void {
    const problem = chartValuesProblems(values).find((p) => within(p.path));
    if (problem) {
        invalidInput({
            path: appendPath(root, problem.path),
            given: valueAt(values, problem.path),
            expected: `a value the Airflow chart ${AIRFLOW_CHART.version} accepts (${problem.message})`,
            example: "values: { scheduler: { replicas: 2 } }",
        });
    }
}

function valueAt(values: unknown, at: string): unknown {
    const keys = at.match(/[^.[\]"]+/g) ?? [];
    return keys.reduce<unknown>(
        (v, k) => (v === undefined || v === null ? undefined : (v as Record<string, unknown>)[k]),
        values,
    );
}
