import { invalidInput, joinPath } from "../core";
import { AIRFLOW_VERSION } from "./chart";
import { POD_TEMPLATES_PATH, RUN_SETTINGS_PATH } from "./run-config";

/** The executors the deployment supports. */
export const EXECUTORS = ["KubernetesExecutor", "CeleryExecutor", "LocalExecutor"] as const;
export type Executor = (typeof EXECUTORS)[number];

/** Everything the computed chart values depend on, with every Output already resolved. */
export interface ValuesPlan {
    executor: Executor;
    /** Release namespace: KubernetesExecutor watches it together with the project namespaces. */
    namespace: string;
    airflowImage?: { repository: string; tag: string };
    /** The one registry Secret the chart's images are pulled with (`registry.secretName`). */
    registrySecretName?: string;
    database: { metadataSecretName: string } | { bundled: true };
    dagsClaimName: string;
    secretNames: {
        fernetKey: string;
        webserverSecretKey: string;
        apiSecretKey: string;
        jwtSecret: string;
    };
    serviceAccounts: { worker: string; scheduler: string };
    projectNamespaces: string[];
    logs?: { baseFolder: string; connectionId: string; connectionSecretName: string };
    runConfigMaps?: { podTemplates: string; runSettings: string };
}

/**
 * The chart values the component computes (before the user's `values` are merged). Credentials never
 * appear: the chart receives Secret names only.
 */
export function airflowValues(plan: ValuesPlan): Record<string, unknown> {
    const config: Record<string, unknown> = {};
    const values: Record<string, unknown> = {
        executor: plan.executor,
        airflowVersion: AIRFLOW_VERSION,
        defaultAirflowTag: AIRFLOW_VERSION,
        fernetKeySecretName: plan.secretNames.fernetKey,
        webserverSecretKeySecretName: plan.secretNames.webserverSecretKey,
        apiSecretKeySecretName: plan.secretNames.apiSecretKey,
        jwtSecretName: plan.secretNames.jwtSecret,
        // Hooks deadlock under an awaited install: the jobs run as plain Jobs the Release waits for.
        migrateDatabaseJob: { useHelmHooks: false },
        createUserJob: { useHelmHooks: false },
        // No admin/admin user: users come from the auth manager or `airflow users create`.
        webserver: { defaultUser: { enabled: false } },
        apiServer: { defaultUser: { enabled: false } },
        dags: { persistence: { enabled: true, existingClaim: plan.dagsClaimName } },
        workers: { serviceAccount: { name: plan.serviceAccounts.worker } },
        scheduler: { serviceAccount: { name: plan.serviceAccounts.scheduler } },
        config,
    };
    if (plan.airflowImage) {
        values.images = {
            airflow: { repository: plan.airflowImage.repository, tag: plan.airflowImage.tag },
        };
    }
    if (plan.registrySecretName !== undefined) {
        values.registry = { secretName: plan.registrySecretName };
    }
    if ("metadataSecretName" in plan.database) {
        values.data = { metadataSecretName: plan.database.metadataSecretName };
        values.postgresql = { enabled: false };
    } else {
        values.postgresql = { enabled: true };
    }
    if (plan.logs) {
        config.logging = {
            remote_logging: "True",
            remote_base_log_folder: plan.logs.baseFolder,
            remote_log_conn_id: plan.logs.connectionId,
        };
        // The connection Secret's keys (AIRFLOW_CONN_<ID>) become environment variables of every
        // Airflow container and of KubernetesExecutor worker pods; the values never see the credential.
        values.extraEnvFrom = `- secretRef:\n    name: ${plan.logs.connectionSecretName}\n`;
    }
    if (plan.executor === "KubernetesExecutor" && plan.projectNamespaces.length > 0) {
        // Airflow's own multi-namespace mode with an explicit list: the chart's `multiNamespaceMode`
        // would grant a cluster-wide ClusterRole; the list needs only the Roles this component creates.
        config.kubernetes_executor = {
            multi_namespace_mode: "True",
            multi_namespace_mode_namespace_list: [plan.namespace, ...plan.projectNamespaces].join(
                ",",
            ),
        };
    }
    if (plan.runConfigMaps) {
        const volumes = [
            { name: "kedro-pod-templates", configMap: { name: plan.runConfigMaps.podTemplates } },
            { name: "kedro-run-config", configMap: { name: plan.runConfigMaps.runSettings } },
        ];
        const mounts = [
            { name: "kedro-pod-templates", mountPath: POD_TEMPLATES_PATH, readOnly: true },
            { name: "kedro-run-config", mountPath: RUN_SETTINGS_PATH, readOnly: true },
        ];
        for (const component of ["workers", "scheduler", "dagProcessor"]) {
            values[component] = {
                ...((values[component] ?? {}) as Record<string, unknown>),
                extraVolumes: volumes,
                extraVolumeMounts: mounts,
            };
        }
    }
    if (Object.keys(config).length === 0) {
        delete values.config;
    }
    return values;
}

