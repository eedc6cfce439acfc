import { readFileSync } from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import {
    PlatformMonitoring,
    dashboardQueries,
    exporterMetrics,
    parsePromql,
    platformRules,
    type PlatformMonitoringArgs,
} from "../../components/monitoring";
import { assertValidManifests, runProgram } from "../../components/testing";

const full: PlatformMonitoringArgs = {
    namespace: "monitoring",
    selectorLabels: { release: "kube-prometheus-stack" },
    airflow: { namespace: "airflow", releaseName: "airflow" },
    contour: { namespace: "projectcontour" },
    externalSecrets: { namespace: "external-secrets" },
    refreshedSecrets: ["ecr-registry", "gcr-registry"],
    dagInstallers: { namespace: "pipeline-services", releases: ["otsus-method", "kedro"] },
    dashboard: true,
};

const labels = {
    release: "kube-prometheus-stack",
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "pipeline-platform",
    "app.kubernetes.io/component": "monitoring",
};

function monitoring(args: PlatformMonitoringArgs) {
    return runProgram(() => {
        const m = new PlatformMonitoring("platform-monitoring", args);
        return { ruleName: m.ruleName };
    });
}

/** Every expression the component writes: the rules' and the dashboard's. */
function expressions(args: PlatformMonitoringArgs): string[] {
    return [
        ...platformRules(args).map((r) => r.expr),
        ...dashboardQueries(args).map((q) => q.expr),
    ];
}

