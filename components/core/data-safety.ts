import type * as pulumi from "@pulumi/pulumi";

/**
 * The resources that hold data, or a key whose loss loses data: the one list the components, the
 * render (its data-safety view and its diff's danger list), the URN inventory and the tests read.
 * Each is created `retainOnDelete` (Pulumi forgets it instead of deleting it) and, when the
 * component's `protect` is on, `protect` (Pulumi refuses to delete or replace it).
 */
export const STATEFUL_RESOURCES = {
    "s3-bucket": {
        type: "aws:s3/bucket:Bucket",
        holds: "the pipelines' objects (data and task logs) in the S3 bucket",
        replacedOn: ["bucket", "bucketPrefix", "region"],
    },
    "gcs-bucket": {
        type: "gcp:storage/bucket:Bucket",
        holds: "the pipelines' objects (data and task logs) in the Cloud Storage bucket",
        replacedOn: ["name", "location", "project"],
    },
    "ecr-repository": {
        type: "aws:ecr/repository:Repository",
        holds: "the pushed images: pods pinned to their digests can no longer pull them",
        replacedOn: ["name", "region"],
    },
    "artifact-repository": {
        type: "gcp:artifactregistry/repository:Repository",
        holds: "the pushed images: pods pinned to their digests can no longer pull them",
        replacedOn: ["repositoryId", "location", "project", "format", "mode"],
    },
    "volume-claim": {
        type: "kubernetes:core/v1:PersistentVolumeClaim",
        holds: "the files on its volume (the platform's DAG claim holds every installed DAG)",
        // Everything in a claim's spec is immutable except a larger size; the provider replaces.
        replacedOn: [
            "metadata.name",
            "metadata.namespace",
            "spec.accessModes",
            "spec.dataSource",
            "spec.selector",
            "spec.storageClassName",
            "spec.volumeMode",
            "spec.volumeName",
        ],
    },
    "fernet-key": {
        type: "kubernetes:core/v1:Secret",
        role: /-fernet-key$/,
        holds: "Airflow's fernet key: without it the connections and variables encrypted in Airflow's database cannot be read",
        replacedOn: ["metadata.name", "metadata.namespace", "type"],
    },
    "fernet-key-source": {
        type: "random:index/randomBytes:RandomBytes",
        role: /-fernet-key-bytes(-[a-z0-9-]+)?$/,
        holds: "the bytes of one Airflow fernet key: new bytes are a new key, and what the old one encrypted cannot be read",
        replacedOn: ["length", "keepers"],
    },
    "platform-namespace": {
        type: "kubernetes:core/v1:Namespace",
        label: "pipeline-platform.io/namespace-role",
        holds: "every claim and Secret in it (the DAG claim and the fernet key in the services namespace), whatever their own options: deleting a namespace deletes its contents",
        replacedOn: ["metadata.name"],
    },
} as const satisfies Record<string, StatefulResource>;

/** One kind of resource that holds data; see {@link STATEFUL_RESOURCES}. */
export interface StatefulResource {
    /** Pulumi type token. */
    type: string;
    /**
     * When only some resources of the type hold data: the end of their resource name (components
     * name a child `<component>-<role>`).
     */
    role?: RegExp;
    /** When only some resources of the type hold data: a label their Kubernetes object carries. */
    label?: string;
    /** What is lost with the resource. */
    holds: string;
    /** Input paths (engine syntax) whose change makes Pulumi replace the resource. */
    replacedOn: readonly string[];
}

export type StatefulKind = keyof typeof STATEFUL_RESOURCES;

/**
 * The kind of a registered resource when it holds data (see {@link STATEFUL_RESOURCES}), else
 * undefined. `inputs` are the resource's inputs (a Kubernetes object's labels decide for namespaces).
 */
export function statefulKind(
    type: string,
    name: string,
    inputs?: { metadata?: { labels?: Record<string, unknown> } },
): StatefulKind | undefined {
    for (const [kind, spec] of Object.entries(STATEFUL_RESOURCES) as Array<
        [StatefulKind, StatefulResource]
    >) {
        if (
            spec.type === type &&
            (spec.role === undefined || spec.role.test(name)) &&
            (spec.label === undefined || inputs?.metadata?.labels?.[spec.label] !== undefined)
        ) {
            return kind;
        }
    }
    return undefined;
}

/**
 * The options of a resource that holds data: always `retainOnDelete`; `protect` when asked. Without
 * `protect`, the resource inherits its parent's, as every Pulumi resource does.
 */
export function statefulOptions(
    protect: boolean | undefined,
): Pick<pulumi.CustomResourceOptions, "retainOnDelete" | "protect"> {
    return protect ? { retainOnDelete: true, protect: true } : { retainOnDelete: true };
}
