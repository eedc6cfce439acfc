import * as fs from "fs";
import * as path from "path";
import { AIRFLOW_GUARDED_VALUES } from "../../components/airflow";
import { hasUrlUserinfo } from "../../components/core";
import { DAG_INSTALLER_GUARDED_VALUES } from "../../components/dags";

type Schema = { properties?: Record<string, Schema>; $ref?: string; [key: string]: unknown };

/** Whether a dotted values path is a property the schema describes, following local `$ref`s. */
function described(schema: Schema, dotted: string): boolean {
    const resolve = (node: Schema): Schema =>
        node.$ref
            ? resolve(
                  node.$ref
                      .replace(/^#\//, "")
                      .split("/")
                      .reduce<Schema>((at, key) => at[key] as Schema, schema),
              )
            : node;
    let node: Schema | undefined = schema;
    for (const key of dotted.split(".")) {
        node = node && resolve(node).properties?.[key];
    }
    return node !== undefined;
}

const readSchema = (file: string): Schema =>
    JSON.parse(fs.readFileSync(path.join(__dirname, "../..", file), "utf8"));

describe("guarded chart values", () => {
    test("the Airflow chart's guarded paths are exactly these", () => {
        expect(AIRFLOW_GUARDED_VALUES.map((g) => g.path)).toEqual([
            "multiNamespaceMode",
            "fernetKey",
            "fernetKeySecretName",
            "webserverSecretKey",
            "webserverSecretKeySecretName",
            "apiSecretKey",
            "apiSecretKeySecretName",
            "jwtSecret",
            "jwtSecretName",
            "webserver.defaultUser",
            "data.metadataConnection",
            "data.metadataSecretName",
            "postgresql.enabled",
            "postgresql.auth",
            "extraSecrets",
            "migrateDatabaseJob.useHelmHooks",
            "createUserJob.useHelmHooks",
            "workers.serviceAccount.name",
            "scheduler.serviceAccount.name",
            "dags.persistence.existingClaim",
        ]);
    });

    test("the dag-installer chart's guarded paths are exactly these", () => {
        expect(DAG_INSTALLER_GUARDED_VALUES.map((g) => g.path)).toEqual([
            "image",
            "action",
            "imagePullSecrets",
            "dagsClaimName",
            "pluginsClaimName",
            "mountedScriptsClaimName",
            "backoffLimit",
            "env",
            "labels",
        ]);
    });

    test.each<[string, readonly { path: string }[], string]>([
        ["Airflow", AIRFLOW_GUARDED_VALUES, "components/airflow/chart-values.schema.json"],
        ["dag-installer", DAG_INSTALLER_GUARDED_VALUES, "components/dags/chart/values.schema.json"],
    ])(
        "every guarded %s path is a value of the chart's values.schema.json",
        (_chart, guarded, file) => {
            const schema = readSchema(file);
            expect(guarded.filter((g) => !described(schema, g.path)).map((g) => g.path)).toEqual(
                [],
            );
            // The check itself: a path the schema lacks is found.
            expect(described(schema, "multiNamespaceModes")).toBe(false);
        },
    );

    test("every guard names why and the alternative, and credentials' values are redacted", () => {
        for (const guard of [...AIRFLOW_GUARDED_VALUES, ...DAG_INSTALLER_GUARDED_VALUES]) {
            expect([guard.why.length > 10, guard.instead.length > 5, guard.example !== ""]).toEqual(
                [true, true, true],
            );
        }
        expect(AIRFLOW_GUARDED_VALUES.filter((g) => g.secret === true).map((g) => g.path)).toEqual([
            "fernetKey",
            "webserverSecretKey",
            "apiSecretKey",
            "jwtSecret",
            "webserver.defaultUser",
            "data.metadataConnection",
            "postgresql.auth",
            "extraSecrets",
        ]);
    });
});

describe("hasUrlUserinfo", () => {
    test.each<[string, boolean]>([
        ["postgresql://u:pw@db/airflow", true],
        ["https://ghp_token@github.com/org/dags.git", true],
        ["- name: X\n  value: redis://:pw@redis:6379/0\n", true],
        ["s3://pipeline-logs/airflow/logs", false],
        ["https://registry.example.com/team/hello@sha256:abc", false],
        ["registry.example.com/team/hello:1.0.0", false],
        ["user@example.com", false],
        ["http://minio.storage:9000", false],
    ])("%j: %s", (text, expected) => {
        expect(hasUrlUserinfo(text)).toBe(expected);
    });
});