describe("PlatformMonitoring", () => {
    test("creates a ServiceMonitor for Airflow's StatsD exporter, PodMonitors for Contour, Envoy and ESO, one PrometheusRule and a dashboard, all valid", async () => {
        const result = await monitoring(full);
        expect(result.registrations.map((r) => [r.type, r.name]).sort()).toEqual([
            ["kubernetes:core/v1:ConfigMap", "platform-monitoring-dashboard"],
            [
                "kubernetes:monitoring.coreos.com/v1:PodMonitor",
                "platform-monitoring-contour-contour",
            ],
            ["kubernetes:monitoring.coreos.com/v1:PodMonitor", "platform-monitoring-contour-envoy"],
            [
                "kubernetes:monitoring.coreos.com/v1:PodMonitor",
                "platform-monitoring-external-secrets-controller",
            ],
            ["kubernetes:monitoring.coreos.com/v1:PrometheusRule", "platform-monitoring-rules"],
            [
                "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
                "platform-monitoring-airflow-statsd",
            ],
            ["pipeline-platform:monitoring:PlatformMonitoring", "platform-monitoring"],
        ]);
        await assertValidManifests(result.registrations);
        const named = (n: string) =>
            result.registrations.find((r) => r.name === `platform-monitoring-${n}`)!;
        const [statsd, contour, envoy, eso, rule, dashboard] = [
            "airflow-statsd",
            "contour-contour",
            "contour-envoy",
            "external-secrets-controller",
            "rules",
            "dashboard",
        ].map(named);
        expect(statsd.inputs.metadata).toEqual({
            name: "airflow-statsd",
            namespace: "airflow",
            labels,
        });
        // The chart's statsd Service labels and port name (chart 1.19.0 statsd-service.yaml).
        expect(statsd.inputs.spec).toEqual({
            selector: { matchLabels: { tier: "airflow", component: "statsd", release: "airflow" } },
            endpoints: [{ port: "statsd-scrape", path: "/metrics", interval: "30s" }],
        });
        expect(contour.inputs.metadata.namespace).toBe("projectcontour");
        expect(contour.inputs.spec).toEqual({
            selector: {
                matchLabels: {
                    "app.kubernetes.io/name": "contour",
                    "app.kubernetes.io/instance": "contour",
                    "app.kubernetes.io/component": "contour",
                },
            },
            podMetricsEndpoints: [
                { port: "metrics", path: "/metrics", interval: "30s", honorLabels: true },
            ],
        });
        expect(envoy.inputs.spec.podMetricsEndpoints).toEqual([
            { port: "metrics", path: "/stats/prometheus", interval: "30s", honorLabels: false },
        ]);
        expect(eso.inputs.spec.selector).toEqual({
            matchLabels: {
                "app.kubernetes.io/name": "external-secrets",
                "app.kubernetes.io/instance": "external-secrets",
            },
        });
        expect(rule.inputs.metadata).toEqual({
            name: "platform-monitoring-alerts",
            namespace: "monitoring",
            labels,
        });
        const alerts = rule.inputs.spec.groups[0].rules.map((r: { alert: string }) => r.alert);
        expect(alerts).toEqual([
            "AirflowSchedulerHeartbeatMissing",
            "AirflowDagImportErrors",
            "AirflowTaskFailureRateHigh",
            "DagInstallerJobFailed",
            "ExternalSecretNotSynced",
            "RegistryTokenRefreshFailing",
            "HTTPProxyNotValid",
        ]);
        expect(dashboard.inputs.metadata.labels).toEqual({ ...labels, grafana_dashboard: "1" });
        const json = JSON.parse(dashboard.inputs.data["pipeline-platform.json"]);
        expect(json.title).toBe("Pipeline platform");
        const panelExprs = json.panels.map(
            (p: { targets: Array<{ expr: string }> }) => p.targets[0].expr,
        );
        expect(panelExprs).toEqual(dashboardQueries(full).map((q) => q.expr));
        expect(result.outputs).toEqual({ ruleName: "platform-monitoring-alerts" });
    });

    test("writes the alert expressions a platform team reads", () => {
        const byAlert = Object.fromEntries(platformRules(full).map((r) => [r.alert, r]));
        expect(byAlert.AirflowSchedulerHeartbeatMissing.expr).toBe(
            'sum(rate(airflow_scheduler_heartbeat{namespace="airflow"}[5m])) == 0 or absent(airflow_scheduler_heartbeat{namespace="airflow"})',
        );
        expect(byAlert.AirflowDagImportErrors.expr).toBe(
            'max(airflow_dag_processing_import_errors{namespace="airflow"}) > 0',
        );
        expect(byAlert.AirflowTaskFailureRateHigh.expr).toBe(
            'sum(rate(airflow_ti_failures{namespace="airflow"}[30m])) / (sum(rate(airflow_ti_failures{namespace="airflow"}[30m])) + sum(rate(airflow_ti_successes{namespace="airflow"}[30m]))) > 0.25',
        );
        expect(byAlert.DagInstallerJobFailed.expr).toBe(
            'max by (namespace, job_name) (kube_job_failed{condition="true", namespace="pipeline-services", job_name=~"(otsus-method|kedro)-(copy-[0-9]+|remove)"}) > 0',
        );
        expect(byAlert.ExternalSecretNotSynced.expr).toBe(
            'max by (namespace, name) (externalsecret_status_condition{condition="Ready", status="False", name=~"ecr-registry|gcr-registry"}) == 1',
        );
        expect(byAlert.RegistryTokenRefreshFailing.expr).toBe(
            'sum by (namespace, name) (increase(externalsecret_sync_calls_error{name=~"ecr-registry|gcr-registry"}[1h])) > 0',
        );
        expect(byAlert.HTTPProxyNotValid.expr).toBe(
            "max by (namespace, vhost) (contour_httpproxy_invalid) > 0",
        );
    });

    test("the DAG-installer Job regex matches the Jobs the bundled chart names, and nothing else", () => {
        const rule = platformRules(full).find((r) => r.alert === "DagInstallerJobFailed")!;
        const regex = new RegExp(`^(?:${/job_name=~"([^"]+)"/.exec(rule.expr)![1]})$`);
        const chart = readFileSync(
            path.join(__dirname, "../../components/dags/chart/templates/job.yaml"),
            "utf8",
        );
        // The chart's Job names: "<release>-<action>-<revision>" and "<release>-remove".
        expect(chart).toContain(
            'name: {{ printf "%s-%s-%d" .Release.Name .Values.action .Release.Revision | quote }}',
        );
        for (const job of ["otsus-method-copy-1", "kedro-copy-12", "kedro-remove"]) {
            expect(regex.test(job)).toBe(true);
        }
        for (const job of ["otsus-method-prefetch", "other-copy-1", "kedro-copy-x"]) {
            expect(regex.test(job)).toBe(false);
        }
    });

    test("only the monitored targets get monitors and alerts; disabled alerts are left out", () => {
        const rules = platformRules({
            namespace: "monitoring",
            airflow: { namespace: "airflow", releaseName: "airflow" },
            alerts: { disabled: ["AirflowTaskFailureRateHigh"], taskFailureRatio: 0.5 },
        });
        expect(rules.map((r) => r.alert)).toEqual([
            "AirflowSchedulerHeartbeatMissing",
            "AirflowDagImportErrors",
        ]);
        const esoOnly = platformRules({ namespace: "m", externalSecrets: { namespace: "eso" } });
        expect(esoOnly.map((r) => [r.alert, r.expr])).toEqual([
            [
                "ExternalSecretNotSynced",
                'max by (namespace, name) (externalsecret_status_condition{condition="Ready", status="False"}) == 1',
            ],
        ]);
    });

    test("a rule of your own is added after the built-in ones", async () => {
        const result = await monitoring({
            namespace: "monitoring",
            airflow: { namespace: "airflow", releaseName: "airflow" },
            rules: [
                {
                    alert: "AirflowPoolStarving",
                    expr: "max(airflow_pool_starving_tasks) > 0",
                    summary: "Tasks wait for pool slots",
                },
            ],
        });
        await assertValidManifests(result.registrations);
        const rule = result.registrations.find((r) => r.name === "platform-monitoring-rules")!;
        expect(rule.inputs.spec.groups[0].rules[3]).toEqual({
            alert: "AirflowPoolStarving",
            expr: "max(airflow_pool_starving_tasks) > 0",
            for: "5m",
            labels: { severity: "warning" },
            annotations: { summary: "Tasks wait for pool slots" },
        });
    });
});

