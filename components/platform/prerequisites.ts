import { appendPath, checkShape, joinPath } from "../core";
import type { ClusterPrerequisites, PlatformConfig, PrerequisiteObject } from "./config";

/** The custom resource kinds the platform creates for Contour (its proxies). */
const CONTOUR_KINDS = ["HTTPProxy.projectcontour.io"];
/** The custom resource kinds the platform creates for External Secrets Operator (registry tokens). */
const EXTERNAL_SECRETS_KINDS = [
    "ExternalSecret.external-secrets.io",
    "ClusterExternalSecret.external-secrets.io",
    "ClusterGenerator.generators.external-secrets.io",
    "ECRAuthorizationToken.generators.external-secrets.io",
    "GCRAccessToken.generators.external-secrets.io",
];

/**
 * Everything a platform config declares the cluster provides: its `prerequisites`, and what other
 * fields say exists already: the Secret of an external Airflow database, the Services behind the
 * pipelines and their task routes, and the custom resource kinds of an `existing` Contour or
 * External Secrets Operator. Reads a config the platform accepted; a malformed `prerequisites` is
 * refused with its path under `configPath` (`pipeline-platform:platform.prerequisites.crds[0]: got …`).
 */
export function declaredPrerequisites(
    config: PlatformConfig,
    configPath = "config",
): ClusterPrerequisites {
    const declared = checkPrerequisites(
        config.prerequisites === undefined ? {} : config.prerequisites,
        joinPath(configPath, "prerequisites"),
    );
    const database = config.airflow?.database;
    const databaseSecret: PrerequisiteObject[] =
        database && "external" in database
            ? [
                  {
                      namespace: config.airflow.namespace ?? config.servicesNamespace,
                      name: database.external.secretName,
                  },
              ]
            : [];
    const services = (config.pipelines ?? []).flatMap((pipeline) =>
        [pipeline.service, ...(pipeline.tasks ?? []).map((task) => task.service)].map(
            (name): PrerequisiteObject => ({ namespace: pipeline.namespace, name }),
        ),
    );
    const crds = [
        ...(config.contour && "existing" in config.contour ? CONTOUR_KINDS : []),
        ...(config.externalSecrets && "existing" in config.externalSecrets
            ? EXTERNAL_SECRETS_KINDS
            : []),
    ];
    return {
        ...declared,
        crds: [...(declared.crds ?? []), ...crds],
        secrets: [...(declared.secrets ?? []), ...databaseSecret],
        services: [...(declared.services ?? []), ...services],
    };
}

/**
 * Checks a {@link ClusterPrerequisites} value's shape (unknown fields refused with the closest one,
 * `<Kind>.<group>` kinds, DNS names) and returns it normalized; a refusal names `path`.
 */
export function checkPrerequisites(value: unknown, path: string): ClusterPrerequisites {
    return checkShape<ClusterPrerequisites>("ClusterPrerequisites", value, {
        label: "",
        path: (relative) => appendPath(path, relative),
    });
}
