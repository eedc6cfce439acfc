import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    dnsLabel,
    invalidInput,
    joinPath,
    planComponent,
    standardLabels,
    usePlan,
    type Duration,
    type Labels,
    type NamespaceName,
    type ObjectName,
    type Planned,
    type Reporter,
    type SecretName,
} from "../core";
import { checkPromql } from "./promql";

/** An alert of the platform's PrometheusRule. */
export type AlertName =
    | "AirflowSchedulerHeartbeatMissing"
    | "AirflowDagImportErrors"
    | "AirflowTaskFailureRateHigh"
    | "DagInstallerJobFailed"
    | "ExternalSecretNotSynced"
    | "HTTPProxyNotValid"
    | "RegistryTokenRefreshFailing";

/** Where an Airflow release's StatsD exporter runs (the chart's `statsd`, on by default). */
export interface MonitoredAirflow {
    /**
     * Namespace of the Airflow release.
     * @example "airflow"
     */
    namespace: NamespaceName;
    /**
     * Helm release name of the Airflow chart (the chart labels its StatsD Service `release: <it>`).
     * @example "airflow"
     */
    releaseName: ObjectName;
}

/** A Helm release of a chart whose pods are scraped (Contour, External Secrets Operator). */
export interface MonitoredRelease {
    /**
     * Namespace of the release.
     * @example "projectcontour"
     */
    namespace: NamespaceName;
    /**
     * Helm release name (its pods carry `app.kubernetes.io/instance: <it>`). Default: the chart's
     * name as this package installs it (`contour`, `external-secrets`).
     * @example "contour"
     */
    releaseName?: ObjectName;
}

/** DAG-installer releases whose Jobs are watched (through kube-state-metrics). */
export interface MonitoredDagInstallers {
    /**
     * Namespace of the installer releases.
     * @example "pipeline-services"
     */
    namespace: NamespaceName;
    /**
     * Release names; their Jobs are `<release>-copy-<revision>` and `<release>-remove`.
     * @minItems 1
     * @uniqueItems true
     * @example ["otsus-method"]
     */
    releases: ObjectName[];
}

/** The alerts' settings. */
export interface MonitoringAlerts {
    /**
     * Share of finished task instances that failed over 30 minutes above which
     * AirflowTaskFailureRateHigh fires. Default `0.25`.
     * @minimum 0.01
     * @maximum 1
     * @example 0.25
     */
    taskFailureRatio?: number;
    /**
     * Alerts left out of the rule. Default none.
     * @uniqueItems true
     * @example ["AirflowTaskFailureRateHigh"]
     */
    disabled?: AlertName[];
}

/** An alert of your own, checked like the built-in ones. */
export interface MonitoringRule {
    /**
     * The alert's name (letters and digits, starting with a capital).
     * @pattern ^[A-Z][A-Za-z0-9]*$
     * @example "AirflowPoolStarving"
     */
    alert: string;
    /**
     * A PromQL expression over metrics the platform's exporters expose. Checked at preview with
     * Prometheus's grammar and against the recorded metric lists.
     * @minLength 1
     * @maxLength 2000
     * @example "max(airflow_pool_starving_tasks) > 0"
     */
    expr: string;
    /**
     * How long the condition must hold. Default `5m`.
     * @example "10m"
     */
    for?: Duration;
    /**
     * Severity label. Default `warning`.
     * @example "warning"
     */
    severity?: "warning" | "critical";
    /**
     * One line for whoever is paged.
     * @minLength 1
     * @maxLength 300
     * @pattern ^[^\n\r]*$
     * @example "Tasks are waiting for pool slots"
     */
    summary: string;
}

