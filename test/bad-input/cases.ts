// The bad-input catalog: one row per malformed input, across every component. A row added for a bug
// stays forever. Each row builds a program whose last component gets one broken value; the runner
// (catalog.test.ts) checks the error type, the property path, what the message asks for and its
// example, and that nothing but the failing component itself was registered.
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import {
    AirflowDeployment,
    type AirflowDeploymentArgs,
    type RunConfig,
} from "../../components/airflow";
import {
    DagInstallerChart,
    WorkflowExtension,
    type DagInstallerChartArgs,
    type WorkflowExtensionArgs,
} from "../../components/dags";
import { ProcessingImage, type ProcessingImageArgs } from "../../components/images";
import {
    ContourIngress,
    KoaljaDomainConfig,
    PipelineIngress,
    pipelineHostname,
    selectDomainSuffix,
    type ContourIngressArgs,
    type KoaljaDomainConfigArgs,
    type PipelineIngressArgs,
} from "../../components/ingress";
import {
    RegistrySecret,
    type RegistryLocation,
    type RegistrySecretArgs,
} from "../../components/registry";
import { PipelinePlatform, type PlatformConfig } from "../../components/platform";
import { S3Storage, type S3StorageArgs } from "../../components/storage";
import { readStackConfig } from "../../bin/render";

export interface BadInputCase {
    /** The component (or function) under test, as the table groups it. */
    component: string;
    /** What is wrong, in the user's words. */
    title: string;
    /** Builds the program: the failing component is always named `bad`. */
    program: () => unknown;
    /** `InputPropertyError.propertyPath`. */
    path: string;
    /** A fragment of what the message says is expected. */
    says: string;
    /** The example of a good value the message gives (`e.g. <example>`); none for an unknown key. */
    example?: string;
    /** Names of resources a valid earlier part of the program registers before the failure. */
    before?: string[];
    /** How the message names the component instance; default `<component> "bad"`. */
    label?: string;
}

/** The failing component's resource name in every case. */
export const BAD = "bad";

const context = path.relative(process.cwd(), path.join(__dirname, "../fixtures/images/context"));
const offCluster: RegistryLocation = {
    location: "off-cluster",
    url: "https://registry.example.com/team",
    username: "robot",
    password: pulumi.secret("not-a-real-password"),
};
const gcrKey = JSON.stringify({
    type: "service_account",
    client_email: "reader@my-project-123.iam.gserviceaccount.com",
    private_key: "not-a-real-key",
});

const registrySecret = (args: Partial<RegistrySecretArgs>) => () =>
    new RegistrySecret(BAD, {
        registry: offCluster,
        scope: "project",
        namespaces: ["project-a"],
        ...args,
    } as RegistrySecretArgs);
const withRegistry = (registry: Record<string, unknown>) =>
    registrySecret({ registry: registry as unknown as RegistryLocation });

const processingImage = (args: Partial<ProcessingImageArgs>) => () =>
    new ProcessingImage(BAD, {
        context,
        registry: offCluster,
        name: "otsus-method",
        tag: "1.0.0",
        ...args,
    } as ProcessingImageArgs);

const dagInstaller = (args: Partial<DagInstallerChartArgs>) => () =>
    new DagInstallerChart(BAD, {
        image: { imageName: "registry.example.com/team/dag-otsus-method:1.0.0" },
        namespace: "services",
        imagePullSecrets: ["registry-service"],
        dagsClaimName: "airflow-dags",
        ...args,
    } as DagInstallerChartArgs);

const extensionArgs: WorkflowExtensionArgs = {
    version: "1.0.0",
    projectRegistry: { registry: offCluster, scope: "project", secretName: "registry-project" },
    serviceRegistry: { registry: offCluster, scope: "service", secretName: "registry-service" },
    processingImages: [{ name: "otsus-method", context }],
    installer: { context },
    namespace: "services",
    dagsClaimName: "airflow-dags",
    projectNamespaces: ["project-a"],
};
const extension = (args: Partial<WorkflowExtensionArgs>) => () =>
    new WorkflowExtension(BAD, { ...extensionArgs, ...args } as WorkflowExtensionArgs);

const contour = (args: Record<string, unknown>) => () =>
    new ContourIngress(BAD, args as ContourIngressArgs);

const ingressArgs: PipelineIngressArgs = {
    pipeline: "otsu",
    namespace: "imaging",
    domains: { "example.com": {} },
    service: { name: "otsu-frontend", port: 80 },
};
const ingress = (args: Record<string, unknown>) => () =>
    new PipelineIngress(BAD, { ...ingressArgs, ...args } as PipelineIngressArgs);
const koaljaDomains = (domains: unknown) => () =>
    new KoaljaDomainConfig(BAD, { domains } as KoaljaDomainConfigArgs);

const external = {
    provider: "external",
    endpoint: "http://minio.storage:9000",
    bucket: "pipelines",
    accessKey: pulumi.secret("not-a-real-access-key"),
    secretKey: pulumi.secret("not-a-real-secret-key"),
};
const storage = (args: Record<string, unknown>) => () =>
    new S3Storage(BAD, { storages: { default: external }, ...args } as S3StorageArgs);
const storages = (specs: Record<string, unknown>) => storage({ storages: specs });

const airflowArgs: AirflowDeploymentArgs = {
    namespace: "airflow",
    database: { bundled: true },
    projectNamespaces: ["imaging"],
};
const airflow = (args: Record<string, unknown>) => () =>
    new AirflowDeployment(BAD, { ...airflowArgs, ...args } as AirflowDeploymentArgs);
const runConfig = (config: Record<string, unknown>) => airflow({ runConfig: config as RunConfig });
const profile = (fields: Record<string, unknown>) =>
    runConfig({ resources: { __default__: fields } });

// The stack config: the dev stack's platform config with one value broken, as PipelinePlatform gets it.
// The dev stack declares extensions and pipelines; a changed config may be anything, it is bad input.
type DevPlatformConfig = PlatformConfig &
    Required<Pick<PlatformConfig, "extensions" | "pipelines">>;
const devPlatform = (): DevPlatformConfig =>
    JSON.parse(
        readStackConfig(path.join(__dirname, "../.."), "dev").config["pipeline-platform:platform"],
    );
const devSecrets = {
    registryPassword: "not-a-real-password",
    storageAccessKey: "not-a-real-access-key",
    storageSecretKey: "not-a-real-secret-key",
};
const platform =
    (
        change: (config: DevPlatformConfig) => unknown,
        secrets: Record<string, string> = devSecrets,
    ) =>
    () =>
        new PipelinePlatform(BAD, { config: change(devPlatform()) as PlatformConfig, secrets });