/**
 * Merges the user's values over the computed ones: objects merge key by key, anything else (arrays,
 * strings, numbers) replaces.
 */
export function mergeValues(
    base: Record<string, unknown>,
    override: Record<string, unknown>,
): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
        const current = out[key];
        out[key] =
            isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : value;
    }
    return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return !!value && typeof value === "object" && !Array.isArray(value);
}

/** Keys (lower-cased) whose string value would be a credential. */
const CREDENTIAL_KEY =
    /password|passwd|^pass$|secret_?key$|fernet_?key$|jwt_?secret$|sql_alchemy_conn$|broker_?url$|result_backend$|access_?key|_token$|^token$/;

/** Where each well-known credential of the chart goes instead. */
const ALTERNATIVES: Record<string, string> = {
    fernetKey: "the component generates the fernet key and passes fernetKeySecretName",
    webserverSecretKey: "the component generates it and passes webserverSecretKeySecretName",
    apiSecretKey: "the component generates it and passes apiSecretKeySecretName",
    jwtSecret: "the component generates it and passes jwtSecretName",
    "data.metadataConnection":
        "database: { external: { secretName } } (a Secret with a `connection` key)",
    "data.resultBackendConnection":
        "values.data.resultBackendSecretName (a Secret with a `connection` key)",
    "data.brokerUrl": "values.data.brokerUrlSecretName (a Secret with a `connection` key)",
    "registry.connection": "imagePullSecrets (a RegistrySecret's secretName)",
    "redis.password": "values.redis.passwordSecretName",
    "postgresql.auth":
        "database: { external: { secretName } }; the bundled database is for development only",
    "webserver.defaultUser":
        "create users with the auth manager or `airflow users create`, not in values",
    "apiServer.defaultUser":
        "create users with the auth manager or `airflow users create`, not in values",
    config: 'an environment variable from a Secret: values.secret: [{ envName: "AIRFLOW__<SECTION>__<KEY>", secretName, secretKey }]',
};

/**
 * Refuses user values that would carry a credential in plain Helm values (which end up readable in
 * the Release's state and in `helm get values`), pointing to the Secret-name alternative.
 */
export function refuseCredentials(values: Record<string, unknown>, root: string): void {
    walk(values, "", (at, key, value) => {
        if (
            isPlainObject(value) &&
            typeof value.name === "string" &&
            typeof value.value === "string" &&
            value.value !== "" &&
            CREDENTIAL_KEY.test(value.name.toLowerCase())
        ) {
            refuse(
                under(root, joinPath(at, "value")),
                `an environment variable from a Secret: values.secret: [{ envName: "${value.name}", secretName, secretKey }]`,
            );
        }
        if (
            typeof key === "string" &&
            typeof value === "string" &&
            value !== "" &&
            CREDENTIAL_KEY.test(key.toLowerCase())
        ) {
            refuse(under(root, at), alternativeFor(at));
        }
    });
}

function refuse(path: string, alternative: string): never {
    return invalidInput({
        path,
        given: "a credential (not shown)",
        expected: `no credential in plain Helm values; use ${alternative}`,
        example: 'fernetKeySecretName: "airflow-fernet-key"',
    });
}

function under(root: string, at: string): string {
    return at.startsWith("[") ? `${root}${at}` : `${root}.${at}`;
}

function alternativeFor(at: string): string {
    const match = Object.keys(ALTERNATIVES)
        .filter((prefix) => at === prefix || at.startsWith(`${prefix}.`))
        .sort((a, b) => b.length - a.length)[0];
    return match
        ? ALTERNATIVES[match]
        : "a Kubernetes Secret referenced by name (a `*SecretName` value or values.secret)";
}

/** Visits every value below `value` with its path (`data.metadataConnection.pass`, `env[0]`). */
function walk(
    value: unknown,
    at: string,
    visit: (at: string, key: string | number, value: unknown) => void,
): void {
    const entries: Array<[string | number, unknown]> = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : isPlainObject(value)
          ? Object.entries(value)
          : [];
    for (const [key, child] of entries) {
        const path = joinPath(at, key);
        visit(path, key, child);
        walk(child, path, visit);
    }
}
