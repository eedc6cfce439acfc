import { invalidInput, type SecretName } from "../core";
import type { Executor } from "./values";

/** Celery scaling: PgBouncer in front of the metadata database and KEDA autoscaling of the workers. */
export interface AirflowCelery {
    /**
     * PgBouncer between Airflow and its metadata database (the chart's `pgbouncer`). Default: off.
     * @example { maxClientConn: 200, metadataPoolSize: 20 }
     */
    pgbouncer?: AirflowPgBouncer;
    /**
     * KEDA autoscaling of the Celery workers from the number of queued and running tasks (the
     * chart's `workers.keda`, which creates a KEDA ScaledObject: KEDA must be installed). Default: off.
     * @example { minWorkers: 1, maxWorkers: 10 }
     */
    autoscaling?: AirflowWorkerAutoscaling;
}

/** The chart's PgBouncer. */
export interface AirflowPgBouncer {
    /**
     * Client connections PgBouncer accepts. Default: the chart's 100.
     * @asType integer
     * @minimum 1
     * @maximum 100000
     * @example 200
     */
    maxClientConn?: number;
    /**
     * Server connections to the metadata database. Default: the chart's 10.
     * @asType integer
     * @minimum 1
     * @maximum 10000
     * @example 20
     */
    metadataPoolSize?: number;
    /**
     * Server connections to the result backend. Default: the chart's 5.
     * @asType integer
     * @minimum 1
     * @maximum 10000
     * @example 5
     */
    resultBackendPoolSize?: number;
    /**
     * PgBouncer replicas. Default: the chart's 1.
     * @asType integer
     * @minimum 1
     * @maximum 20
     * @example 2
     */
    replicas?: number;
    /**
     * With an external database: a Secret with `pgbouncer.ini` and `users.txt` (the chart writes one
     * only from `data.metadataConnection`, which holds the password and is never set here). The
     * external database Secret's `connection` must then point at `<release>-pgbouncer:6543`.
     * @example "airflow-pgbouncer-config"
     */
    configSecretName?: SecretName;
    /**
     * With an external database: a Secret whose key `connection` is the metrics exporter's URI of
     * PgBouncer's admin database (`postgresql://user:password@127.0.0.1:6543/pgbouncer`).
     * @example "airflow-pgbouncer-stats"
     */
    statsSecretName?: SecretName;
}

/** KEDA autoscaling of the Celery workers. */
export interface AirflowWorkerAutoscaling {
    /**
     * Fewest workers (0 scales to zero when nothing is queued).
     * @asType integer
     * @minimum 0
     * @maximum 1000
     * @example 1
     */
    minWorkers: number;
    /**
     * Most workers.
     * @asType integer
     * @minimum 1
     * @maximum 1000
     * @example 10
     */
    maxWorkers: number;
    /**
     * Seconds between KEDA's queries. Default: the chart's 5.
     * @asType integer
     * @minimum 1
     * @maximum 3600
     * @example 10
     */
    pollingIntervalSeconds?: number;
    /**
     * Seconds KEDA waits before scaling to zero. Default: the chart's 30.
     * @asType integer
     * @minimum 0
     * @maximum 86400
     * @example 300
     */
    cooldownPeriodSeconds?: number;
    /**
     * One SQL SELECT over the metadata database returning the number of workers wanted. Default:
     * the chart's (queued and running task instances over `worker_concurrency`).
     * @minLength 1
     * @maxLength 4000
     * @example "SELECT ceil(COUNT(*)::decimal / 16) FROM task_instance WHERE state IN ('running', 'queued')"
     */
    query?: string;
}

/**
 * Checks the Celery settings against the executor and the database and returns the chart values
 * they set (`pgbouncer`, `workers.keda`: the keys of chart 1.19.0; 1.20.0 moves KEDA to
 * `workers.celery.keda`).
 */
export function celeryValues(
    celery: AirflowCelery,
    executor: Executor,
    externalDatabase: boolean,
): { pgbouncer?: Record<string, unknown>; keda?: Record<string, unknown> } {
    if (executor !== "CeleryExecutor") {
        invalidInput({
            path: "celery",
            given: celery,
            expected: `no Celery settings with executor ${executor} (PgBouncer and worker autoscaling serve CeleryExecutor's workers)`,
            example: 'executor: "CeleryExecutor"',
        });
    }
    const out: { pgbouncer?: Record<string, unknown>; keda?: Record<string, unknown> } = {};
    const { pgbouncer, autoscaling } = celery;
    if (pgbouncer !== undefined) {
        if (externalDatabase) {
            for (const key of ["configSecretName", "statsSecretName"] as const) {
                if (pgbouncer[key] === undefined) {
                    invalidInput({
                        path: `celery.pgbouncer.${key}`,
                        given: undefined,
                        expected: `a Secret name: with an external database the chart cannot write PgBouncer's ${key === "configSecretName" ? "config (pgbouncer.ini, users.txt)" : "stats connection"} without the database password in its values`,
                        example:
                            key === "configSecretName"
                                ? "airflow-pgbouncer-config"
                                : "airflow-pgbouncer-stats",
                    });
                }
            }
        }
        out.pgbouncer = {
            enabled: true,
            ...(pgbouncer.replicas === undefined ? {} : { replicas: pgbouncer.replicas }),
            ...(pgbouncer.maxClientConn === undefined
                ? {}
                : { maxClientConn: pgbouncer.maxClientConn }),
            ...(pgbouncer.metadataPoolSize === undefined
                ? {}
                : { metadataPoolSize: pgbouncer.metadataPoolSize }),
            ...(pgbouncer.resultBackendPoolSize === undefined
                ? {}
                : { resultBackendPoolSize: pgbouncer.resultBackendPoolSize }),
            ...(pgbouncer.configSecretName === undefined
                ? {}
                : { configSecretName: pgbouncer.configSecretName }),
            ...(pgbouncer.statsSecretName === undefined
                ? {}
                : { metricsExporterSidecar: { statsSecretName: pgbouncer.statsSecretName } }),
        };
    }
    if (autoscaling !== undefined) {
        if (autoscaling.minWorkers > autoscaling.maxWorkers) {
            invalidInput({
                path: "celery.autoscaling.minWorkers",
                given: autoscaling.minWorkers,
                expected: `at most maxWorkers (${autoscaling.maxWorkers})`,
                example: Math.min(1, autoscaling.maxWorkers),
            });
        }
        const query = autoscaling.query;
        // The chart renders the query through Helm's `tpl`: `{{` would run as a template.
        if (
            query !== undefined &&
            (!/^\s*SELECT\s/i.test(query) || /;\s*\S/.test(query) || query.includes("{{"))
        ) {
            invalidInput({
                path: "celery.autoscaling.query",
                given: query,
                expected:
                    "one SQL SELECT statement returning the number of workers wanted, without `{{` (the chart renders it as a Helm template)",
                example:
                    "SELECT ceil(COUNT(*)::decimal / 16) FROM task_instance WHERE state IN ('running', 'queued')",
            });
        }
        out.keda = {
            enabled: true,
            minReplicaCount: autoscaling.minWorkers,
            maxReplicaCount: autoscaling.maxWorkers,
            ...(autoscaling.pollingIntervalSeconds === undefined
                ? {}
                : { pollingInterval: autoscaling.pollingIntervalSeconds }),
            ...(autoscaling.cooldownPeriodSeconds === undefined
                ? {}
                : { cooldownPeriod: autoscaling.cooldownPeriodSeconds }),
            ...(query === undefined ? {} : { query }),
        };
    }
    return out;
}
