import * as YAML from "yaml";
import type { RenderResult } from "../../bin/render";
import { exporterMetrics, parsePromql } from "../../components/monitoring";
import { renderedStack } from "../support/evaluations";

const STACKS = ["dev", "staging", "prod"] as const;

const renders: Partial<Record<(typeof STACKS)[number], RenderResult>> = {};
beforeAll(async () => {
    for (const stack of STACKS) {
        renders[stack] = await renderedStack(stack);
    }
});

/** The rendered manifests of a stack whose apiVersion is the Prometheus Operator's, or dashboards. */
function monitoringObjects(stack: (typeof STACKS)[number]) {
    return Object.entries(renders[stack]!.files)
        .filter(([file]) => file.startsWith("manifests/"))
        .map(([, text]) => YAML.parse(text))
        .filter(
            (m) =>
                m.apiVersion === "monitoring.coreos.com/v1" ||
                m.metadata?.labels?.grafana_dashboard === "1",
        );
}

describe("monitoring in the committed stacks", () => {
    test("prod turns monitoring on: the Airflow ServiceMonitor, Contour, Envoy and ESO PodMonitors, the rule and the dashboard", () => {
        expect(
            monitoringObjects("prod")
                .map((m) => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`)
                .sort(),
        ).toEqual([
            "ConfigMap pipeline-services/platform-monitoring-dashboard",
            "PodMonitor external-secrets/external-secrets-controller",
            "PodMonitor projectcontour/contour-contour",
            "PodMonitor projectcontour/contour-envoy",
            "PrometheusRule pipeline-services/platform-monitoring-alerts",
            "ServiceMonitor pipeline-services/platform-airflow-statsd",
        ]);
        for (const m of monitoringObjects("prod")) {
            expect(m.metadata.labels.release).toBe("kube-prometheus-stack");
        }
    });

    test("dev and staging leave it off", () => {
        expect(monitoringObjects("dev")).toEqual([]);
        expect(monitoringObjects("staging")).toEqual([]);
    });

    test("every expression prod renders parses and reads metrics its exporters expose", () => {
        const objects = monitoringObjects("prod");
        const rule = objects.find((m) => m.kind === "PrometheusRule");
        const dashboard = objects.find((m) => m.kind === "ConfigMap");
        const exprs: string[] = [
            ...rule.spec.groups[0].rules.map((r: { expr: string }) => r.expr),
            ...JSON.parse(dashboard.data["pipeline-platform.json"]).panels.map(
                (p: { targets: Array<{ expr: string }> }) => p.targets[0].expr,
            ),
        ];
        expect(rule.spec.groups[0].rules.map((r: { alert: string }) => r.alert)).toEqual([
            "AirflowSchedulerHeartbeatMissing",
            "AirflowDagImportErrors",
            "AirflowTaskFailureRateHigh",
            "DagInstallerJobFailed",
            "ExternalSecretNotSynced",
            "RegistryTokenRefreshFailing",
            "HTTPProxyNotValid",
        ]);
        const { metrics } = exporterMetrics();
        for (const expr of exprs) {
            const parsed = parsePromql(expr);
            expect([expr, parsed.errorAt]).toEqual([expr, undefined]);
            for (const s of parsed.selectors) {
                expect([expr, s.metric, metrics.has(s.metric ?? "")]).toEqual([
                    expr,
                    s.metric,
                    true,
                ]);
            }
        }
    });
});
