import type { LRParser } from "@lezer/lr";
import { closest } from "fastest-levenshtein";
import { readFileSync } from "fs";
import * as path from "path";
import { invalidInput } from "../core";

// The grammar package is ESM with a CommonJS build (`require` export); this package compiles to CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require("@prometheus-io/lezer-promql") as { parser: LRParser };

/** One metric an exporter exposes, as recorded from its source (`exporter-metrics.json`). */
export interface ExporterMetric {
    name: string;
    type: string;
    labels: string[];
    from: string;
}

interface ExporterMetricsFile {
    targetLabels: { labels: string[] };
    exporters: Record<string, { metrics: ExporterMetric[] }>;
}

/** An exporter whose metrics the platform's rules and dashboard read. */
export type ExporterName = "airflow-statsd" | "kube-state-metrics" | "contour" | "external-secrets";

let recorded: ExporterMetricsFile | undefined;

/** The recorded metric lists (shipped beside this file, sources in SOURCE.md). */
export function exporterMetrics(): {
    targetLabels: string[];
    metrics: Map<string, ExporterMetric & { exporter: ExporterName }>;
} {
    recorded ??= JSON.parse(
        readFileSync(path.join(__dirname, "exporter-metrics.json"), "utf8"),
    ) as ExporterMetricsFile;
    const metrics = new Map<string, ExporterMetric & { exporter: ExporterName }>();
    for (const [exporter, { metrics: list }] of Object.entries(recorded.exporters)) {
        for (const metric of list) {
            metrics.set(metric.name, { ...metric, exporter: exporter as ExporterName });
        }
    }
    return { targetLabels: recorded.targetLabels.labels, metrics };
}

/** A vector selector of an expression: its metric name and the labels it matches on. */
export interface PromqlSelector {
    metric?: string;
    labels: string[];
}

/** An expression parsed with Prometheus's own grammar: its selectors, or where it stops parsing. */
export interface ParsedPromql {
    selectors: PromqlSelector[];
    /** Offset of the first syntax error, when there is one. */
    errorAt?: number;
}

/** Parses PromQL with `@prometheus-io/lezer-promql` (the grammar of Prometheus's own UI). */
export function parsePromql(expr: string): ParsedPromql {
    const tree = parser.parse(expr);
    const selectors: PromqlSelector[] = [];
    let errorAt: number | undefined;
    tree.iterate({
        enter(node) {
            if (node.type.isError && errorAt === undefined) {
                errorAt = node.from;
            }
            if (node.name === "VectorSelector") {
                const selector: PromqlSelector = { labels: [] };
                const identifier = node.node.getChild("Identifier");
                if (identifier) {
                    selector.metric = expr.slice(identifier.from, identifier.to);
                }
                const matchers = node.node.getChild("LabelMatchers");
                for (const matcher of matchers?.getChildren("UnquotedLabelMatcher") ?? []) {
                    const label = matcher.getChild("LabelName");
                    if (label) {
                        selector.labels.push(expr.slice(label.from, label.to));
                    }
                }
                selectors.push(selector);
            }
        },
    });
    return { selectors, errorAt };
}

/**
 * Refuses an alerting or dashboard expression that does not parse, names a metric none of the
 * recorded exporters exposes, or matches on a label the metric does not carry.
 */
export function checkPromql(expr: string, at: string): void {
    const parsed = expr.trim() === "" ? { selectors: [], errorAt: 0 } : parsePromql(expr);
    if (parsed.errorAt !== undefined) {
        invalidInput({
            path: at,
            given: expr,
            expected: `a PromQL expression (Prometheus's grammar stops at character ${parsed.errorAt + 1})`,
            example: 'sum(rate(airflow_ti_failures{namespace="airflow"}[30m])) > 0',
        });
    }
    const { metrics, targetLabels } = exporterMetrics();
    for (const selector of parsed.selectors) {
        if (selector.metric === undefined) {
            invalidInput({
                path: at,
                given: expr,
                expected:
                    "selectors that name their metric (`name{…}`), so the metric can be checked against the exporters",
                example: 'airflow_dag_processing_import_errors{namespace="airflow"} > 0',
            });
        }
        const metric = metrics.get(selector.metric);
        if (metric === undefined) {
            const suggestion = closest(selector.metric, [...metrics.keys()]);
            invalidInput({
                path: at,
                given: selector.metric,
                expected: `a metric the platform's exporters expose (Airflow's StatsD exporter, kube-state-metrics, Contour, External Secrets); did you mean ${suggestion}?`,
                example: suggestion,
            });
        }
        for (const label of selector.labels) {
            if (!metric.labels.includes(label) && !targetLabels.includes(label)) {
                invalidInput({
                    path: at,
                    given: `${selector.metric}{${label}=…}`,
                    expected: `a label ${selector.metric} carries (${[...metric.labels, ...targetLabels].join(", ")})`,
                    example: `${selector.metric}{namespace="airflow"}`,
                });
            }
        }
    }
}