export interface PlatformMonitoringArgs {
    /**
     * Namespace of the PrometheusRule and the dashboard ConfigMap.
     * @example "monitoring"
     */
    namespace: NamespaceName;
    /**
     * Labels on every monitor, rule and dashboard so the Prometheus Operator selects them
     * (kube-prometheus-stack selects `release: <its release name>`). Default none.
     * @example { release: "kube-prometheus-stack" }
     */
    selectorLabels?: Labels;
    /**
     * Scrape interval of every monitor. Default `30s`.
     * @example "30s"
     */
    interval?: Duration;
    /**
     * Airflow's StatsD exporter: a ServiceMonitor and the Airflow alerts. Default: not monitored.
     * @example { namespace: "airflow", releaseName: "airflow" }
     */
    airflow?: MonitoredAirflow;
    /**
     * Contour and Envoy: two PodMonitors and the HTTPProxy alert. Default: not monitored.
     * @example { namespace: "projectcontour" }
     */
    contour?: MonitoredRelease;
    /**
     * External Secrets Operator: a PodMonitor and the ExternalSecret alerts. Default: not monitored.
     * @example { namespace: "external-secrets" }
     */
    externalSecrets?: MonitoredRelease;
    /**
     * Registry pull Secrets refreshed in the cluster (ExternalSecrets of that name): the token
     * refresh alert watches them. Default none.
     * @uniqueItems true
     * @example ["ecr-registry"]
     */
    refreshedSecrets?: SecretName[];
    /**
     * DAG-installer Jobs to alert on (kube-state-metrics must be scraped). Default: none.
     * @example { namespace: "pipeline-services", releases: ["otsus-method"] }
     */
    dagInstallers?: MonitoredDagInstallers;
    /**
     * Alert settings. Default: every alert whose target is monitored.
     * @example { taskFailureRatio: 0.5 }
     */
    alerts?: MonitoringAlerts;
    /**
     * Alerts of your own, added to the rule.
     * @example [{ alert: "AirflowPoolStarving", expr: "max(airflow_pool_starving_tasks) > 0", summary: "Tasks wait for pool slots" }]
     */
    rules?: MonitoringRule[];
    /**
     * A Grafana dashboard ConfigMap (label `grafana_dashboard: "1"`, which Grafana's dashboard
     * sidecar loads). Default false.
     * @example true
     */
    dashboard?: boolean;
}

/** A monitor the component creates: a ServiceMonitor or a PodMonitor, in the target's namespace. */
export interface PlannedMonitor {
    kind: "ServiceMonitor" | "PodMonitor";
    name: string;
    namespace: string;
    spec: Record<string, unknown>;
}

/** One rule of the PrometheusRule. */
export interface PlannedRule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: string };
    annotations: { summary: string; description?: string };
}

export interface PlatformMonitoringBuild {
    args: PlatformMonitoringArgs;
    labels: Record<string, string>;
    monitors: PlannedMonitor[];
    rule: { name: string; rules: PlannedRule[] };
    /** The dashboard ConfigMap's name and JSON, when asked for. */
    dashboard?: { name: string; json: string };
}

export type PlatformMonitoringPlan = Planned<"PlatformMonitoring", PlatformMonitoringBuild>;

/** The kinds this component creates: their CRDs must exist first (Prometheus Operator). */
export const MONITORING_KINDS = [
    "ServiceMonitor.monitoring.coreos.com",
    "PodMonitor.monitoring.coreos.com",
    "PrometheusRule.monitoring.coreos.com",
] as const;

/** Grafana's dashboard sidecar loads ConfigMaps with this label (kube-prometheus-stack 88.5.3 default). */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

/**
 * Prometheus Operator monitoring for the platform: a ServiceMonitor for Airflow's StatsD exporter,
 * PodMonitors for Contour, Envoy and External Secrets Operator, one PrometheusRule with the alerts a
 * platform team needs, and an optional Grafana dashboard. Every expression is checked at preview
 * against Prometheus's grammar and the metric lists the exporters really expose.
 */
export class PlatformMonitoring extends pulumi.ComponentResource {
    /** The PrometheusRule's name. */
    public readonly ruleName: pulumi.Output<string>;

