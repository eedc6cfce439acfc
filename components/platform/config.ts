import type {
    AirflowCelery,
    AirflowDags,
    AirflowFernetKey,
    AirflowGitDags,
    Executor,
    RunConfig,
    VolumeAccessMode,
} from "../airflow";
import type {
    ConfigKeyName,
    Duration,
    Labels,
    NamespaceName,
    ObjectName,
    SecretName,
} from "../core";
import type { ExtensionImage, ExtensionInstaller, KaapanaTarget } from "../dags";
import type { DomainConfig, IngressClassName, PipelineTls, TaskRoute } from "../ingress";
import type { MonitoringAlerts, MonitoringRule } from "../monitoring";
import type { EcrRegistry, GcrRegistry, OffClusterRegistry } from "../registry";
import type { CloudWorkloadIdentity } from "../identity";
import type { AwsStorage, ExternalStorage, GcpStorage } from "../storage";
import type {
    Cidr,
    DnsServers,
    EgressDestination,
    FenceLimits,
    FencePort,
    FenceQuota,
    KubernetesApiEgress,
    PodPort,
} from "../tenancy";

/**
 * A whole platform, as one stack config key `pipeline-platform:platform` (read with
 * `config.requireObject<PlatformConfig>("platform")`). Credentials never appear in it: fields named
 * `…ConfigKey` name a separate secure config key (`pulumi config set --secret <key> <value>`).
 */
