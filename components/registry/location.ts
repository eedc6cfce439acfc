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
    /**
     * 12-digit AWS account id, e.g. `123456789012`. Default: the account of Pulumi's AWS credentials
     * for `imagePrefix`, and the token's own `proxy_endpoint` for the pull Secret. Set it when the
     * in-cluster credentials belong to another account than Pulumi's.
     */
    registryId?: string;
    /** How often the in-cluster token is refreshed (Go duration, below 12h). Default `6h`. */
    refreshInterval?: string;
    /**
     * How the External Secrets generator authenticates to AWS: a service account with an IAM role
     * (IRSA), or a Secret holding static keys. Default: the External Secrets controller's own
     * environment. External Secrets resolves both in the namespace of each ExternalSecret, so the
     * service account or Secret must exist in every target namespace.
     */
    auth?: EcrAuth;
}

export type EcrAuth =
    | { serviceAccount: { name: string } }
    | {
          secretRef: {
              name: string;
              /** Key holding the access key id. Default `access-key-id`. */
              accessKeyIdKey?: string;
              /** Key holding the secret access key. Default `secret-access-key`. */
              secretAccessKeyKey?: string;
          };
      };

/** Google Container Registry or Artifact Registry. */
export interface GcrRegistry {
    location: "gcr";
    /** Default `https://gcr.io`; Artifact Registry: `https://<region>-docker.pkg.dev/<project>/<repo>`. */
    url?: string;
    /** A service-account JSON key: static `_json_key` credentials. Exactly one of this and `workloadIdentity`. */
    serviceAccountKey?: pulumi.Input<string>;
    /**
     * GKE workload identity for a `GCRAccessToken` generator refreshed in the cluster. The Kubernetes
     * service account is resolved in each target namespace.
     */
    workloadIdentity?: GcrWorkloadIdentity;
    /** How often the in-cluster token is refreshed (Go duration, below 1h). Default `30m`. */
    refreshInterval?: string;
}

export interface GcrWorkloadIdentity {
    /** GCP project id of the registry, e.g. `my-project-123`. */
    projectId: string;
    /** Location of the GKE cluster, e.g. `europe-west1`. */
    clusterLocation: string;
    /** Name of the GKE cluster, e.g. `pipelines`. */
    clusterName: string;
    /** Kubernetes service account bound to a Google service account, e.g. `{ name: "registry-reader" }`. */
    serviceAccount: { name: string };
}