    constructor(
        name: string,
        args: PlatformMonitoringArgs | PlatformMonitoringPlan,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const plan = usePlan("PlatformMonitoring", name, args, planPlatformMonitoring);
        super("pipeline-platform:monitoring:PlatformMonitoring", name, {}, opts);
        const parent = { parent: this };
        for (const monitor of plan.monitors) {
            new k8s.apiextensions.CustomResource(
                `${name}-${monitor.name}`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: monitor.kind,
                    metadata: {
                        name: monitor.name,
                        namespace: monitor.namespace,
                        labels: plan.labels,
                    },
                    spec: monitor.spec,
                },
                parent,
            );
        }
        const rule = new k8s.apiextensions.CustomResource(
            `${name}-rules`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: {
                    name: plan.rule.name,
                    namespace: plan.args.namespace,
                    labels: plan.labels,
                },
                spec: { groups: [{ name: "pipeline-platform", rules: plan.rule.rules }] },
            },
            parent,
        );
        if (plan.dashboard) {
            new k8s.core.v1.ConfigMap(
                `${name}-dashboard`,
                {
                    metadata: {
                        name: plan.dashboard.name,
                        namespace: plan.args.namespace,
                        labels: { ...plan.labels, ...GRAFANA_DASHBOARD_LABEL },
                    },
                    data: { "pipeline-platform.json": plan.dashboard.json },
                },
                parent,
            );
        }
        this.ruleName = rule.metadata.name;
        this.registerOutputs({ ruleName: this.ruleName });
    }
}

/**
 * Checks a PlatformMonitoring's args (shape, then every rule expression against Prometheus's grammar
 * and the recorded exporter metrics) and returns what its constructor builds.
 */
export function planPlatformMonitoring(
    name: string,
    args: PlatformMonitoringArgs,
    reporter?: Reporter,
): PlatformMonitoringPlan {
    return planComponent(
        "PlatformMonitoring",
        "PlatformMonitoringArgs",
        name,
        args,
        (checked: PlatformMonitoringArgs): PlatformMonitoringBuild => {
            const base = dnsLabel(name);
            const labels = standardLabels("monitoring", checked.selectorLabels ?? {});
            const rules = platformRules(checked);
            const seen = new Set(rules.map((r) => r.alert));
            (checked.rules ?? []).forEach((rule, i) => {
                const at = joinPath("rules", i);
                if (seen.has(rule.alert)) {
                    invalidInput({
                        path: joinPath(at, "alert"),
                        given: rule.alert,
                        expected: "an alert name no other rule of the platform uses",
                        example: `${rule.alert}2`,
                    });
                }
                seen.add(rule.alert);
                checkPromql(rule.expr, joinPath(at, "expr"));
                rules.push({
                    alert: rule.alert,
                    expr: rule.expr,
                    for: rule.for ?? "5m",
                    labels: { severity: rule.severity ?? "warning" },
                    annotations: { summary: rule.summary },
                });
            });
            if (rules.length === 0) {
                invalidInput({
                    path: "",
                    given: checked,
                    expected:
                        "something to monitor: airflow, contour, externalSecrets, dagInstallers or rules",
                    example:
                        '{ namespace: "monitoring", airflow: { namespace: "airflow", releaseName: "airflow" } }',
                });
            }
            return {
                args: checked,
                labels,
                monitors: monitors(checked),
                rule: { name: `${base}-alerts`.slice(0, 63).replace(/-+$/, ""), rules },
                dashboard: checked.dashboard
                    ? {
                          name: `${base}-dashboard`.slice(0, 63).replace(/-+$/, ""),
                          json: dashboardJson(checked),
                      }
                    : undefined,
            };
        },
        reporter,
    );
}

/** The ServiceMonitor and PodMonitors of the monitored targets (facts: SOURCE.md). */
function monitors(args: PlatformMonitoringArgs): PlannedMonitor[] {
    const interval = args.interval ?? "30s";
    const found: PlannedMonitor[] = [];
    if (args.airflow) {
        const release = args.airflow.releaseName;
        // The chart's `{fullname}-statsd` Service and its port name (chart 1.19.0 statsd-service.yaml).
        found.push({
            kind: "ServiceMonitor",
            name: dnsLabel(`${release}-statsd`),
            namespace: args.airflow.namespace,
            spec: {
                selector: { matchLabels: { tier: "airflow", component: "statsd", release } },
                endpoints: [{ port: "statsd-scrape", path: "/metrics", interval }],
            },
        });
    }
    if (args.contour) {
        const release = args.contour.releaseName ?? "contour";
        // Contour's own gauges carry the HTTPProxy's `namespace`: honorLabels keeps it from being
        // renamed `exported_namespace` by the scrape's target label.
        for (const [component, metricsPath, honorLabels] of [
            ["contour", "/metrics", true],
            ["envoy", "/stats/prometheus", false],
        ] as const) {
            found.push({
                kind: "PodMonitor",
                name: dnsLabel(`${release}-${component}`),
                namespace: args.contour.namespace,
                spec: {
                    selector: {
                        matchLabels: {
                            "app.kubernetes.io/name": "contour",
                            "app.kubernetes.io/instance": release,
                            "app.kubernetes.io/component": component,
                        },
                    },
                    podMetricsEndpoints: [
                        { port: "metrics", path: metricsPath, interval, honorLabels },
                    ],
                },
            });
        }
    }
    if (args.externalSecrets) {
        const release = args.externalSecrets.releaseName ?? "external-secrets";
        found.push({
            kind: "PodMonitor",
            name: dnsLabel(`${release}-controller`),
            namespace: args.externalSecrets.namespace,
            spec: {
                selector: {
                    matchLabels: {
                        "app.kubernetes.io/name": "external-secrets",
                        "app.kubernetes.io/instance": release,
                    },
                },
                // ExternalSecret metrics carry the ExternalSecret's own `namespace` and `name`.
                podMetricsEndpoints: [
                    { port: "metrics", path: "/metrics", interval, honorLabels: true },
                ],
            },
        });
    }
    return found;
}

