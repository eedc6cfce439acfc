import type { AirflowDags, AirflowFernetKey, Executor, RunConfig } from "../airflow";
import type { ExtensionImage, ExtensionInstaller } from "../dags";
import type { DomainConfig, PipelineTls, TaskRoute } from "../ingress";
import type { NamespaceName, SecretName } from "../core";
import type { EcrAuth, GcrWorkloadIdentity } from "../registry";

/**
 * A whole platform, as one stack config key `pipeline-platform:platform` (read with
 * `config.requireObject<PlatformConfig>("platform")`). Credentials never appear in it: fields named
 * `…ConfigKey` name a separate secure config key (`pulumi config set --secret <key> <value>`).
 */
export interface PlatformConfig {
    /** Namespace of the services: Airflow, DAG installers, storage config. Example: `pipeline-services`. */
    servicesNamespace: string;
    /** Projects by name; each gets its own namespace where processing containers run. Example: `{ imaging: { labels: { team: "imaging" } } }`. */
    projects: Record<string, ProjectConfig>;
    /** Container registries; `scope` decides which namespaces get their pull Secret. */
    registries: RegistryConfig[];
    /**
     * External Secrets Operator, needed by registries refreshed in the cluster (ECR, GCR with workload
     * identity). Default `{ install: true }` when such a registry is declared.
     */
    externalSecrets?: { install: true; namespace?: string } | { existing: true };
    /** Contour: installed from the projectcontour chart, or one that exists. */
    contour:
        | { install: true; ingressClassName?: string; rootNamespaces?: string[] }
        | { existing: true; ingressClassName?: string };
    /** Domain suffixes by pipeline labels (the Koalja rule); must contain one entry without selector. Example: `{ "127.0.0.1.nip.io": {} }`. */
    domains: DomainConfig;
    /** S3 storages; `default` is required. */
    storage: { namespace?: string; storages: Record<string, StorageConfig> };
    airflow: AirflowConfig;
    /** Workflow extensions installed into Airflow's DAG volume. Default none. */
    extensions?: ExtensionConfig[];
    /** Pipelines that get a hostname and an HTTPProxy. Default none. */
    pipelines?: PipelineConfig[];
    /**
     * Sets Pulumi's `protect` on every resource that holds data (the platform's namespaces, the
     * buckets, the repositories, the DAG claim, the fernet key and its bytes; README "Data
     * safety"), which are always `retainOnDelete`: deleting or replacing one fails until it is
     * unprotected. Default false; the prod stack turns it on.
     * @example true
     */
    protect?: boolean;
    /**
     * What the cluster provides before the first `pulumi up` and the platform does not create:
     * custom resource kinds installed by someone else, storage classes, issuers, and Secrets or
     * ServiceAccounts other teams manage. `render` fails on any name an object uses that is neither
     * created by the stack nor declared here, and lists what is declared in `prerequisites.yaml`.
     * The database Secret of `airflow.database.external`, the pipelines' Services and the kinds of an
     * `existing` Contour or External Secrets Operator need no entry. Default none.
     */
    prerequisites?: ClusterPrerequisites;
}

/** Objects and custom resource kinds the cluster already has; see {@link PlatformConfig.prerequisites}. */
export interface ClusterPrerequisites {
    /**
     * Custom resource kinds whose CRDs are installed by someone else.
     * @example ["Certificate.cert-manager.io"]
     */
    crds?: CustomResourceKind[];
    /**
     * Namespaces that exist.
     * @example ["monitoring"]
     */
    namespaces?: NamespaceName[];
    /**
     * StorageClasses that exist.
     * @example ["efs-sc"]
     */
    storageClasses?: SecretName[];
    /**
     * cert-manager ClusterIssuers that exist.
     * @example ["letsencrypt"]
     */
    clusterIssuers?: SecretName[];
    /**
     * cert-manager Issuers that exist.
     * @example [{ "namespace": "imaging", "name": "internal-ca" }]
     */
    issuers?: PrerequisiteObject[];
    /**
     * Secrets that exist; with `keys`, reading any other key is an error.
     * @example [{ "namespace": "pipeline-services", "name": "airflow-database", "keys": ["connection"] }]
     */
    secrets?: PrerequisiteObject[];
    /**
     * ConfigMaps that exist; with `keys`, reading any other key is an error.
     * @example [{ "namespace": "imaging", "name": "pipeline-settings" }]
     */
    configMaps?: PrerequisiteObject[];
    /**
     * ServiceAccounts that exist, e.g. the IRSA or workload-identity accounts token generators use.
     * @example [{ "namespace": "imaging", "name": "ecr-token-refresher" }]
     */
    serviceAccounts?: PrerequisiteObject[];
    /**
     * PersistentVolumeClaims that exist.
     * @example [{ "namespace": "imaging", "name": "shared-data" }]
     */
    persistentVolumeClaims?: PrerequisiteObject[];
    /**
     * Services that exist (deployed by their own teams).
     * @example [{ "namespace": "imaging", "name": "segmentation" }]
     */
    services?: PrerequisiteObject[];
    /**
     * Objects of any other kind; `namespace` only for namespaced kinds.
     * @example [{ "kind": "ClusterSecretStore", "name": "vault" }]
     */
    objects?: Array<{ kind: string; namespace?: NamespaceName; name: SecretName }>;
}