export const CASES: BadInputCase[] = [
    // RegistrySecret: registry locations, scopes, namespaces, service accounts, names, refresh intervals.
    {
        component: "RegistrySecret",
        title: "a registry URL without protocol",
        program: withRegistry({ ...offCluster, url: "registry.example.com/team" }),
        path: "registry.url",
        says: "must start with http:// or https://",
        example: "https://registry.example.com:5000/team",
    },
    {
        component: "RegistrySecret",
        title: "a registry URL with ftp://",
        program: withRegistry({ ...offCluster, url: "ftp://registry.example.com" }),
        path: "registry.url",
        says: "must use http or https, not ftp",
        example: "https://registry.example.com:5000/team",
    },
    {
        component: "RegistrySecret",
        title: "credentials inside the registry URL",
        program: withRegistry({ ...offCluster, url: "https://robot:pw@registry.example.com" }),
        path: "registry.url",
        says: "must not hold user:password",
        example: "https://registry.example.com:5000/team",
    },
    {
        component: "RegistrySecret",
        title: "a registry port out of range",
        program: withRegistry({ ...offCluster, url: "https://registry.example.com:70000" }),
        path: "registry.url",
        says: "a port between 1 and 65535",
        example: "https://registry.example.com:5000/team",
    },
    {
        component: "RegistrySecret",
        title: "an upper-case registry host",
        program: withRegistry({ ...offCluster, url: "https://Registry.Example.com" }),
        path: "registry.url",
        says: "a lower-case host name",
        example: "https://registry.example.com:5000/team",
    },
    {
        component: "RegistrySecret",
        title: "a registry URL with a query",
        program: withRegistry({ ...offCluster, url: "https://registry.example.com/team?x=1" }),
        path: "registry.url",
        says: "no query (?) or fragment (#)",
        example: "https://registry.example.com:5000/team",
    },
    {
        component: "RegistrySecret",
        title: "an off-cluster registry without password",
        program: withRegistry({ ...offCluster, password: undefined }),
        path: "registry.password",
        says: "expected a string (the password or token)",
        example: 'config.requireSecret("registryPassword")',
    },
    {
        component: "RegistrySecret",
        title: "an unknown registry location",
        program: withRegistry({ location: "harbor", url: "https://harbor.example.com" }),
        path: "registry.location",
        says: 'one of "off-cluster", "ecr", "gcr"',
        example: "off-cluster",
    },
    {
        component: "RegistrySecret",
        title: "an ECR region that is not a region",
        program: withRegistry({ location: "ecr", region: "Frankfurt" }),
        path: "registry.region",
        says: "an AWS region",
        example: "eu-central-1",
    },
    {
        component: "RegistrySecret",
        title: "an ECR registry id of 11 digits",
        program: withRegistry({
            location: "ecr",
            region: "eu-central-1",
            registryId: "12345678901",
        }),
        path: "registry.registryId",
        says: "a 12-digit AWS account id",
        example: "123456789012",
    },
    {
        component: "RegistrySecret",
        title: "an ECR refresh interval longer than the token lives",
        program: withRegistry({ location: "ecr", region: "eu-central-1", refreshInterval: "13h" }),
        path: "registry.refreshInterval",
        says: "shorter than the token's lifetime of 12h",
        example: "6h",
    },
    {
        component: "RegistrySecret",
        title: "an ECR refresh interval that is not a duration",
        program: withRegistry({
            location: "ecr",
            region: "eu-central-1",
            refreshInterval: "six hours",
        }),
        path: "registry.refreshInterval",
        says: "a Go duration",
        example: "6h",
    },
    {
        component: "RegistrySecret",
        title: "ECR auth with both a service account and static keys",
        program: withRegistry({
            location: "ecr",
            region: "eu-central-1",
            auth: { serviceAccount: { name: "ecr-reader" }, secretRef: { name: "keys" } },
        }),
        path: "registry.auth",
        says: "expected one of: an object with serviceAccount; or an object with secretRef",
        example: '{ serviceAccount: { name: "ecr-reader" } }',
    },
    {
        component: "RegistrySecret",
        title: "a GCR refresh interval of a day",
        program: withRegistry({
            location: "gcr",
            workloadIdentity: {
                projectId: "my-project-123",
                clusterLocation: "europe-west1",
                clusterName: "pipelines",
                serviceAccount: { name: "reader" },
            },
            refreshInterval: "24h",
        }),
        path: "registry.refreshInterval",
        says: "shorter than the token's lifetime of 1h",
        example: "30m",
    },
    {
        component: "RegistrySecret",
        title: "GCR with neither a key nor workload identity",
        program: withRegistry({ location: "gcr" }),
        path: "registry",
        says: "exactly one of serviceAccountKey",
        example: '{ location: "gcr", serviceAccountKey: config.requireSecret("gcrKey") }',
    },
    {
        component: "RegistrySecret",
        title: "a GCR service-account key that is not a key file",
        program: withRegistry({ location: "gcr", serviceAccountKey: '{"type":"user"}' }),
        path: "registry.serviceAccountKey",
        says: "a Google service-account JSON key",
        example: 'config.requireSecret("gcrKey") holding the downloaded key file',
    },
    {
        component: "RegistrySecret",
        title: "a GCR URL that is not a Google registry",
        program: withRegistry({
            location: "gcr",
            url: "https://registry.example.com",
            serviceAccountKey: gcrKey,
        }),
        path: "registry.url",
        says: "a Google registry",
        example: "https://europe-west1-docker.pkg.dev/my-project/pipelines",
    },
    {
        component: "RegistrySecret",
        title: "a workload-identity project id that is too short",
        program: withRegistry({
            location: "gcr",
            workloadIdentity: {
                projectId: "p1",
                clusterLocation: "europe-west1",
                clusterName: "pipelines",
                serviceAccount: { name: "reader" },
            },
        }),
        path: "registry.workloadIdentity.projectId",
        says: "a GCP project id",
        example: "my-project-123",
    },
    {
        component: "RegistrySecret",
        title: "an unknown scope",
        program: registrySecret({ scope: "cluster" as never }),
        path: "scope",
        says: 'expected one of "project", "service" (which workloads the secret serves)',
        example: "project",
    },
    {
        component: "RegistrySecret",
        title: "no namespace and no selector",
        program: registrySecret({ namespaces: [] }),
        path: "namespaces",
        says: "at least one namespace (or a namespaceSelector)",
        example: '["pipelines-team-a"]',
    },
    {
        component: "RegistrySecret",
        title: "an upper-case namespace",
        program: registrySecret({ namespaces: ["Project-A"] }),
        path: "namespaces[0]",
        says: "expected a DNS-1123 label: must consist of lower case",
        example: "project-a",
    },
    {
        component: "RegistrySecret",
        title: "a namespace listed twice",
        program: registrySecret({ namespaces: ["project-a", "project-a"] }),
        path: "namespaces[1]",
        says: "expected each entry once (also at namespaces[0])",
        example: "pipelines",
    },
    {
        component: "RegistrySecret",
        title: "a service account with two slashes",
        program: registrySecret({ serviceAccounts: ["airflow/worker/x"] }),
        path: "serviceAccounts[0]",
        says: "expected a service account to patch: `name` (in every entry of `namespaces`) or `namespace/name`",
        example: "airflow/airflow-worker",
    },
    {
        component: "RegistrySecret",
        title: "a secret name with an underscore",
        program: registrySecret({ secretName: "registry_credentials" }),
        path: "secretName",
        says: "expected a DNS-1123 subdomain: must consist of lower case",
        example: "registry-credentials",
    },
    {
        component: "RegistrySecret",
        title: "a test image with a protocol",
        program: registrySecret({ testPullImage: "https://registry.example.com/team/hello:1.0.0" }),
        path: "testPullImage",
        says: "an image reference: must not carry a protocol",
        example: "registry.example.com/team/hello:1.0.0",
    },
    {
        component: "RegistrySecret",
        title: "a test image in another registry",
        program: registrySecret({ testPullImage: "quay.io/team/hello:1.0.0" }),
        path: "testPullImage",
        says: "an image in the registry registry.example.com",
        example: "registry.example.com/team/hello:1.0.0",
    },
    {
        component: "RegistrySecret",
        title: "a test image for ECR, whose token exists only in the cluster",
        program: registrySecret({
            registry: { location: "ecr", region: "eu-central-1", registryId: "123456789012" },
            testPullImage: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/hello:1.0.0",
        }),
        path: "testPullImage",
        says: "no test image for ecr",
        example: "a gcr serviceAccountKey or an off-cluster registry",
    },
    {
        component: "RegistrySecret",
        title: "a pull-check timeout of zero",
        program: registrySecret({ testPullTimeoutMs: 0 }),
        path: "testPullTimeoutMs",
        says: "expected a whole number from 1000 to 120000",
        example: "10000",
    },
    {
        component: "RegistrySecret",
        title: "a registry URL with a fragment",
        program: withRegistry({ ...offCluster, url: "https://registry.example.com/team#a" }),
        path: "registry.url",
        says: "no query (?) or fragment (#)",
        example: "https://registry.example.com:5000/team",
    },
    {
        component: "RegistrySecret",
        title: "a test image without tag or digest",
        program: registrySecret({ testPullImage: "registry.example.com/team/hello" }),
        path: "testPullImage",
        says: "a tag or digest, so one exact image is meant",
        example: "registry.example.com/team/hello:1.0.0",
    },
    {
        component: "RegistrySecret",
        title: "an empty namespace",
        program: registrySecret({ namespaces: [""] }),
        path: "namespaces[0]",
        says: "expected a DNS-1123 label: must consist of lower case",
        example: "pipelines",
    },
    {
        component: "RegistrySecret",
        title: "a number for a namespace",
        program: registrySecret({ namespaces: [123 as never] }),
        path: "namespaces[0]",
        says: "got 123; expected a DNS-1123 label",
        example: "pipelines",
    },
    {
        component: "RegistrySecret",
        title: "namespaces that are not a list",
        program: registrySecret({ namespaces: "project-a" as never }),
        path: "namespaces",
        says: 'got "project-a"; expected a list of DNS-1123 label',
        example: '["pipelines-team-a"]',
    },
    {
        component: "RegistrySecret",
        title: "args that are null",
        program: () => new RegistrySecret(BAD, null as never),
        path: "",
        says: "(args): got null; expected an object with registry, scope, namespaces",
        example: '{ registry: { location: "off-cluster"',
    },
    {
        component: "RegistrySecret",
        title: "a user name with a colon",
        program: withRegistry({ ...offCluster, username: "robot:admin" }),
        path: "registry.username",
        says: "without ':' (it separates user and password in the pull Secret)",
        example: "robot$pipelines",
    },
    {
        component: "RegistrySecret",
        title: "a user name with a newline",
        program: withRegistry({ ...offCluster, username: "robot\nadmin" }),
        path: "registry.username",
        says: "no control characters",
        example: "robot$pipelines",
    },
    {
        component: "RegistrySecret",
        title: "a misspelt key in the registry",
        program: withRegistry({ ...offCluster, usrname: "robot" }),
        path: "registry.usrname",
        says: "unknown key; did you mean username?",
    },
    {
        component: "RegistrySecret",
        title: "a misspelt top-level key",
        program: registrySecret({ namespace: ["project-a"] } as never),
        path: "namespace",
        says: "unknown key; did you mean namespaces?",
    },
    {
        component: "RegistrySecret",
        title: "a __proto__ key in the namespace selector",
        program: registrySecret({
            registry: { location: "ecr", region: "eu-central-1" },
            namespaceSelector: JSON.parse('{"__proto__": "x", "team": "a"}'),
        }),
        path: "namespaceSelector.__proto__",
        says: "a key other than __proto__, constructor and prototype",
        example: "pipeline-platform.io/project",
    },
    {
        component: "RegistrySecret",
        title: "a constructor key in the namespace selector",
        program: registrySecret({
            registry: { location: "ecr", region: "eu-central-1" },
            namespaceSelector: { constructor: "x" } as never,
        }),
        path: "namespaceSelector.constructor",
        says: "a key other than __proto__, constructor and prototype",
        example: "pipeline-platform.io/project",
    },
    {
        component: "RegistrySecret",
        title: "an ECR refresh interval of one nanosecond",
        program: withRegistry({ location: "ecr", region: "eu-central-1", refreshInterval: "1ns" }),
        path: "registry.refreshInterval",
        says: "must be between 1s and 720h",
        example: "6h",
    },
    {
        component: "RegistrySecret",
        title: "ECR auth that is null",
        program: withRegistry({ location: "ecr", region: "eu-central-1", auth: null }),
        path: "registry.auth",
        says: "got null; expected one of: an object with serviceAccount; or an object with secretRef",
        example: '{ serviceAccount: { name: "ecr-reader" } }',
    },
    {
        component: "RegistrySecret",
        title: "ECR auth with a secret key that is not a key",
        program: withRegistry({
            location: "ecr",
            region: "eu-central-1",
            auth: { secretRef: { name: "keys", accessKeyIdKey: "a/b" } },
        }),
        path: "registry.auth.secretRef.accessKeyIdKey",
        says: "expected a Secret or ConfigMap key",
        example: "access-key-id",
    },
    {
        component: "RegistrySecret",
        title: "a namespace selector for static credentials",
        program: registrySecret({ namespaceSelector: { team: "a" } }),
        path: "namespaceSelector",
        says: "list the namespaces; namespaces created later are reached only by in-cluster refreshed locations",
        example: 'namespaces: ["pipelines-team-a"]',
    },
    {
        component: "RegistrySecret",
        title: "an empty namespace selector",
        program: registrySecret({
            registry: { location: "ecr", region: "eu-central-1" },
            namespaceSelector: {},
        }),
        path: "namespaceSelector",
        says: "at least 1 entry",
        example: '{ "pipeline-platform.io/project": "true" }',
    },
    {
        component: "RegistrySecret",
        title: "a selector label value with a space",
        program: registrySecret({
            registry: { location: "ecr", region: "eu-central-1" },
            namespaceSelector: { team: "a b" },
        }),
        path: "namespaceSelector.team",
        says: "expected a label value",
        example: "imaging",
    },
    {
        component: "RegistrySecret",
        title: "a selector label key with two slashes",
        program: registrySecret({
            registry: { location: "ecr", region: "eu-central-1" },
            namespaceSelector: { "a/b/c": "x" },
        }),
        path: 'namespaceSelector["a/b/c"]',
        says: 'got key "a/b/c"; expected a label key',
        example: "pipeline-platform.io/project",
    },
    {
        component: "RegistrySecret",
        title: "a service account listed twice",
        program: registrySecret({ serviceAccounts: ["default", "default"] }),
        path: "serviceAccounts[1]",
        says: "expected each entry once (also at serviceAccounts[0])",
        example: "airflow/airflow-worker",
    },
    {
        component: "RegistrySecret",
        title: "GCR with both a key and workload identity",
        program: withRegistry({
            location: "gcr",
            serviceAccountKey: gcrKey,
            workloadIdentity: {
                projectId: "my-project-123",
                clusterLocation: "europe-west1",
                clusterName: "pipelines",
                serviceAccount: { name: "reader" },
            },
        }),
        path: "registry",
        says: "exactly one of serviceAccountKey",
        example: '{ location: "gcr", serviceAccountKey: config.requireSecret("gcrKey") }',
    },
    {
        component: "RegistrySecret",
        title: "a GCR refresh interval as long as the token lives",
        program: withRegistry({
            location: "gcr",
            refreshInterval: "1h",
            workloadIdentity: {
                projectId: "my-project-123",
                clusterLocation: "europe-west1",
                clusterName: "pipelines",
                serviceAccount: { name: "reader" },
            },
        }),
        path: "registry.refreshInterval",
        says: "shorter than the token's lifetime of 1h",
        example: "30m",
    },
    {
        component: "RegistrySecret",
        title: "a resource name with a newline",
        program: () =>
            new RegistrySecret("bad\nname", {
                registry: offCluster,
                scope: "project",
                namespaces: ["project-a"],
            }),
        path: "name",
        says: "a resource name: 1 to 200 characters, no control characters",
        example: "pipelines",
        label: 'RegistrySecret "bad\\nname"',
    },

    // ProcessingImage: image names, tags, build inputs, repositories.
    {
        component: "ProcessingImage",
        title: "the tag latest",
        program: processingImage({ tag: "latest" }),
        path: "tag",
        says: "must not be 'latest', which makes a rollout depend on when a node pulled",
        example: "1.0.0",
    },
    {
        component: "ProcessingImage",
        title: "an empty tag",
        program: processingImage({ tag: "" }),
        path: "tag",
        says: "expected an image tag: must be letters, digits",
        example: "1.0.0",
    },
    {
        component: "ProcessingImage",
        title: "a tag starting with '-'",
        program: processingImage({ tag: "-rc1" }),
        path: "tag",
        says: "not starting with '.' or '-'",
        example: "1.0.0",
    },
    {
        component: "ProcessingImage",
        title: "an upper-case image name",
        program: processingImage({ name: "Otsus-Method" }),
        path: "name",
        says: "expected an image name: must be lower-case components",
        example: "otsus-method",
    },
    {
        component: "ProcessingImage",
        title: "an image name with a protocol",
        program: processingImage({ name: "https://otsus-method" }),
        path: "name",
        says: "must not carry a protocol: image references never do",
        example: "otsus-method",
    },
    {
        component: "ProcessingImage",
        title: "a build context that does not exist",
        program: processingImage({ context: "no-such-folder" }),
        path: "context",
        says: "an existing build context folder",
        example: "processing-container",
    },
    {
        component: "ProcessingImage",
        title: "a Dockerfile that does not exist",
        program: processingImage({ dockerfile: path.join(context, "Dockerfile.gpu") }),
        path: "dockerfile",
        says: "an existing Dockerfile",
        example: "processing-container/Dockerfile",
    },
    {
        component: "ProcessingImage",
        title: "a platform without architecture",
        program: processingImage({ platform: "linux" }),
        path: "platform",
        says: "expected target platform `os/arch[/variant]`",
        example: "linux/amd64",
    },
    {
        component: "ProcessingImage",
        title: "a build target with a space",
        program: processingImage({ target: "run time" }),
        path: "target",
        says: "expected the build stage to stop at in a multi-stage Dockerfile",
        example: "runtime",
    },
    {
        component: "ProcessingImage",
        title: "createRepository for an off-cluster registry",
        program: processingImage({ createRepository: true }),
        path: "createRepository",
        says: "createRepository only for ECR or Artifact Registry",
        example: "false",
    },
    {
        component: "ProcessingImage",
        title: "createRepository on gcr.io, which has no repositories to create",
        program: processingImage({
            registry: { location: "gcr", serviceAccountKey: gcrKey },
            createRepository: true,
        }),
        path: "createRepository",
        says: "an Artifact Registry URL",
        example: "https://europe-west1-docker.pkg.dev/my-project/pipelines",
    },
    {
        component: "ProcessingImage",
        title: "no registry",
        program: processingImage({ registry: undefined }),
        path: "registry",
        says: 'expected an object whose location is one of "off-cluster", "ecr", "gcr"',
        example:
            '{ location: "off-cluster", url: "https://registry.example.com/team", username: "robot", password: "<secret>" }',
    },

    // DagInstallerChart: images, namespaces, claims, actions, chart paths and versions, values.
    {
        component: "DagInstallerChart",
        title: "an installer image with a protocol",
        program: dagInstaller({
            image: { imageName: "https://registry.example.com/team/dag:1.0.0" },
        }),
        path: "image.imageName",
        says: "must not carry a protocol",
        example: "registry.example.com:5000/team/otsus-method:1.0.0",
    },
    {
        component: "DagInstallerChart",
        title: "an installer image without tag or digest",
        program: dagInstaller({ image: { imageName: "registry.example.com/team/dag" } }),
        path: "image.imageName",
        says: "a tag or digest",
        example: "registry.example.com:5000/team/otsus-method:1.0.0",
    },
    {
        component: "DagInstallerChart",
        title: "an unknown action",
        program: dagInstaller({ action: "install" as never }),
        path: "action",
        says: "one of copy, remove, prefetch",
        example: "copy",
    },
    {
        component: "DagInstallerChart",
        title: "a copy without the DAG claim",
        program: dagInstaller({ dagsClaimName: undefined }),
        path: "dagsClaimName",
        says: "Airflow's DAG PersistentVolumeClaim (the copy Job writes there)",
        example: "airflow-dags",
    },
    {
        component: "DagInstallerChart",
        title: "a DAG claim name with upper case",
        program: dagInstaller({ dagsClaimName: "Airflow-DAGs" }),
        path: "dagsClaimName",
        says: "a Kubernetes object name",
        example: "airflow-dags",
    },
    {
        component: "DagInstallerChart",
        title: "a namespace with an underscore",
        program: dagInstaller({ namespace: "airflow_services" }),
        path: "namespace",
        says: "a namespace name (DNS-1123 label)",
        example: "services",
    },
    {
        component: "DagInstallerChart",
        title: "a pull secret name with a space",
        program: dagInstaller({ imagePullSecrets: ["registry service"] }),
        path: "imagePullSecrets[0]",
        says: "a Kubernetes object name",
        example: "registry-service",
    },
    {
        component: "DagInstallerChart",
        title: "a chart folder that does not exist",
        program: dagInstaller({ chart: "no-such-chart" }),
        path: "chart",
        says: "a chart folder or .tgz that exists",
        example: "extension/otsus-method-workflow",
    },
    {
        component: "DagInstallerChart",
        title: "a chart folder without Chart.yaml",
        program: dagInstaller({ chart: context }),
        path: "chart",
        says: "a Helm chart folder with a Chart.yaml",
        example: "extension/otsus-method-workflow",
    },
    {
        component: "DagInstallerChart",
        title: "a release name longer than 40 characters",
        program: dagInstaller({ releaseName: "a-very-long-release-name-for-an-extension-x" }),
        path: "releaseName",
        says: "at most 40 characters",
        example: "otsus-method",
    },
    {
        component: "DagInstallerChart",
        title: "a backoff limit of 11",
        program: dagInstaller({ backoffLimit: 11 }),
        path: "backoffLimit",
        says: "an integer from 0 to 10",
        example: "0",
    },
    {
        component: "DagInstallerChart",
        title: "an environment variable that overrides ACTION",
        program: dagInstaller({ env: { ACTION: "remove" } }),
        path: "env.ACTION",
        says: "an environment variable name other than ACTION",
        example: "KAAPANA_BUILD_VERSION",
    },

    // WorkflowExtension: versions, scopes, duplicate images, names.
    {
        component: "WorkflowExtension",
        title: "a version with a v prefix",
        program: extension({ version: "v1.0.0" }),
        path: "version",
        says: "a semver version without build metadata",
        example: "1.0.0",
    },
    {
        component: "WorkflowExtension",
        title: "a version with build metadata",
        program: extension({ version: "1.0.0+build.5" }),
        path: "version",
        says: "a semver version without build metadata",
        example: "1.0.0",
    },
    {
        component: "WorkflowExtension",
        title: "a service-scope registry as project registry",
        program: extension({
            projectRegistry: { ...extensionArgs.projectRegistry, scope: "service" },
        }),
        path: "projectRegistry.scope",
        says: '"project": processing images run in project namespaces',
        example: "project",
    },
    {
        component: "WorkflowExtension",
        title: "a service registry without pull Secret",
        program: extension({
            serviceRegistry: { ...extensionArgs.serviceRegistry, secretName: "" },
        }),
        path: "serviceRegistry.secretName",
        says: "the name of the service-scope pull Secret",
        example: "registry-service",
    },
    {
        component: "WorkflowExtension",
        title: "two processing images with one name",
        program: extension({
            processingImages: [
                { name: "otsus-method", context },
                { name: "otsus-method", context },
            ],
        }),
        path: "processingImages[1].name",
        says: "a name not used by another image of the extension (processingImages[0] has it)",
        example: "otsus-method-gpu",
    },
    {
        component: "WorkflowExtension",
        title: "a processing image tagged latest",
        program: extension({
            processingImages: [{ name: "otsus-method", context, tag: "latest" }],
        }),
        path: "processingImages[0].tag",
        says: "must not be 'latest', which makes a rollout depend on when a node pulled",
        example: "1.0.0",
    },
    {
        component: "WorkflowExtension",
        title: "an installer context that does not exist",
        program: extension({ installer: { context: "no-such-extension" } }),
        path: "installer.context",
        says: "an existing build context folder",
        example: "processing-container",
    },
    {
        component: "WorkflowExtension",
        title: "an extension name with upper case",
        program: extension({ extensionName: "Otsus-Method" }),
        path: "extensionName",
        says: "a DNS-1123 label of at most 56 characters",
        example: "otsus-method",
    },
    {
        component: "WorkflowExtension",
        title: "a project namespace with a dot",
        program: extension({ projectNamespaces: ["project.a"] }),
        path: "projectNamespaces",
        says: "namespace names (DNS-1123 labels)",
        example: "project-a",
    },

    // ContourIngress.
    {
        component: "ContourIngress",
        title: "null for the args",
        program: () => new ContourIngress(BAD, null as unknown as ContourIngressArgs),
        path: "",
        says: "got null; expected an object with any of existing, ingressClassName",
        example: "{}",
    },
    {
        component: "ContourIngress",
        title: "an IngressClass name with upper case",
        program: contour({ ingressClassName: "Contour" }),
        path: "ingressClassName",
        says: "a DNS-1123 subdomain: must consist of lower case",
        example: "contour",
    },
    {
        component: "ContourIngress",
        title: "a namespace longer than 63 characters",
        program: contour({ namespace: "c".repeat(64) }),
        path: "namespace",
        says: "a DNS-1123 label: must be no more than 63 characters (has 64)",
        example: "c".repeat(63),
    },
    {
        component: "ContourIngress",
        title: "a number for the namespace",
        program: contour({ namespace: 5 }),
        path: "namespace",
        says: "got 5; expected a DNS-1123 label",
        example: "projectcontour",
    },
    {
        component: "ContourIngress",
        title: "a root namespace with an underscore",
        program: contour({ rootNamespaces: ["imaging", "gen_omics"] }),
        path: "rootNamespaces[1]",
        says: "a DNS-1123 label: must consist of lower case",
        example: "gen-omics",
    },
    {
        component: "ContourIngress",
        title: "an object for the root namespaces",
        program: contour({ rootNamespaces: { imaging: true } }),
        path: "rootNamespaces",
        says: "expected a list of DNS-1123 label",
        example: '["imaging", "genomics"]',
    },
    {
        component: "ContourIngress",
        title: "a misspelt rootNamespaces",
        program: contour({ rootNamespace: ["imaging"] }),
        path: "rootNamespace",
        says: "unknown key; did you mean rootNamespaces?",
    },
    {
        component: "ContourIngress",
        title: "root namespaces for a Contour that is only adopted",
        program: contour({ existing: true, rootNamespaces: ["imaging"] }),
        path: "rootNamespaces",
        says: "no rootNamespaces with existing: true",
        example: '{ existing: true, ingressClassName: "contour" }',
    },

    // Domain configs: KoaljaDomainConfig, selectDomainSuffix and hostnames.
    {
        component: "KoaljaDomainConfig",
        title: "a domain config without default entry",
        program: koaljaDomains({ "example.org": { selector: { app: "prod" } } }),
        path: "domains",
        says: 'got ["example.org"]; expected a default entry: one suffix without selector',
        example: '{ "example.org": { selector: { app: "prod" } }, "example.com": {} }',
    },
    {
        component: "KoaljaDomainConfig",
        title: "null for the domains",
        program: koaljaDomains(null),
        path: "domains",
        says: "got null; expected a map of names to object with any of selector",
        example: '{ "example.org": { selector: { app: "prod" } }, "example.com": {} }',
    },
    {
        component: "KoaljaDomainConfig",
        title: "a __proto__ domain suffix",
        program: koaljaDomains(JSON.parse('{ "example.com": {}, "__proto__": {} }')),
        path: "domains.__proto__",
        says: "a key other than __proto__, constructor and prototype",
        example: "example.org",
    },
    {
        component: "KoaljaDomainConfig",
        title: "a constructor domain suffix",
        program: koaljaDomains({ "example.com": {}, constructor: {} }),
        path: "domains.constructor",
        says: "a key other than __proto__, constructor and prototype",
        example: "example.org",
    },
    {
        component: "KoaljaDomainConfig",
        title: "a string for a selector",
        program: koaljaDomains({ "example.com": {}, "example.org": { selector: "app=prod" } }),
        path: 'domains["example.org"].selector',
        says: 'got "app=prod"; expected a map of names to label value',
        example: '{ app: "prod" }',
    },
    {
        component: "KoaljaDomainConfig",
        title: "a namespace with a newline",
        program: () =>
            new KoaljaDomainConfig(BAD, {
                namespace: "koalja\nsystem",
                domains: { "example.com": {} },
            }),
        path: "namespace",
        says: "no control characters (newline, tab, escape)",
        example: "imaging",
    },
    {
        component: "selectDomainSuffix",
        title: "a domain config without default entry",
        program: () =>
            selectDomainSuffix({ app: "prod" }, { "example.org": { selector: { app: "prod" } } }),
        path: "domains",
        says: "a default entry: one suffix without selector",
        example: '{ "example.org": { selector: { app: "prod" } }, "example.com": {} }',
    },
    {
        component: "selectDomainSuffix",
        title: "an empty domain config",
        program: () => selectDomainSuffix({}, {}),
        path: "domains",
        says: "got {}; expected a map of names to object with any of selector, at least 1 entry",
        example: '{ "example.org": { selector: { app: "prod" } }, "example.com": {} }',
    },
    {
        component: "selectDomainSuffix",
        title: "an upper-case domain suffix",
        program: () => selectDomainSuffix({}, { "Example.com": {} }),
        path: 'domains["Example.com"]',
        says: 'got key "Example.com"; expected a DNS-1123 subdomain',
        example: "example.com",
    },
    {
        component: "selectDomainSuffix",
        title: "a selector value with a space",
        program: () =>
            selectDomainSuffix(
                {},
                { "example.com": {}, "example.org": { selector: { app: "my prod" } } },
            ),
        path: 'domains["example.org"].selector.app',
        says: 'got "my prod"; expected a label value',
        example: "imaging",
    },
    {
        component: "selectDomainSuffix",
        title: "null for the labels",
        program: () => selectDomainSuffix(null as never, { "example.com": {} }),
        path: "labels",
        says: "got null; expected a map of names to string",
        example: "{}",
    },
    {
        component: "pipelineHostname",
        title: "a pipeline name longer than a DNS label",
        program: () => pipelineHostname("p".repeat(64), "imaging", "example.com"),
        path: "pipeline",
        says: `whose labels have at most 63 characters ("${"p".repeat(64)}" has 64)`,
        example: "otsu.imaging.example.com",
    },
    {
        component: "pipelineHostname",
        title: "a pipeline name with an underscore",
        program: () => pipelineHostname("otsu_method", "imaging", "example.com"),
        path: "pipeline",
        says: 'a hostname for pipeline "otsu_method" in namespace "imaging"',
        example: "otsu.imaging.example.com",
    },
    {
        component: "pipelineHostname",
        title: "a hostname longer than 253 characters",
        program: () =>
            pipelineHostname(
                "otsu",
                "imaging",
                Array.from({ length: 5 }, () => "d".repeat(60)).join("."),
            ),
        path: "pipeline",
        says: "of at most 253 characters (it has 317)",
        example: "otsu.imaging.example.com",
    },
    {
        component: "pipelineHostname",
        title: "a number for the namespace",
        program: () => pipelineHostname("otsu", 7 as never, "example.com"),
        path: "pipeline",
        says: "got 7; expected the namespace as a string",
        example: "imaging",
    },

    // PipelineIngress: names, services, ports, tasks, timeouts, TLS, domains, duplicate FQDNs.
    {
        component: "PipelineIngress",
        title: "null for the args",
        program: () => new PipelineIngress(BAD, null as unknown as PipelineIngressArgs),
        path: "",
        says: "got null; expected an object with pipeline, namespace, domains, service",
    },
    {
        component: "PipelineIngress",
        title: "a pipeline name that is not a DNS label",
        program: ingress({ pipeline: "Otsu_Method" }),
        path: "pipeline",
        says: 'got "Otsu_Method"; expected a DNS-1123 label',
        example: "otsu-method",
    },
    {
        component: "PipelineIngress",
        title: "a pipeline name with a newline",
        program: ingress({ pipeline: "otsu\nmethod" }),
        path: "pipeline",
        says: "no control characters (newline, tab, escape)",
        example: "otsu",
    },
    {
        component: "PipelineIngress",
        title: "a misspelt namespace key",
        program: () => {
            const { namespace, ...rest } = ingressArgs;
            return new PipelineIngress(BAD, {
                ...rest,
                namspace: namespace,
            } as unknown as PipelineIngressArgs);
        },
        path: "namspace",
        says: "unknown key; did you mean namespace?",
    },
    {
        component: "PipelineIngress",
        title: "a service port of 0",
        program: ingress({ service: { name: "otsu-frontend", port: 0 } }),
        path: "service.port",
        says: "a whole number from 1 to 65535",
        example: "80",
    },
    {
        component: "PipelineIngress",
        title: "a service port written as a string",
        program: ingress({ service: { name: "otsu-frontend", port: "80" } }),
        path: "service.port",
        says: 'got "80"; expected a whole number from 1 to 65535',
        example: "80",
    },
    {
        component: "PipelineIngress",
        title: "a service name with upper case",
        program: ingress({ service: { name: "Otsu", port: 80 } }),
        path: "service.name",
        says: "a DNS-1123 label",
        example: "otsu",
    },
    {
        component: "PipelineIngress",
        title: "an array for the service",
        program: ingress({ service: ["otsu-frontend", 80] }),
        path: "service",
        says: "expected an object with name, port",
        example: '{ name: "otsu-frontend", port: 80 }',
    },
    {
        component: "PipelineIngress",
        title: "a task routed twice",
        program: ingress({
            tasks: [
                { task: "otsu", service: "otsu-task", port: 8080 },
                { task: "otsu", service: "otsu-task", port: 8080 },
            ],
        }),
        path: "tasks[1].task",
        says: "each task routed once",
        example: "otsu",
    },
    {
        component: "PipelineIngress",
        title: "a task name with a slash",
        program: ingress({ tasks: [{ task: "otsu/threshold", service: "otsu-task", port: 8080 }] }),
        path: "tasks[0].task",
        says: "one URL path segment",
        example: "otsu",
    },
    {
        component: "PipelineIngress",
        title: "a prefix rewrite without leading slash",
        program: ingress({
            tasks: [{ task: "otsu", service: "otsu-task", port: 8080, replacePrefix: "api" }],
        }),
        path: "tasks[0].replacePrefix",
        says: "a path starting with '/'",
        example: "/",
    },
    {
        component: "PipelineIngress",
        title: "a response timeout in minutes written as a word",
        program: ingress({ timeouts: { response: "five minutes" } }),
        path: "timeouts.response",
        says: 'one of: a duration; or "infinity"',
        example: "60s",
    },
    {
        component: "PipelineIngress",
        title: "TLS with both a Secret and an issuer",
        program: ingress({ tls: { secretName: "otsu-tls", clusterIssuer: "letsencrypt" } }),
        path: "tls",
        says: "one of: an object with secretName; or an object with clusterIssuer",
        example: '{ clusterIssuer: "letsencrypt" }',
    },
    {
        component: "PipelineIngress",
        title: "a misspelt cluster issuer key",
        program: ingress({ tls: { clusterIssue: "letsencrypt" } }),
        path: "tls.clusterIssue",
        says: "unknown key; did you mean clusterIssuer?",
    },
    {
        component: "PipelineIngress",
        title: "a cluster issuer with upper case",
        program: ingress({ tls: { clusterIssuer: "LetsEncrypt" } }),
        path: "tls.clusterIssuer",
        says: "a DNS-1123 subdomain",
        example: "letsencrypt",
    },
    {
        component: "PipelineIngress",
        title: "a pipeline label with an invalid key",
        program: ingress({ labels: { "-app": "prod" } }),
        path: 'labels["-app"]',
        says: 'got key "-app"; expected a label key',
        example: "pipeline-platform.io/project",
    },
    {
        component: "PipelineIngress",
        title: "a __proto__ domain suffix",
        program: ingress({ domains: JSON.parse('{ "example.com": {}, "__proto__": {} }') }),
        path: "domains.__proto__",
        says: "a key other than __proto__, constructor and prototype",
        example: "example.org",
    },
    {
        component: "PipelineIngress",
        title: "a prototype namespace in namespaceDomains",
        program: ingress({
            namespaceDomains: { prototype: { "imaging.example.com": {} } },
        }),
        path: "namespaceDomains.prototype",
        says: "a key other than __proto__, constructor and prototype",
        example: "imaging",
    },
    {
        component: "PipelineIngress",
        title: "a namespace domain config without default",
        program: ingress({
            namespaceDomains: { imaging: { "imaging.example.com": { selector: { app: "prod" } } } },
        }),
        path: "namespaceDomains.imaging",
        says: "a default entry",
        example: '{ "example.org": { selector: { app: "prod" } }, "example.com": {} }',
    },
    {
        component: "PipelineIngress",
        title: "a hostname longer than 253 characters",
        program: ingress({
            domains: { [Array.from({ length: 4 }, () => "d".repeat(60)).join(".")]: {} },
        }),
        path: "pipeline",
        says: 'a hostname for pipeline "otsu" in namespace "imaging" of at most 253 characters',
        example: "otsu.imaging.example.com",
    },
    {
        component: "PipelineIngress",
        title: "two pipelines with one hostname",
        program: () => {
            new PipelineIngress("first", ingressArgs);
            return new PipelineIngress(BAD, ingressArgs);
        },
        path: "pipeline",
        says: 'expected a hostname no other pipeline has: pipeline "otsu" in namespace "imaging" already has otsu.imaging.example.com',
        example: "otsu-2",
        before: ["first", "first-proxy"],
    },

    // S3Storage: storages, endpoints, buckets, regions, keys.
    {
        component: "S3Storage",
        title: "null for the args",
        program: () => new S3Storage(BAD, null as unknown as S3StorageArgs),
        path: "",
        says: "got null; expected an object with storages",
        example: '{ storages: { default: { provider: "aws", region: "eu-west-1" } } }',
    },
    {
        component: "S3Storage",
        title: "an array for the storages",
        program: storages([external] as unknown as Record<string, unknown>),
        path: "storages",
        says: 'expected a map of names to object whose provider is one of "aws", "gcp", "external"',
        example: '{ default: { provider: "aws", region: "eu-west-1" } }',
    },
    {
        component: "S3Storage",
        title: "storages without default",
        program: storages({ logs: external }),
        path: "storages",
        says: "a map of storages with a `default` entry",
        example: '{ default: { provider: "aws", region: "eu-west-1" } }',
    },
    {
        component: "S3Storage",
        title: "a __proto__ storage",
        program: storages(
            Object.assign(JSON.parse('{ "__proto__": { "provider": "aws" } }'), {
                default: external,
            }),
        ),
        path: "storages.__proto__",
        says: "a key other than __proto__, constructor and prototype",
        example: "default",
    },
    {
        component: "S3Storage",
        title: "null for a storage",
        program: storages({ default: null }),
        path: "storages.default",
        says: 'got null; expected an object whose provider is one of "aws", "gcp", "external"',
        example: '{ provider: "aws", region: "eu-west-1" }',
    },
    {
        component: "S3Storage",
        title: "a misspelt region key",
        program: storages({ default: { provider: "aws", regoin: "eu-west-1" } }),
        path: "storages.default.regoin",
        says: "unknown key; did you mean region?",
    },
    {
        component: "S3Storage",
        title: "a misspelt airflowStorage key",
        program: storage({ airflowStorge: "default" }),
        path: "airflowStorge",
        says: "unknown key; did you mean airflowStorage?",
    },
    {
        component: "S3Storage",
        title: "an external endpoint without scheme",
        program: storages({ default: { ...external, endpoint: "minio.storage:9000" } }),
        path: "storages.default.endpoint",
        says: "an endpoint URL with http:// or https://",
        example: "http://minio.storage:9000",
    },
    {
        component: "S3Storage",
        title: "an external endpoint with a path",
        program: storages({ default: { ...external, endpoint: "https://s3.example.com/bucket" } }),
        path: "storages.default.endpoint",
        says: "scheme, host and port only",
        example: "https://s3.example.com",
    },
    {
        component: "S3Storage",
        title: "credentials in the external endpoint, shown redacted",
        program: storages({
            default: { ...external, endpoint: "http://minio:not-a-real-secret@minio.storage:9000" },
        }),
        path: "storages.default.endpoint",
        says: 'got "http://<redacted>@minio.storage:9000"; expected scheme, host and port only: no path, query or credentials',
        example: "https://s3.example.com",
    },
    {
        component: "S3Storage",
        title: "an external storage with an empty secret key",
        program: storages({ default: { ...external, secretKey: "" } }),
        path: "storages.default.secretKey",
        says: "got <redacted>; expected a string, not empty",
        example: 'config.requireSecret("minioSecretKey")',
    },
    {
        component: "S3Storage",
        title: "a number for the access key, shown redacted",
        program: storages({ default: { ...external, accessKey: 123 } }),
        path: "storages.default.accessKey",
        says: "got <redacted>; expected a string",
        example: 'config.requireSecret("minioAccessKey")',
    },
    {
        component: "S3Storage",
        title: "a number for the bucket",
        program: storages({ default: { ...external, bucket: 123 } }),
        path: "storages.default.bucket",
        says: "got 123; expected a string",
        example: "pipelines",
    },
    {
        component: "S3Storage",
        title: "a bucket name with upper case",
        program: storages({
            default: { provider: "aws", region: "eu-west-1", bucket: "Pipelines" },
        }),
        path: "storages.default.bucket",
        says: "a bucket name that",
        example: "acme-pipelines-prod",
    },
    {
        component: "S3Storage",
        title: "a bucket name with two dots in a row",
        program: storages({ default: { ...external, bucket: "a..b" } }),
        path: "storages.default.bucket",
        says: `got "a..b"; expected a bucket name that must not contain '..'`,
        example: "acme-pipelines-prod",
    },
    {
        component: "S3Storage",
        title: "a bucket name of two characters",
        program: storages({ default: { ...external, bucket: "ab" } }),
        path: "storages.default.bucket",
        says: `got "ab"; expected a bucket name that must be 3 to 63 characters (has 2)`,
        example: "acme-pipelines-prod",
    },
    {
        component: "S3Storage",
        title: "a bucket name like an IP address",
        program: storages({
            default: { provider: "aws", region: "eu-west-1", bucket: "192.168.1.10" },
        }),
        path: "storages.default.bucket",
        says: "must not look like an IP address",
        example: "acme-pipelines-prod",
    },
    {
        component: "S3Storage",
        title: "a GCS bucket containing google",
        program: storages({
            default: { provider: "gcp", location: "EUROPE-WEST1", bucket: "my-google-data" },
        }),
        path: "storages.default.bucket",
        says: "must not start with 'goog' or contain 'google'",
        example: "acme-pipelines-prod",
    },
    {
        component: "S3Storage",
        title: "an existing bucket without its name",
        program: storages({ default: { provider: "aws", region: "eu-west-1", create: false } }),
        path: "storages.default.bucket",
        says: "the name of the existing bucket when create is false",
        example: "acme-pipelines",
    },
    {
        component: "S3Storage",
        title: "an AWS region that is not a region",
        program: storages({ default: { provider: "aws", region: "europe" } }),
        path: "storages.default.region",
        says: "an AWS region name",
        example: "eu-central-1",
    },
    {
        component: "S3Storage",
        title: "an AWS region written in upper case with underscores",
        program: storages({ default: { provider: "aws", region: "EU_WEST_1" } }),
        path: "storages.default.region",
        says: "an AWS region name",
        example: "eu-west-1",
    },
    {
        component: "S3Storage",
        title: "a GCP project id that is too short",
        program: storages({ default: { provider: "gcp", location: "EU", project: "p1" } }),
        path: "storages.default.project",
        says: "a GCP project id",
        example: "acme-data",
    },
    {
        component: "S3Storage",
        title: "an unknown storage provider",
        program: storages({ default: { provider: "azure" } }),
        path: "storages.default.provider",
        says: 'one of "aws", "gcp", "external"',
        example: "aws",
    },
    {
        component: "S3Storage",
        title: "a storage name with upper case",
        program: storages({ default: external, Logs: external }),
        path: "storages.Logs",
        says: 'got key "Logs"; expected a DNS-1123 label',
        example: "logs",
    },
    {
        component: "S3Storage",
        title: "logs to a storage that is not declared",
        program: storage({ airflowStorage: "logs" }),
        path: "airflowStorage",
        says: "one of the storages (default)",
        example: "default",
    },
    {
        component: "S3Storage",
        title: "an Airflow connection id with a dash",
        program: storage({ airflowConnectionId: "s3-logs" }),
        path: "airflowConnectionId",
        says: "an Airflow connection id of letters, digits and '_'",
        example: "s3_logs",
    },
    {
        component: "S3Storage",
        title: "a namespace with upper case",
        program: storage({ namespace: "Koalja" }),
        path: "namespace",
        says: "a DNS-1123 label",
        example: "koalja",
    },

    // AirflowDeployment: namespaces, executors, images, database, volumes, values.
    {
        component: "AirflowDeployment",
        title: "an unknown executor",
        program: airflow({ executor: "SequentialExecutor" }),
        path: "executor",
        says: "KubernetesExecutor, CeleryExecutor, LocalExecutor",
        example: "KubernetesExecutor",
    },
    {
        component: "AirflowDeployment",
        title: "a namespace with upper case",
        program: airflow({ namespace: "Airflow" }),
        path: "namespace",
        says: "a namespace name that",
        example: "airflow",
    },
    {
        component: "AirflowDeployment",
        title: "both an external and the bundled database",
        program: airflow({
            database: { external: { secretName: "airflow-database" }, bundled: true },
        }),
        path: "database",
        says: "exactly one of database.external (production) and database.bundled",
        example: '{ external: { secretName: "airflow-database" } }',
    },
    {
        component: "AirflowDeployment",
        title: "an Airflow image tagged latest",
        program: airflow({
            airflowImage: { repository: "registry.example.com/airflow", tag: "latest" },
        }),
        path: "airflowImage.tag",
        says: "an immutable version tag",
        example: "3.0.5-1",
    },
    {
        component: "AirflowDeployment",
        title: "two image pull Secrets for the chart",
        program: airflow({ imagePullSecrets: ["a", "b"] }),
        path: "imagePullSecrets",
        says: "at most one Secret",
        example: '["airflow-registry"]',
    },
    {
        component: "AirflowDeployment",
        title: "a DAG volume size that is not a quantity",
        program: airflow({ dags: { size: "5 GB" } }),
        path: "dags.size",
        says: "a storage quantity",
        example: "5Gi",
    },
    {
        component: "AirflowDeployment",
        title: "a DAG volume with an unknown access mode",
        program: airflow({ dags: { accessModes: ["ReadWriteAll"] } }),
        path: "dags.accessModes",
        says: "one or more of ReadWriteOnce",
        example: '["ReadWriteMany"]',
    },
    {
        component: "AirflowDeployment",
        title: "the Airflow namespace as project namespace",
        program: airflow({ projectNamespaces: ["airflow"] }),
        path: "projectNamespaces[0]",
        says: "none the Airflow namespace itself",
        example: "imaging",
    },
    {
        component: "AirflowDeployment",
        title: "a release name longer than 53 characters",
        program: airflow({ releaseName: "a".repeat(54) }),
        path: "releaseName",
        says: "a DNS label of at most 53 characters",
        example: "airflow",
    },
    {
        component: "AirflowDeployment",
        title: "a fernet key in values",
        program: airflow({ values: { fernetKey: "not-a-real-fernet-key" } }),
        path: "values.fernetKey",
        says: "no credential in plain Helm values; use the component generates the fernet key",
        example: 'fernetKeySecretName: "airflow-fernet-key"',
    },
    {
        component: "AirflowDeployment",
        title: "a database connection in values",
        program: airflow({
            values: {
                data: { metadataConnection: { user: "airflow", pass: "not-a-real-password" } },
            },
        }),
        path: "values.data.metadataConnection.pass",
        says: "database: { external: { secretName } }",
        example: 'fernetKeySecretName: "airflow-fernet-key"',
    },
    {
        component: "AirflowDeployment",
        title: "values the chart schema refuses",
        program: airflow({ values: { scheduler: { replicas: "two" } } }),
        path: "values.scheduler.replicas",
        says: "a value the Airflow chart 1.19.0 accepts (must be integer)",
        example: "values: { scheduler: { replicas: 2 } }",
    },
    {
        component: "AirflowDeployment",
        title: "a log prefix with a space",
        program: airflow({
            logs: {
                bucket: "pipeline-logs",
                prefix: "airflow logs",
                connectionSecretName: "airflow-s3-logs",
                connectionId: "s3_logs",
            },
        }),
        path: "logs.prefix",
        says: "an S3 key prefix",
        example: "airflow/logs",
    },
    {
        component: "AirflowDeployment",
        title: "an ingress with a bad domain config",
        program: airflow({
            ingress: { domains: { "example.org": { selector: { app: "prod" } } } },
        }),
        path: "ingress.domains",
        says: "a default entry",
        example: '{ "example.org": { selector: { app: "prod" } }, "example.com": {} }',
    },

    // AirflowDeployment runConfig: profiles, quantities, tolerations, volumes, secrets.
    {
        component: "AirflowDeployment runConfig",
        title: "an unknown image pull policy",
        program: runConfig({ imagePullPolicy: "Sometimes" }),
        path: "runConfig.imagePullPolicy",
        says: "Always, IfNotPresent, Never",
        example: "IfNotPresent",
    },
    {
        component: "AirflowDeployment runConfig",
        title: "a negative startup timeout",
        program: runConfig({ startupTimeoutSeconds: -5 }),
        path: "runConfig.startupTimeoutSeconds",
        says: "a whole number of seconds above 0",
        example: "600",
    },
    {
        component: "AirflowDeployment runConfig",
        title: "a memory request that is not a quantity",
        program: profile({ requests: { memory: "1 GB" } }),
        path: "runConfig.resources.__default__.requests.memory",
        says: "quantity",
        example: "1Gi",
    },
    {
        component: "AirflowDeployment runConfig",
        title: "a negative CPU limit",
        program: profile({ limits: { cpu: "-1" } }),
        path: "runConfig.resources.__default__.limits.cpu",
        says: "a quantity that is not negative",
        example: "500m",
    },
    {
        component: "AirflowDeployment runConfig",
        title: "a toleration with operator Exists and a value",
        program: profile({ tolerations: [{ key: "group", operator: "Exists", value: "gpu" }] }),
        path: "runConfig.resources.__default__.tolerations[0].value",
        says: "no value with operator Exists",
        example: '{ key: "group", operator: "Exists", effect: "NoSchedule" }',
    },
    {
        component: "AirflowDeployment runConfig",
        title: "a toleration with an unknown effect",
        program: profile({ tolerations: [{ key: "group", value: "gpu", effect: "NoRun" }] }),
        path: "runConfig.resources.__default__.tolerations[0].effect",
        says: "NoSchedule, PreferNoSchedule, NoExecute",
        example: "NoSchedule",
    },
    {
        component: "AirflowDeployment runConfig",
        title: "a node selector key with two slashes",
        program: profile({ nodeSelectors: { "a/b/c": "x" } }),
        path: 'runConfig.resources.__default__.nodeSelectors["a/b/c"]',
        says: "a label key",
        example: "cloud.google.com/gke-nodepool",
    },
    {
        component: "AirflowDeployment runConfig",
        title: "a profile name starting with a dot",
        program: runConfig({ resources: { ".hidden": {} } }),
        path: 'runConfig.resources[".hidden"]',
        says: "a profile name usable as a ConfigMap key",
        example: "huge_machines",
    },
    {
        component: "AirflowDeployment runConfig",
        title: "a volume secret without mount path",
        program: runConfig({ secrets: [{ deployType: "volume", secret: "gcp-key" }] }),
        path: "runConfig.secrets[0].deployTarget",
        says: "the absolute path a volume secret is mounted at",
        example: "/var/secrets/sql",
    },
    {
        component: "AirflowDeployment runConfig",
        title: "an env secret key without variable name",
        program: runConfig({ secrets: [{ secret: "airflow-secrets", key: "sql_alchemy_conn" }] }),
        path: "runConfig.secrets[0].deployTarget",
        says: "the environment variable that receives the secret's key",
        example: "SQL_CONN",
    },
    {
        component: "AirflowDeployment runConfig",
        title: "a data volume without access modes",
        program: runConfig({ volume: { accessModes: [] } }),
        path: "runConfig.volume.accessModes",
        says: "at least one access mode",
        example: '["ReadWriteMany"]',
    },
    {
        component: "AirflowDeployment runConfig",
        title: "a negative volume owner",
        program: runConfig({ volume: { owner: -1 } }),
        path: "runConfig.volume.owner",
        says: "a group id, a whole number from 0",
        example: "0",
    },
    {
        component: "AirflowDeployment runConfig",
        title: "a relative volume mount path",
        program: runConfig({ volume: { mountPath: "data" } }),
        path: "runConfig.volume.mountPath",
        says: "an absolute path",
        example: "/home/kedro/data",
    },

    // The stack config (PipelinePlatform), paths under `config`.
    {
        component: "stack config",
        title: "two registries with one name",
        program: platform((c) => ({ ...c, registries: [c.registries[0], c.registries[0]] })),
        path: "config.registries[1].name",
        says: "a name no other registry uses",
        example: "local-2",
    },
    {
        component: "stack config",
        title: "an extension naming an unknown registry",
        program: platform((c) => ({
            ...c,
            extensions: [{ ...c.extensions[0], projectRegistry: "nope" }],
        })),
        path: "config.extensions[0].projectRegistry",
        says: "a registry with scope project or both (local)",
        example: "local",
    },
    {
        component: "stack config",
        title: "an extension's project registry that only serves services",
        program: platform((c) => ({
            ...c,
            registries: [{ ...c.registries[0], scope: "service" }],
        })),
        path: "config.extensions[0].projectRegistry",
        says: "a registry with scope project or both (none declared)",
        example: "local",
    },
    {
        component: "stack config",
        title: "a registry URL without protocol",
        program: platform((c) => ({
            ...c,
            registries: [{ ...c.registries[0], url: "registry.localhost:5000" }],
        })),
        path: "config.registries[0].url",
        says: "must start with http:// or https://",
        example: "https://registry.example.com:5000/team",
    },
    {
        component: "stack config",
        title: "a password config key that is not set",
        program: platform((c) => c, {}),
        path: "config.registries[0].passwordConfigKey",
        says: "the name of a secure config key that is set",
        example: "registryPassword, set with `pulumi config set --secret registryPassword <value>`",
    },
    {
        component: "stack config",
        title: "domains without a default",
        program: platform((c) => ({
            ...c,
            domains: { "example.org": { selector: { app: "x" } } },
        })),
        path: "config.domains",
        says: "a default entry",
        example: '{ "example.org": { selector: { app: "prod" } }, "example.com": {} }',
    },
    {
        component: "stack config",
        title: "storages without default",
        program: platform((c) => ({
            ...c,
            storage: { storages: { logs: c.storage.storages.default } },
        })),
        path: "config.storage.storages",
        says: "a `default` entry",
        example: '{ default: { provider: "aws", region: "eu-west-1" } }',
    },
    {
        component: "stack config",
        title: "Airflow logs to an undeclared storage",
        program: platform((c) => ({ ...c, airflow: { ...c.airflow, logsStorage: "archive" } })),
        path: "config.airflow.logsStorage",
        says: "one of the storages (default)",
        example: "default",
    },
    {
        component: "stack config",
        title: "a pipeline in a namespace that is no project's",
        program: platform((c) => ({
            ...c,
            pipelines: [{ ...c.pipelines[0], namespace: "unknown" }],
        })),
        path: "config.pipelines[0].namespace",
        says: "a project namespace (imaging, analytics)",
        example: "imaging",
    },
    {
        component: "stack config",
        title: "two pipelines with one hostname",
        program: platform((c) => ({ ...c, pipelines: [c.pipelines[0], c.pipelines[0]] })),
        path: "config.pipelines[1].name",
        says: "a hostname no other pipeline has",
        example: "segmentation-2",
    },
    {
        component: "stack config",
        title: "a pipeline name that is not a DNS label",
        program: platform((c) => ({
            ...c,
            pipelines: [{ ...c.pipelines[0], name: "Segmentation" }],
        })),
        path: "config.pipelines[0].name",
        says: 'got "Segmentation"; expected a DNS-1123 label',
        example: "segmentation",
    },
    {
        component: "stack config",
        title: "a pipeline port written as a string",
        program: platform((c) => ({
            ...c,
            pipelines: [{ ...c.pipelines[0], port: "8080" as unknown as number }],
        })),
        path: "config.pipelines[0].port",
        says: 'got "8080"; expected a whole number from 1 to 65535',
        example: "80",
    },
    {
        component: "stack config",
        title: "a storage endpoint with credentials, shown redacted",
        program: platform((c) => ({
            ...c,
            storage: {
                storages: {
                    default: {
                        ...c.storage.storages.default,
                        endpoint: "http://minio:not-a-real-secret@minio.minio.svc:9000",
                    },
                },
            },
        })),
        path: "config.storage.storages.default.endpoint",
        says: 'got "http://<redacted>@minio.minio.svc:9000"',
        example: "https://s3.example.com",
    },
    {
        component: "stack config",
        title: "a misspelt key in a storage",
        program: platform((c) => ({
            ...c,
            storage: { storages: { default: { ...c.storage.storages.default, buckett: "x" } } },
        })),
        path: "config.storage.storages.default.buckett",
        says: "unknown key; did you mean bucket?",
    },
    {
        component: "stack config",
        title: "an upper-case services namespace",
        program: platform((c) => ({ ...c, servicesNamespace: "Services" })),
        path: "config.servicesNamespace",
        says: "a namespace name that",
        example: "pipeline-services",
    },
    {
        component: "stack config",
        title: "an extension version of two numbers",
        program: platform((c) => ({ ...c, extensions: [{ ...c.extensions[0], version: "1.0" }] })),
        path: "config.extensions[0].version",
        says: "a semver version",
        example: "1.0.0",
    },
    {
        component: "stack config",
        title: "a CPU request written as a word",
        program: platform((c) => ({
            ...c,
            airflow: {
                ...c.airflow,
                runConfig: { resources: { __default__: { requests: { cpu: "lots" } } } },
            },
        })),
        path: "config.airflow.runConfig.resources.__default__.requests.cpu",
        says: "a Kubernetes quantity",
        example: "500m",
    },
];