/** A PromQL string literal. */
function quote(value: string): string {
    return JSON.stringify(value);
}

/** An anchored PromQL regex alternative of names (DNS labels: nothing to escape but `.`). */
function alternatives(names: readonly string[]): string {
    return names.map((n) => n.replace(/\./g, "\\\\.")).join("|");
}

/** The built-in alerts for the monitored targets, minus the disabled ones. */
export function platformRules(args: PlatformMonitoringArgs): PlannedRule[] {
    const disabled = new Set(args.alerts?.disabled ?? []);
    const rules: PlannedRule[] = [];
    const add = (rule: PlannedRule) => {
        if (!disabled.has(rule.alert as AlertName)) {
            rules.push(rule);
        }
    };
    if (args.airflow) {
        const ns = `namespace=${quote(args.airflow.namespace)}`;
        add({
            alert: "AirflowSchedulerHeartbeatMissing",
            expr: `sum(rate(airflow_scheduler_heartbeat{${ns}}[5m])) == 0 or absent(airflow_scheduler_heartbeat{${ns}})`,
            for: "5m",
            labels: { severity: "critical" },
            annotations: {
                summary: `No Airflow scheduler heartbeat in ${args.airflow.namespace} for 5 minutes`,
                description:
                    "The scheduler sends airflow.scheduler_heartbeat to the chart's StatsD exporter on every loop; none arrived.",
            },
        });
        add({
            alert: "AirflowDagImportErrors",
            expr: `max(airflow_dag_processing_import_errors{${ns}}) > 0`,
            for: "10m",
            labels: { severity: "warning" },
            annotations: {
                summary: `DAG files in ${args.airflow.namespace} fail to import`,
                description: "airflow dags list-import-errors shows which files and why.",
            },
        });
        const ratio = args.alerts?.taskFailureRatio ?? 0.25;
        const failures = `sum(rate(airflow_ti_failures{${ns}}[30m]))`;
        add({
            alert: "AirflowTaskFailureRateHigh",
            expr: `${failures} / (${failures} + sum(rate(airflow_ti_successes{${ns}}[30m]))) > ${ratio}`,
            for: "15m",
            labels: { severity: "warning" },
            annotations: {
                summary: `More than ${Math.round(ratio * 100)}% of task instances in ${args.airflow.namespace} failed over 30 minutes`,
            },
        });
    }
    if (args.dagInstallers) {
        const { namespace, releases } = args.dagInstallers;
        add({
            alert: "DagInstallerJobFailed",
            expr: `max by (namespace, job_name) (kube_job_failed{condition="true", namespace=${quote(namespace)}, job_name=~"(${alternatives(releases)})-(copy-[0-9]+|remove)"}) > 0`,
            for: "1m",
            labels: { severity: "warning" },
            annotations: {
                summary: "A DAG-installer Job failed: its DAGs were not copied (or not removed)",
                description: "kubectl logs job/<job_name> in the installers' namespace shows why.",
            },
        });
    }
    if (args.externalSecrets) {
        const names = args.refreshedSecrets ?? [];
        const named = names.length > 0 ? `, name=~"${alternatives(names)}"` : "";
        add({
            alert: "ExternalSecretNotSynced",
            expr: `max by (namespace, name) (externalsecret_status_condition{condition="Ready", status="False"${named}}) == 1`,
            for: "15m",
            labels: { severity: "critical" },
            annotations: {
                summary:
                    "An ExternalSecret is not Ready: the pull Secret it writes is stale and image pulls fail once its token expires",
            },
        });
        if (names.length > 0) {
            add({
                alert: "RegistryTokenRefreshFailing",
                expr: `sum by (namespace, name) (increase(externalsecret_sync_calls_error{name=~"${alternatives(names)}"}[1h])) > 0`,
                for: "15m",
                labels: { severity: "warning" },
                annotations: {
                    summary:
                        "Refreshing a registry token failed in the last hour (the generator's cloud identity or permissions)",
                },
            });
        }
    }
    if (args.contour) {
        add({
            alert: "HTTPProxyNotValid",
            expr: "max by (namespace, vhost) (contour_httpproxy_invalid) > 0",
            for: "5m",
            labels: { severity: "warning" },
            annotations: {
                summary:
                    "Contour rejected an HTTPProxy: its host is not served (kubectl get httpproxy shows the reason)",
            },
        });
    }
    return rules;
}