/**
 * A custom resource kind as `<Kind>.<group>`: the kind as written in manifests, then its API group.
 * @pattern ^[A-Z][A-Za-z0-9]*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$
 * @example "HTTPProxy.projectcontour.io"
 */
export type CustomResourceKind = string;

/** A namespaced object the cluster provides. */
export interface PrerequisiteObject {
    /** @example "imaging" */
    namespace: NamespaceName;
    /** @example "segmentation" */
    name: SecretName;
    /**
     * Keys it holds (Secrets and ConfigMaps). Default: not checked.
     * @uniqueItems true
     * @example ["connection"]
     */
    keys?: string[];
}

export interface ProjectConfig {
    /** Default: `dnsLabel(<project name>)`. Example: `imaging`. */
    namespace?: string;
    /** Namespace labels; registry secrets with a `namespaceSelector` match them. Example: `{ team: "imaging" }`. */
    labels?: Record<string, string>;
}

/** Which namespaces a registry's pull Secret serves: projects, services, or both. */
export type RegistryConfigScope = "project" | "service" | "both";

interface RegistryCommon {
    /** Unique name; the extensions refer to registries by it. Example: `local`. */
    name: string;
    scope: RegistryConfigScope;
    /** An image checked against the registry during `pulumi up`, without protocol. Default: none. */
    testPullImage?: string;
}

export type RegistryConfig =
    | (RegistryCommon & {
          location: "off-cluster";
          /** Example: `https://registry.example.com:5000/team`. */
          url: string;
          username: string;
          /** Secure config key holding the password. Example: `registryPassword`. */
          passwordConfigKey: string;
      })
    | (RegistryCommon & {
          location: "ecr";
          /** Example: `eu-central-1`. */
          region: string;
          registryId?: string;
          /** Default `6h`. */
          refreshInterval?: string;
          auth?: EcrAuth;
      })
    | (RegistryCommon & {
          location: "gcr";
          /** Default `https://gcr.io`. Example: `https://europe-west4-docker.pkg.dev/my-project/pipelines`. */
          url?: string;
          /** Secure config key holding a service-account JSON key; exactly one of this and `workloadIdentity`. */
          serviceAccountKeyConfigKey?: string;
          workloadIdentity?: GcrWorkloadIdentity;
          /** Default `30m`. */
          refreshInterval?: string;
      });

export type StorageConfig =
    | { provider: "aws"; region: string; bucket?: string; create?: boolean }
    | { provider: "gcp"; location: string; bucket?: string; create?: boolean }
    | {
          provider: "external";
          /** With scheme. Example: `http://minio.minio.svc:9000`. */
          endpoint: string;
          bucket: string;
          /** Secure config key holding the access key. Example: `storageAccessKey`. */
          accessKeyConfigKey: string;
          /** Secure config key holding the secret key. Example: `storageSecretKey`. */
          secretKeyConfigKey: string;
      };

export interface AirflowConfig {
    /** Default: `servicesNamespace`. */
    namespace?: string;
    /** Default `KubernetesExecutor`. */
    executor?: Executor;
    /** `{ bundled: true }` for development, `{ external: { secretName } }` (a Secret with a `connection` key) otherwise. */
    database: { bundled: true } | { external: { secretName: string } };
    dags?: AirflowDags;
    /** Remote task logs in this storage (a key of `storage.storages`). Default: logs stay in the pods. */
    logsStorage?: string;
    /** Web UI hostname label under the default domain, and TLS. Default: no ingress. */
    ingress?: { pipeline?: string; tls?: PipelineTls };
    runConfig?: RunConfig;
    /** Rotations of the fernet key (README "Rotating the fernet key"). Default: one key, kept. */
    fernetKey?: AirflowFernetKey;
}

export interface ExtensionConfig {
    /** Example: `otsus-method`. */
    name: string;
    /** Semver. Example: `1.0.0`. */
    version: string;
    /** Name of the registry (scope `project` or `both`) processing images go to. */
    projectRegistry: string;
    /** Name of the registry (scope `service` or `both`) the DAG installer image goes to. */
    serviceRegistry: string;
    processingImages?: ExtensionImage[];
    installer: ExtensionInstaller;
    /** Projects whose DAGs use this extension; its image references go into their namespaces. Default: every project. Example: `[imaging]`. */
    projects?: string[];
    /** Create the ECR / Artifact Registry repositories. Default false. */
    createRepositories?: boolean;
}

export interface PipelineConfig {
    /** First label of the hostname. Example: `segmentation`. */
    name: string;
    /** A project's namespace. Example: `imaging`. */
    namespace: string;
    /** Pipeline labels the domain suffix is selected by. Example: `{ visibility: "public" }`. */
    labels?: Record<string, string>;
    /** The pipeline's Service and port. */
    service: string;
    port: number;
    tasks?: TaskRoute[];
    tls?: PipelineTls;
}
