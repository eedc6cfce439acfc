import * as pulumi from "@pulumi/pulumi";

/**
 * Where images live and how to authenticate to it: Deis Workflow's three registry locations, with
 * Kaapana's "New Registry" fields for the off-cluster case.
 */
export type RegistryLocation = OffClusterRegistry | EcrRegistry | GcrRegistry;

/** Docker Hub, quay.io, Harbor or any self-hosted registry with long-lived credentials. */
export interface OffClusterRegistry {
    location: "off-cluster";
    /** `<protocol>://<host>[:<port>][/<repository path>]`, e.g. `https://registry.example.com:5000/team`. */
    url: string;
    username: pulumi.Input<string>;
    /** Kept secret end to end: only ever written into Kubernetes Secrets. */
    password: pulumi.Input<string>;
}

/** Amazon ECR: tokens live 12 h and are refreshed in the cluster. */
export interface EcrRegistry {
    location: "ecr";
    /** AWS region of the registry, e.g. `eu-central-1`. */
    region: string;
    /** 12-digit AWS account id; default: the account of the credentials. */
    registryId?: string;
    /** How often the in-cluster token is refreshed (Go duration, below 12h). Default `6h`. */
    refreshInterval?: string;
    /**
     * How the External Secrets generator authenticates to AWS: a service account with an IAM role
     * (IRSA), or a Secret holding static keys. Default: the generator's own environment.
     */
    auth?: EcrAuth;
}

export type EcrAuth =
    | { serviceAccount: { name: string; namespace?: string } }
    | { secretRef: { name: string; namespace?: string; accessKeyIdKey?: string; secretAccessKeyKey?: string } };

/** Google Container Registry or Artifact Registry. */
export interface GcrRegistry {
    location: "gcr";
    /** Default `https://gcr.io`; Artifact Registry: `https://<region>-docker.pkg.dev/<project>/<repo>`. */
    url?: string;
    /** A service-account JSON key: static `_json_key` credentials. Exactly one of this and `workloadIdentity`. */
    serviceAccountKey?: pulumi.Input<string>;
    /** GKE workload identity for a `GCRAccessToken` generator refreshed in the cluster. */
    workloadIdentity?: { projectId: string; clusterLocation: string; clusterName: string; serviceAccount: { name: string; namespace?: string } };
    /** How often the in-cluster token is refreshed (Go duration, below 1h). Default `30m`. */
    refreshInterval?: string;
}
