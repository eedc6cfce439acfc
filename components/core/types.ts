/**
 * Named string types of the args. Each carries its rule as `@format` (see `formats.ts`), so the
 * generated schema checks it and every message about it reads the same.
 */

/**
 * A Kubernetes namespace name: a DNS-1123 label.
 * @format dns-label
 * @example "pipelines"
 */
export type NamespaceName = string;

/**
 * The name of a Kubernetes object that must be a DNS-1123 label (Services, Helm releases, claims).
 * @format dns-label
 * @example "otsus-method"
 */
export type ObjectName = string;

/**
 * The name of a Secret, ConfigMap or ServiceAccount: a DNS-1123 subdomain.
 * @format dns-subdomain
 * @example "registry-credentials"
 */
export type SecretName = string;

/**
 * A label key: an optional DNS-subdomain prefix and `/`, then a name.
 * @format label-key
 * @example "pipeline-platform.io/project"
 */
export type LabelKey = string;

/**
 * A label value.
 * @format label-value
 * @example "imaging"
 */
export type LabelValue = string;

/**
 * Kubernetes labels (or a label selector's `matchLabels`).
 * @propertyNames { "format": "label-key" }
 * @example { "team": "imaging" }
 */
export type Labels = Record<string, LabelValue>;

/**
 * A Go duration between 1s and 720h.
 * @format duration
 * @example "6h"
 */
export type Duration = string;

/**
 * A non-negative Kubernetes quantity.
 * @format quantity
 * @example "1Gi"
 */
export type Quantity = string;

/**
 * An AWS region.
 * @format aws-region
 * @example "eu-central-1"
 */
export type AwsRegion = string;

/**
 * A registry URL `<protocol>://<host>[:<port>][/<repository path>]`; the protocol is required.
 * @format registry-url
 * @example "https://registry.example.com:5000/team"
 */
export type RegistryUrlText = string;

/**
 * A fully qualified image reference without protocol, with a tag or digest.
 * @format image-reference
 * @example "registry.example.com:5000/team/otsus-method:1.0.0"
 */
export type ImageReferenceText = string;

/**
 * An image repository name under a registry prefix.
 * @format image-name
 * @example "otsus-method"
 */
export type ImageName = string;

/**
 * An immutable image tag (not `latest`).
 * @format image-tag
 * @example "1.0.0"
 */
export type ImageTag = string;

/**
 * A semver version without build metadata.
 * @format semver
 * @example "1.0.0"
 */
export type SemVer = string;

/**
 * The name of a secure Pulumi config key of this project (set with `pulumi config set --secret`).
 * @format config-key
 * @example "registryPassword"
 */
export type ConfigKeyName = string;