describe("PromQL of the rules and the dashboard", () => {
    const { metrics, targetLabels } = exporterMetrics();

    test("the grammar reports a syntax error (so a passing parse means something)", () => {
        expect(parsePromql("sum(rate(x[5m]) >").errorAt).toBeDefined();
        expect(parsePromql("x{a=}").errorAt).toBeDefined();
        expect(parsePromql('sum(rate(x{a="b"}[5m])) > 0').errorAt).toBeUndefined();
    });

    test("every expression parses with Prometheus's grammar", () => {
        const all = expressions(full);
        expect(all.length).toBe(17);
        for (const expr of all) {
            expect([expr, parsePromql(expr).errorAt]).toEqual([expr, undefined]);
        }
    });

    test("every metric is one its exporter exposes, and every label matcher a label it carries", () => {
        for (const expr of expressions(full)) {
            for (const selector of parsePromql(expr).selectors) {
                const metric = metrics.get(selector.metric ?? "");
                expect([expr, selector.metric, metric !== undefined]).toEqual([
                    expr,
                    selector.metric,
                    true,
                ]);
                for (const label of selector.labels) {
                    expect([
                        selector.metric,
                        label,
                        [...metric!.labels, ...targetLabels].includes(label),
                    ]).toEqual([selector.metric, label, true]);
                }
            }
        }
    });

    test("the recorded Airflow mappings are the chart 1.19.0 mapping file's; unmapped names follow statsd_exporter's escaping", () => {
        const file = parseYaml(
            readFileSync(
                path.join(__dirname, "../fixtures/monitoring/airflow-statsd-mappings-1.19.0.yml"),
                "utf8",
            ),
        ) as {
            mappings: Array<{
                match: string;
                match_type?: string;
                name: string;
                labels?: Record<string, string>;
            }>;
        };
        const airflow = [...metrics.values()].filter((m) => m.exporter === "airflow-statsd");
        for (const metric of airflow) {
            const [kind, statsdName] = metric.from.split(" ");
            const mapping = file.mappings.find((m) => m.match === statsdName);
            if (kind === "mapping") {
                expect([metric.name, mapping?.name]).toEqual([metric.name, metric.name]);
                expect([metric.name, Object.keys(mapping?.labels ?? {}).sort()]).toEqual([
                    metric.name,
                    [...metric.labels].sort(),
                ]);
            } else {
                expect(kind).toBe("unmapped");
                // No mapping matches it (globs: `*` is one dot-free component).
                const matching = file.mappings.filter((m) =>
                    new RegExp(
                        m.match_type === "regex"
                            ? `^${m.match}$`
                            : `^${m.match.replace(/\./g, "\\.").replace(/\*/g, "[^.]+")}$`,
                    ).test(statsdName),
                );
                expect([statsdName, matching]).toEqual([statsdName, []]);
                expect(metric.name).toBe(statsdName.replace(/[^a-zA-Z0-9_]/g, "_"));
            }
        }
    });
});
