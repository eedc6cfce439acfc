import type { Registration } from "../engine";
import type { Manifest } from "../manifests";

/** Kinds that live outside namespaces, among those an object can create or name. */
const CLUSTER_SCOPED = new Set([
    "APIService",
    "ClusterCloudEventSource",
    "ClusterExternalSecret",
    "ClusterGenerator",
    "ClusterIssuer",
    "ClusterPushSecret",
    "ClusterRole",
    "ClusterRoleBinding",
    "ClusterSecretStore",
    "ClusterTriggerAuthentication",
    "CSIDriver",
    "CustomResourceDefinition",
    "GatewayClass",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PriorityClass",
    "RuntimeClass",
    "StorageClass",
    "ValidatingWebhookConfiguration",
    "VolumeSnapshotClass",
]);

/** Namespaces every cluster has. */
export const BUILT_IN_NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"];

export function isClusterScoped(kind: string): boolean {
    return CLUSTER_SCOPED.has(kind);
}

/** `Kind namespace/name`, as in every other report of the mock engine. */
export function objectLabel(kind: string, namespace: string | undefined, name: string): string {
    return `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
}

/** The namespace a manifest lands in: its own, `default` when a namespaced one names none. */
export function manifestNamespace(manifest: Manifest): string | undefined {
    return isClusterScoped(manifest.kind) ? undefined : (manifest.metadata.namespace ?? "default");
}

/** A Kubernetes object that exists once the program ran, or that the cluster is declared to have. */
export interface ClusterObject {
    kind: string;
    /** Undefined for cluster-scoped kinds. */
    namespace?: string;
    name: string;
    /** The registration that creates it; undefined for a declared prerequisite or a built-in. */
    createdBy?: Registration;
    /** How `createdBy` creates it when it is not the object itself, e.g. `its target Secret`. */
    via?: string;
    /** Keys of a Secret or ConfigMap, when known. */
    keys?: string[];
    /** True for what the config declares the cluster provides. */
    declared?: boolean;
}

/** Index of the objects that exist, by kind, namespace and name. */
export class ObjectIndex {
    private readonly byKey = new Map<string, ClusterObject>();

    constructor(objects: Iterable<ClusterObject>) {
        for (const object of objects) {
            // The first one wins: program objects come before declarations, so an object both created
            // and declared counts as created.
            const key = ObjectIndex.key(object.kind, object.namespace, object.name);
            if (!this.byKey.has(key)) {
                this.byKey.set(key, object);
            }
        }
    }

    private static key(kind: string, namespace: string | undefined, name: string): string {
        return `${kind}\n${namespace ?? ""}\n${name}`;
    }

    get(kind: string, namespace: string | undefined, name: string): ClusterObject | undefined {
        return this.byKey.get(ObjectIndex.key(kind, namespace, name));
    }

    /** Names of the objects of a kind in a namespace (or cluster-wide), sorted. */
    names(kind: string, namespace: string | undefined): string[] {
        return [...this.byKey.values()]
            .filter((o) => o.kind === kind && o.namespace === namespace)
            .map((o) => o.name)
            .sort();
    }

    /** Namespaces holding an object of that kind and name, sorted. */
    namespacesOf(kind: string, name: string): string[] {
        return [...this.byKey.values()]
            .filter((o) => o.kind === kind && o.name === name && o.namespace !== undefined)
            .map((o) => o.namespace!)
            .sort();
    }
}