export interface PlatformConfig {
    /**
     * Namespace of the services: Airflow, DAG installers, storage config.
     * @example "pipeline-services"
     */
    servicesNamespace: NamespaceName;
    /**
     * Projects by name (a DNS label); each gets its own namespace where processing containers run.
     * @minProperties 1
     * @propertyNames { "format": "dns-label" }
     * @example { "imaging": { "labels": { "team": "imaging" } } }
     */
    projects: Record<string, ProjectConfig>;
    /**
     * Container registries; `scope` decides which namespaces get their pull Secret.
     * @minItems 1
     */
    registries: RegistryConfig[];
    /**
     * External Secrets Operator, needed by registries refreshed in the cluster (ECR, GCR with workload
     * identity). Default `{ install: true }` when such a registry is declared.
     * @example { "existing": true }
     */
    externalSecrets?: ExternalSecretsConfig;
    /** Contour: installed from the projectcontour chart, or one that exists. */
    contour: ContourConfig;
    /** Domain suffixes by pipeline labels (the Koalja rule); must contain one entry without selector. */
    domains: DomainConfig;
    /** S3 storages; `default` is required. */
    storage: StorageSection;
    /** The Airflow deployment. */
    airflow: AirflowConfig;
    /**
     * Workflow extensions installed into Airflow's DAG volume. Default none.
     * @example [{ "name": "otsus-method", "version": "1.0.0", "projectRegistry": "local", "serviceRegistry": "local", "installer": { "context": "extension" } }]
     */
    extensions?: ExtensionConfig[];
    /**
     * An existing Kaapana platform (0.6.0) in the cluster, which extensions with `target: "kaapana"`
     * install into. Default: none.
     * @example { "registryUrl": "registry.example.com/kaapana", "buildVersion": "0.6.0", "mainNodeName": "kaapana-main" }
     */
    kaapana?: KaapanaConfig;
    /**
     * Pipelines that get a hostname and an HTTPProxy. Default none.
     * @example [{ "name": "segmentation", "namespace": "imaging", "service": "segmentation-ui", "port": 80 }]
     */
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
     * The fences of every project namespace: NetworkPolicies, LimitRange and ResourceQuota. A
     * project's own `fence` replaces these field by field. Default: ingress only from Envoy to the
     * pipelines' ports and from Airflow where its executor needs it, egress only to DNS and Airflow,
     * limits and quota derived from `airflow.runConfig.resources`.
     * @example { "egress": { "to": [{ "storage": "default" }] }, "quota": { "tasks": 20 } }
     */
    fences?: FenceConfig;
    /**
     * What the cluster provides before the first `pulumi up` and the platform does not create:
     * custom resource kinds installed by someone else, storage classes, issuers, and Secrets or
     * ServiceAccounts other teams manage. `render` fails on any name an object uses that is neither
     * created by the stack nor declared here, and lists what is declared in `prerequisites.yaml`.
     * The database Secret of `airflow.database.external`, the pipelines' Services and the kinds of an
     * `existing` Contour or External Secrets Operator need no entry. Default none.
     */
    prerequisites?: ClusterPrerequisites;
    /**
     * Prometheus Operator monitoring of the platform (README "Monitoring"). Its kinds
     * (`ServiceMonitor`, `PodMonitor`, `PrometheusRule` of `monitoring.coreos.com`) must be in
     * `prerequisites.crds` or installed by a chart of the stack. Default: off.
     * @example { enabled: true, selectorLabels: { release: "kube-prometheus-stack" } }
     */
    monitoring?: MonitoringConfig;
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
     * The access modes each StorageClass's provisioner binds, by class (one of `storageClasses`). A
     * claim the platform plans on such a class with another mode is refused at preview: it would
     * stay Pending. kind's and k3d's local-path provisioner binds `ReadWriteOnce` only; EFS, Filestore
     * or NFS provisioners bind `ReadWriteMany` too. Default: not checked.
     * @propertyNames { "format": "dns-subdomain" }
     * @example { "standard": ["ReadWriteOnce"] }
     */
    storageClassAccessModes?: Record<string, BoundAccessModes>;
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
 * The access modes a StorageClass's provisioner binds.
 * @minItems 1
 * @uniqueItems true
 * @example ["ReadWriteOnce"]
 */
export type BoundAccessModes = VolumeAccessMode[];

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

/** External Secrets Operator: installed by the platform, or one that exists. */
export type ExternalSecretsConfig =
    | {
          install: true;
          /**
           * Namespace of the operator. Default `external-secrets`.
           * @example "external-secrets"
           */
          namespace?: NamespaceName;
      }
    | { existing: true };

/** Contour: installed from the projectcontour chart, or one that exists. */
export type ContourConfig =
    | {
          install: true;
          /**
           * The IngressClass Contour serves. Default `contour`.
           * @example "contour"
           */
          ingressClassName?: IngressClassName;
          /**
           * Namespaces root HTTPProxies may live in. Default: all.
           * @uniqueItems true
           * @example ["projectcontour", "imaging"]
           */
          rootNamespaces?: NamespaceName[];
          /**
           * Namespace Contour and Envoy run in; the project fences let Envoy reach the pipelines.
           * Default `projectcontour`.
           * @example "projectcontour"
           */
          namespace?: NamespaceName;
      }
    | {
          existing: true;
          /**
           * The IngressClass the existing Contour serves. Default `contour`.
           * @example "contour"
           */
          ingressClassName?: IngressClassName;
          /**
           * Namespace the existing Contour's Envoy runs in; the project fences let it reach the
           * pipelines. Default `projectcontour`.
           * @example "projectcontour"
           */
          namespace?: NamespaceName;
      };

export interface ProjectConfig {
    /**
     * The project's namespace. Default: the project's name.
     * @example "imaging"
     */
    namespace?: NamespaceName;
    /** Namespace labels; registry secrets with a `namespaceSelector` match them. */
    labels?: Labels;
    /**
     * This project's fences; each field given replaces the same field of the platform's `fences`.
     * Default: the platform's `fences`.
     * @example { "quota": { "hard": { "requests.cpu": "64", "requests.memory": "256Gi" } } }
     */
    fence?: FenceConfig;
}

/** The fences of a project namespace (a `ProjectFence`). */
export interface FenceConfig {
    /**
     * Ports of the project's pods Envoy may reach; every pipeline's port must be among them.
     * Default: the pipelines' ports (`targetPort`, else `port`, and their task routes' ports).
     * @uniqueItems true
     * @example [8080]
     */
    ingressPorts?: PodPort[];
    /**
     * Labels of Envoy's pods, to admit only them from Contour's namespace. Default: every pod there.
     * @example { "app.kubernetes.io/component": "envoy" }
     */
    ingressPodSelector?: Labels;
    /**
     * Pods of the project reach each other (a pipeline's service calls its task services).
     * Default true.
     * @example true
     */
    sameNamespace?: boolean;
    /**
     * Where the project's pods may connect besides DNS and Airflow. Default: nowhere else.
     * @example { "to": [{ "storage": "default" }, { "cidr": "10.20.0.0/16", "ports": [{ "port": 5432 }] }] }
     */
    egress?: FenceEgressConfig;
    /**
     * The LimitRange. Default: derived from `airflow.runConfig.resources` (`__default__`'s requests
     * and limits as defaults, the largest limits as the max).
     * @example { "max": { "memory": "128Gi" } }
     */
    limits?: FenceLimits;
    /**
     * The ResourceQuota. Default: 10 `__default__` task pods, at least one of each profile.
     * @example { "tasks": 20 }
     */
    quota?: FenceQuota;
}

/** Egress of a project namespace: a `ProjectFence`'s, with storages and registries by name. */
export interface FenceEgressConfig {
    /**
     * No egress policy: the project's pods reach any address. Default false.
     * @example false
     */
    unrestricted?: boolean;
    /**
     * The DNS servers. Default: the cluster DNS pods in `kube-system`, port 53.
     * @example { "cidrs": ["169.254.20.10/32"] }
     */
    dns?: DnsServers;
    /**
     * The Kubernetes API server, for pods that call it. Default: not reachable.
     * @example { "cidrs": ["172.20.0.0/16"], "ports": [443] }
     */
    kubernetesApi?: KubernetesApiEgress;
    /**
     * Destinations: address ranges, namespaces, services by URL, or a storage or registry of this
     * config by name (its endpoint; a host outside the cluster needs `cidrs`). Default none.
     * @example [{ "storage": "default" }, { "registry": "partner", "cidrs": ["203.0.113.0/24"] }]
     */
    to?: FenceDestinationConfig[];
}

/** A storage of `storage.storages`, reached at its endpoint. */
export interface StorageDestination {
    /**
     * The storage's name.
     * @example "default"
     */
    storage: string;
    /**
     * The addresses its host stands for (required for a host outside the cluster, which a
     * NetworkPolicy cannot name).
     * @minItems 1
     * @uniqueItems true
     * @example ["0.0.0.0/0"]
     */
    cidrs?: Cidr[];
    /**
     * Ranges inside `cidrs` that stay out of reach, e.g. private ranges and the metadata service.
     * @uniqueItems true
     * @example ["169.254.0.0/16"]
     */
    except?: Cidr[];
    /**
     * The ports its pods listen on, when its Service maps the endpoint's port to another.
     * @minItems 1
     * @example [{ "port": 9000 }]
     */
    ports?: FencePort[];
}

/** A registry of `registries`, reached at its URL's host (pods that push or call its API). */
export interface RegistryDestination {
    /**
     * The registry's name.
     * @example "partner"
     */
    registry: string;
    /**
     * The addresses its host stands for (required for a host outside the cluster).
     * @minItems 1
     * @uniqueItems true
     * @example ["203.0.113.0/24"]
     */
    cidrs?: Cidr[];
    /**
     * Ranges inside `cidrs` that stay out of reach.
     * @uniqueItems true
     * @example ["203.0.113.128/25"]
     */
    except?: Cidr[];
    /**
     * The ports its pods listen on, when its Service maps the URL's port to another.
     * @minItems 1
     * @example [{ "port": 5000 }]
     */
    ports?: FencePort[];
}

/**
 * A destination of a project's pods.
 * @example { "storage": "default" }
 */
export type FenceDestinationConfig = EgressDestination | StorageDestination | RegistryDestination;

/** Which namespaces a registry's pull Secret serves: projects, services, or both. */
export type RegistryConfigScope = "project" | "service" | "both";

export interface RegistryCommon {
    /**
     * Unique name; the extensions refer to registries by it, and it prefixes the pull Secret's name.
     * @maxLength 50
     * @example "local"
     */
    name: ObjectName;
    /**
     * Which namespaces get the pull Secret.
     * @example "both"
     */
    scope: RegistryConfigScope;
    /**
     * An image checked against the registry during `pulumi up`, without protocol. Default: none.
     * @example "registry.example.com/team/hello:1.0.0"
     */
    testPullImage?: string;
}

/** An off-cluster registry whose password is a secure config key. */
export interface OffClusterRegistryConfig
    extends RegistryCommon, Omit<OffClusterRegistry, "password"> {
    /** Secure config key holding the password or token. */
    passwordConfigKey: ConfigKeyName;
}

/** Amazon ECR; tokens are refreshed in the cluster. */
export interface EcrRegistryConfig extends RegistryCommon, EcrRegistry {}

/** GCR or Artifact Registry; the service-account key, if any, is a secure config key. */
export interface GcrRegistryConfig extends RegistryCommon, Omit<GcrRegistry, "serviceAccountKey"> {
    /**
     * Secure config key holding a service-account JSON key; exactly one of this and
     * `workloadIdentity`.
     * @example "gcrKey"
     */
    serviceAccountKeyConfigKey?: ConfigKeyName;
}

export type RegistryConfig = OffClusterRegistryConfig | EcrRegistryConfig | GcrRegistryConfig;

/** An S3-compatible store whose keys are secure config keys. */
export interface ExternalStorageConfig extends Omit<ExternalStorage, "accessKey" | "secretKey"> {
    /**
     * Secure config key holding the access key.
     * @example "storageAccessKey"
     */
    accessKeyConfigKey: ConfigKeyName;
    /**
     * Secure config key holding the secret key.
     * @example "storageSecretKey"
     */
    secretKeyConfigKey: ConfigKeyName;
}

export type StorageConfig = AwsStorage | GcpStorage | ExternalStorageConfig;

export interface StorageSection {
    /**
     * Namespace of Koalja's storage Secrets and ConfigMap; it must exist (declare it in
     * `prerequisites.namespaces`). Default `koalja-system`, where Koalja's S3 filesystem service
     * looks. The Airflow connection Secret goes to the Airflow namespace.
     * @example "koalja-system"
     */
    namespace?: NamespaceName;
    /**
     * Storages by name; `default` is required.
     * @propertyNames { "format": "dns-label" }
     * @example { "default": { "provider": "aws", "region": "eu-central-1", "create": true } }
     */
    storages: Record<string, StorageConfig>;
}

export interface AirflowConfig {
    /**
     * Namespace of Airflow. Default: `servicesNamespace`.
     * @example "pipeline-services"
     */
    namespace?: NamespaceName;
    /** Default `KubernetesExecutor`. */
    executor?: Executor;
    /**
     * `{ bundled: true }` for development, `{ external: { secretName } }` (a Secret with a
     * `connection` key, in the Airflow namespace) otherwise.
     * @example { "external": { "secretName": "airflow-database" } }
     */
    database: { bundled: true } | { external: { secretName: SecretName } };
    /** The DAG volume. */
    dags?: AirflowDags;
    /**
     * Remote task logs in this storage (a key of `storage.storages`). Default: logs stay in the pods.
     * @example "default"
     */
    logsStorage?: string;
    /**
     * Reach `logsStorage` with a workload identity instead of keys: an IAM role (AWS storage) or a
     * Google service account (GCP storage, logs through `gs://`) for Airflow's service accounts, and
     * no connection Secret. Default: the storage's keys, in a connection Secret.
     * @example { "provider": "aws", "oidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE" }
     */
    logsIdentity?: CloudWorkloadIdentity;
    /** Web UI hostname label under the default domain, and TLS. Default: no ingress. */
    ingress?: AirflowIngressConfig;
    /** The kedro-airflow-k8s run configuration: pod templates per resource profile, run settings. */
    runConfig?: RunConfig;
    /** Rotations of the fernet key (README "Rotating the fernet key"). Default: one key, kept. */
    fernetKey?: AirflowFernetKey;
    /**
     * Celery scaling (executor `CeleryExecutor` only): PgBouncer and KEDA worker autoscaling.
     * Default: none.
     * @example { autoscaling: { minWorkers: 1, maxWorkers: 10 } }
     */
    celery?: AirflowCelery;
}

/** The platform's monitoring: monitors for Airflow, Contour and ESO, alerts, a dashboard. */
export interface MonitoringConfig {
    /**
     * The switch: on when the cluster has the Prometheus Operator's CRDs.
     * @example true
     */
    enabled: boolean;
    /**
     * Namespace of the PrometheusRule and the dashboard. Default: `servicesNamespace`.
     * @example "pipeline-services"
     */
    namespace?: NamespaceName;
    /**
     * Labels the Prometheus Operator selects monitors and rules by (kube-prometheus-stack:
     * `release: <its release name>`). Default none.
     * @example { release: "kube-prometheus-stack" }
     */
    selectorLabels?: Labels;
    /**
     * Scrape interval. Default `30s`.
     * @example "30s"
     */
    interval?: Duration;
    /**
     * Alert settings. Default: every alert.
     * @example { taskFailureRatio: 0.5 }
     */
    alerts?: MonitoringAlerts;
    /**
     * Alerts of your own over the exporters' metrics.
     * @example [{ alert: "AirflowPoolStarving", expr: "max(airflow_pool_starving_tasks) > 0", summary: "Tasks wait for pool slots" }]
     */
    rules?: MonitoringRule[];
    /**
     * A Grafana dashboard ConfigMap. Default false.
     * @example true
     */
    dashboard?: boolean;
}

export interface AirflowIngressConfig {
    /**
     * First label of the web UI's hostname. Default `airflow`.
     * @example "airflow"
     */
    pipeline?: ObjectName;
    /** TLS for the web UI. Default: none. */
    tls?: PipelineTls;
}

/** An existing Kaapana platform: what its dag-installer chart reads, and where its workloads run. */
export interface KaapanaConfig extends Omit<KaapanaTarget, "platform"> {
    /**
     * Kaapana's services namespace (`global.services_namespace`), where its installers run. Default `services`.
     * @example "services"
     */
    servicesNamespace?: NamespaceName;
    /**
     * Kaapana's project namespaces (`project-<project>`) whose processing pods pull the extensions'
     * images. Default `["project-admin"]`, Kaapana's default project.
     * @uniqueItems true
     * @example ["project-admin"]
     */
    projectNamespaces?: NamespaceName[];
}

export interface ExtensionConfig {
    /**
     * The extension's name; unique among extensions.
     * @example "otsus-method"
     */
    name: ObjectName;
    /**
     * The extension's version: the installer image tag and the default processing image tag.
     * @format semver
     * @example "1.0.0"
     */
    version: string;
    /**
     * Name of the registry (scope `project` or `both`) processing images go to.
     * @example "local"
     */
    projectRegistry: string;
    /**
     * Name of the registry (scope `service` or `both`) the DAG installer image goes to.
     * @example "local"
     */
    serviceRegistry: string;
    /**
     * Processing-container images; names must be unique. Default: none.
     * @example [{ "name": "otsus-method", "context": "processing-container" }]
     */
    processingImages?: ExtensionImage[];
    /**
     * The DAG installer image: built from a folder, or one that exists. Exactly one of
     * `installer` and `dagsFromGit`.
     * @example { "context": "extension" }
     */
    installer?: ExtensionInstaller;
    /**
     * The extension's DAGs from a git repository: Airflow's git-sync syncs it (one repository per
     * platform; no other extension may then have an installer), the processing images still build.
     * @example { "repository": "https://github.com/example/otsus-method.git", "ref": "v1.0.0", "subPath": "dags" }
     */
    dagsFromGit?: AirflowGitDags;
    /**
     * Where it installs: this platform's Airflow (`pipeline-platform`, the default) or the Kaapana
     * platform of the config's `kaapana` section (`kaapana`).
     * @example "kaapana"
     */
    target?: "pipeline-platform" | "kaapana";
    /**
     * The Kaapana workflow-extension chart folder, relative to the Pulumi project; required with
     * `target: "kaapana"`, refused otherwise.
     * @minLength 1
     * @example "examples/otsus-method/kaapana/otsus-method-workflow"
     */
    chart?: string;
    /**
     * Projects whose DAGs use this extension; its image references go into their namespaces. Default:
     * every project. Not with `target: "kaapana"` (the `kaapana` section names Kaapana's project namespaces).
     * @uniqueItems true
     * @example ["imaging"]
     */
    projects?: string[];
    /**
     * Create the ECR / Artifact Registry repositories. Default false.
     * @example false
     */
    createRepositories?: boolean;
}

export interface PipelineConfig {
    /**
     * First label of the hostname.
     * @example "segmentation"
     */
    name: ObjectName;
    /**
     * A project's namespace.
     * @example "imaging"
     */
    namespace: NamespaceName;
    /** Pipeline labels the domain suffix is selected by. */
    labels?: Labels;
    /**
     * The pipeline's Service.
     * @example "segmentation-ui"
     */
    service: ObjectName;
    /**
     * The Service's port.
     * @asType integer
     * @minimum 1
     * @maximum 65535
     * @example 80
     */
    port: number;
    /**
     * The port the Service's pods listen on, when the Service maps `port` to another: the project's
     * fence lets Envoy reach this one. Default `port`.
     * @example 8080
     */
    targetPort?: PodPort;
    /** Per-task routes under the pipeline's hostname. Default: only `/`. */
    tasks?: TaskRoute[];
    /** TLS for the hostname. Default: none. */
    tls?: PipelineTls;
}