/** The dashboard's panels: one time series per query, over the monitored targets only. */
export function dashboardQueries(
    args: PlatformMonitoringArgs,
): Array<{ title: string; expr: string }> {
    const panels: Array<{ title: string; expr: string }> = [];
    if (args.airflow) {
        const ns = `namespace=${quote(args.airflow.namespace)}`;
        panels.push(
            {
                title: "Scheduler heartbeats / s",
                expr: `sum(rate(airflow_scheduler_heartbeat{${ns}}[5m]))`,
            },
            {
                title: "DAG import errors",
                expr: `max(airflow_dag_processing_import_errors{${ns}})`,
            },
            {
                title: "Task instances failed / s",
                expr: `sum(rate(airflow_ti_failures{${ns}}[5m]))`,
            },
            {
                title: "Task instances succeeded / s",
                expr: `sum(rate(airflow_ti_successes{${ns}}[5m]))`,
            },
            {
                title: "Executor running and queued tasks",
                expr: `sum by (executor) (airflow_executor_running_tasks{${ns}}) + sum by (executor) (airflow_executor_queued_tasks{${ns}})`,
            },
            {
                title: "Starving tasks by pool",
                expr: `max by (pool) (airflow_pool_starving_tasks{${ns}})`,
            },
        );
    }
    if (args.contour) {
        panels.push(
            { title: "Valid HTTPProxies", expr: "sum by (namespace) (contour_httpproxy_valid)" },
            {
                title: "Invalid HTTPProxies",
                expr: "sum by (namespace) (contour_httpproxy_invalid)",
            },
        );
    }
    if (args.externalSecrets) {
        panels.push({
            title: "ExternalSecrets not Ready",
            expr: 'sum by (namespace) (externalsecret_status_condition{condition="Ready", status="False"})',
        });
    }
    if (args.dagInstallers) {
        panels.push({
            title: "Failed DAG-installer Jobs",
            expr: `sum(kube_job_failed{condition="true", namespace=${quote(args.dagInstallers.namespace)}})`,
        });
    }
    return panels;
}

/** The Grafana dashboard (JSON model, schemaVersion 39). */
function dashboardJson(args: PlatformMonitoringArgs): string {
    const queries = dashboardQueries(args);
    const dashboard = {
        uid: "pipeline-platform",
        title: "Pipeline platform",
        tags: ["pipeline-platform"],
        timezone: "browser",
        schemaVersion: 39,
        time: { from: "now-6h", to: "now" },
        templating: {
            list: [
                {
                    name: "datasource",
                    type: "datasource",
                    query: "prometheus",
                    label: "Data source",
                },
            ],
        },
        panels: queries.map((q, i) => ({
            id: i + 1,
            type: "timeseries",
            title: q.title,
            datasource: { type: "prometheus", uid: "${datasource}" },
            gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
            targets: [
                {
                    refId: "A",
                    expr: q.expr,
                    datasource: { type: "prometheus", uid: "${datasource}" },
                },
            ],
        })),
    };
    return `${JSON.stringify(dashboard, null, 2)}\n`;
}
