import * as pulumi from "@pulumi/pulumi";
import type { AwsRegion, Duration, RegistryUrlText, SecretName } from "../core";

/**
 * Where images live and how to authenticate to it: Deis Workflow's three registry locations, with
 * Kaapana's "New Registry" fields for the off-cluster case.
 * @example { location: "off-cluster", url: "https://registry.example.com/team", username: "robot", password: "<secret>" }
 */
export type RegistryLocation = OffClusterRegistry | EcrRegistry | GcrRegistry;

/**
 * A registry user name: no `:` (it separates user and password in the pull Secret's `auth`) and no
 * control characters.
 * @format registry-username
 * @example "robot$pipelines"
 */
export type RegistryUsername = string;

/** Docker Hub, quay.io, Harbor or any self-hosted registry with long-lived credentials. */
export interface OffClusterRegistry {
    location: "off-cluster";
    /** Where the registry is; the protocol is required, `http://` marks it insecure. */
    url: RegistryUrlText;
    /** The user name; may be an Output. */
    username: pulumi.Input<RegistryUsername>;
    /**
     * The password or token. Kept secret end to end: only ever written into Kubernetes Secrets.
     * @secret
     * @example "config.requireSecret(\"registryPassword\")"
     */
    password: pulumi.Input<string>;
}

/** Amazon ECR: tokens live 12 h and are refreshed in the cluster. */
export interface EcrRegistry {
    location: "ecr";
    /** AWS region of the registry. */
    region: AwsRegion;
    /**
     * 12-digit AWS account id. Default: the account of Pulumi's AWS credentials for `imagePrefix`,
     * and the token's own `proxy_endpoint` for the pull Secret. Set it when the in-cluster
     * credentials belong to another account than Pulumi's.
     * @example "123456789012"
     */
    registryId?: string;
    /** How often the in-cluster token is refreshed; below the token's 12h lifetime. Default `6h`. */
    refreshInterval?: Duration;
    /**
     * How the External Secrets generator authenticates to AWS: a service account with an IAM role
     * (IRSA), or a Secret holding static keys. Default: the External Secrets controller's own
     * environment. External Secrets resolves both in the namespace of each ExternalSecret, so the
     * service account or Secret must exist in every target namespace.
     */
    auth?: EcrAuth;
}

/**
 * How the ECR token generator authenticates: an IRSA service account, or a Secret with static keys.
 * @example { serviceAccount: { name: "ecr-reader" } }
 */
export type EcrAuth = { serviceAccount: EcrServiceAccount } | { secretRef: EcrKeySecretRef };

/**
 * An IAM role ARN.
 * @pattern ^arn:(aws|aws-cn|aws-us-gov):iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$
 * @example "arn:aws:iam::123456789012:role/ecr-reader"
 */
export type IamRoleArn = string;

/**
 * The IRSA service account the ECR generator authenticates with. External Secrets reads it from the
 * namespace of each ExternalSecret that runs the generator and ignores any namespace in the
 * reference, so it has no `namespace`: it must exist in every target namespace.
 */
export interface EcrServiceAccount {
    /**
     * Name of the ServiceAccount in every target namespace.
     * @example "ecr-reader"
     */
    name: SecretName;
    /**
     * The IAM role it assumes (the `eks.amazonaws.com/role-arn` annotation External Secrets reads).
     * With it, the RegistrySecret creates the ServiceAccount, annotated, in every namespace of
     * `namespaces`; without it, the ServiceAccount must exist in each already. Default none.
     * @example "arn:aws:iam::123456789012:role/ecr-reader"
     */
    roleArn?: pulumi.Input<IamRoleArn>;
}

/** A Kubernetes service account, resolved in each target namespace. */
export interface ServiceAccountRef {
    /** @example "ecr-reader" */
    name: SecretName;
}

/** A Secret in each target namespace holding an AWS access key. */
export interface EcrKeySecretRef {
    /** @example "ecr-static-keys" */
    name: SecretName;
    /**
     * Key holding the access key id. Default `access-key-id`.
     * @format secret-key
     * @example "access-key-id"
     */
    accessKeyIdKey?: string;
    /**
     * Key holding the secret access key. Default `secret-access-key`.
     * @format secret-key
     * @example "secret-access-key"
     */
    secretAccessKeyKey?: string;
}

/** Google Container Registry or Artifact Registry. */
export interface GcrRegistry {
    location: "gcr";
    /**
     * Default `https://gcr.io`; Artifact Registry: `https://<region>-docker.pkg.dev/<project>/<repo>`.
     * @example "https://europe-west1-docker.pkg.dev/my-project/pipelines"
     */
    url?: RegistryUrlText;
    /**
     * A service-account JSON key: static `_json_key` credentials. Exactly one of this and
     * `workloadIdentity`.
     * @secret
     * @example "config.requireSecret(\"gcrKey\")"
     */
    serviceAccountKey?: pulumi.Input<string>;
    /**
     * GKE workload identity for a `GCRAccessToken` generator refreshed in the cluster. The Kubernetes
     * service account is resolved in each target namespace.
     */
    workloadIdentity?: GcrWorkloadIdentity;
    /** How often the in-cluster token is refreshed; below the token's 1h lifetime. Default `30m`. */
    refreshInterval?: Duration;
}

export interface GcrWorkloadIdentity {
    /**
     * GCP project id of the registry: 6 to 30 lower-case letters, digits and `-`.
     * @format gcp-project
     * @example "my-project-123"
     */
    projectId: string;
    /**
     * Location of the GKE cluster.
     * @minLength 1
     * @example "europe-west1"
     */
    clusterLocation: string;
    /**
     * Name of the GKE cluster.
     * @minLength 1
     * @example "pipelines"
     */
    clusterName: string;
    /** Kubernetes service account bound to a Google service account. */
    serviceAccount: ServiceAccountRef;
}
