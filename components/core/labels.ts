/** The modules whose objects carry `app.kubernetes.io/component`. */
export type ModuleName =
    | "registry"
    | "images"
    | "dags"
    | "ingress"
    | "storage"
    | "airflow"
    | "monitoring"
    | "tenancy"
    | "identity"
    | "platform";

/**
 * The labels every Kubernetes object of the package carries (ARCHITECTURE rule 7), plus `extra`.
 * Standard keys win over `extra` so a caller cannot relabel an object as unmanaged.
 */
export function standardLabels(
    module: ModuleName,
    extra: Record<string, string> = {},
): Record<string, string> {
    return {
        ...extra,
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/part-of": "pipeline-platform",
        "app.kubernetes.io/component": module,
    };
}
