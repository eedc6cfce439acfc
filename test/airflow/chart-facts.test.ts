import Ajv from "ajv";
import { readFileSync } from "fs";
import * as path from "path";
import {
    AIRFLOW_CHART_PORTS,
    AIRFLOW_COMPONENTS,
    planAirflowDeployment,
} from "../../components/airflow";

/** What the 1.19.0 chart release says about service accounts, ports and `env` (SOURCE.md). */
const facts = JSON.parse(
    readFileSync(
        path.join(__dirname, "../fixtures/airflow-chart/release-1.19.0-facts.json"),
        "utf8",
    ),
);
const ajv = new Ajv({ strict: false, allErrors: true });

describe("the Airflow chart 1.19.0 facts", () => {
    test("the components whose service accounts are named and annotated are the chart's five", () => {
        expect(Object.keys(AIRFLOW_COMPONENTS).sort()).toEqual(
            Object.keys(facts.serviceAccounts).sort(),
        );
    });

    test("the ports the fences open are the chart's defaults", () => {
        expect(AIRFLOW_CHART_PORTS).toEqual({
            apiServer: facts.ports.apiServer.default,
            workerLogs: facts.ports.workerLogs.default,
            statsdIngest: facts.ports.statsdIngest.default,
        });
    });

    test("the service-account values and the keyless connection validate against the release's schema", () => {
        const values = planAirflowDeployment("airflow", {
            namespace: "pipeline-services",
            database: { bundled: true },
            projectNamespaces: ["imaging"],
            logs: {
                bucket: "pipeline-platform-staging-logs",
                region: "eu-central-1",
                workloadIdentity: {
                    provider: "aws",
                    oidcProviderArn:
                        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC",
                    roleName: "airflow-logs",
                },
            },
        }).plan.values.computed;
        for (const [component, schema] of Object.entries(facts.serviceAccounts)) {
            const serviceAccount = (values[component] as { serviceAccount: unknown })
                .serviceAccount;
            const validate = ajv.compile(schema as object);
            expect([component, validate(serviceAccount) ? [] : validate.errors]).toEqual([
                component,
                [],
            ]);
            expect(serviceAccount).toEqual({
                name: `airflow-${AIRFLOW_COMPONENTS[component as keyof typeof AIRFLOW_COMPONENTS]}`,
                annotations: {
                    "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/airflow-logs",
                },
            });
        }
        const env = ajv.compile(facts.env);
        expect(env(values.env) ? [] : env.errors).toEqual([]);
    });
});
