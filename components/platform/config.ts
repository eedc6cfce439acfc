import type { AirflowDags, Executor, RunConfig } from "../airflow";
import type { ExtensionImage, ExtensionInstaller } from "../dags";
import type { DomainConfig, PipelineTls, TaskRoute } from "../ingress";
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
