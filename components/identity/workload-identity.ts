import * as iam from "@pulumi/aws/iam";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as gcs from "@pulumi/gcp/storage";
import * as pulumi from "@pulumi/pulumi";
import {
    invalidInput,
    planComponent,
    shortHash,
    usePlan,
    type NamespaceName,
    type Planned,
    type Reporter,
    type SecretName,
} from "../core";
import {
    ANNOTATIONS,
    bucketPrefixPolicy,
    oidcProvider,
    serviceAccountEmail,
    trustPolicy,
    workloadIdentityMember,
    type PolicyDocument,
} from "./policies";

/**
 * An S3 or Cloud Storage bucket name (3 to 63 lower-case letters, digits, '.' and '-').
 * @pattern ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$
 * @example "pipeline-logs"
 */
export type BucketName = string;

/**
 * A key prefix: path segments of letters, digits and `!_.'()-` joined by `/`, no leading or
 * trailing `/`, and no `*` or `?` (an IAM policy would read them as wildcards).
 * @pattern ^[A-Za-z0-9!_.'()-]+(/[A-Za-z0-9!_.'()-]+)*$
 * @example "airflow/logs"
 */
export type KeyPrefix = string;

/**
 * An EKS cluster's IAM OIDC provider ARN (`aws iam list-open-id-connect-providers`).
 * @pattern ^arn:(aws|aws-cn|aws-us-gov):iam::[0-9]{12}:oidc-provider/[A-Za-z0-9.-]+(/[A-Za-z0-9._-]+)*$
 * @example "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
 */
export type OidcProviderArn = string;

/** An IAM role for service accounts (IRSA) that the cluster's OIDC provider vouches for. */
export interface AwsWorkloadIdentity {
    provider: "aws";
    /**
     * The cluster's IAM OIDC provider.
     */
    oidcProviderArn: OidcProviderArn;
    /**
     * The role's name (IAM: at most 64 letters, digits and `+=,.@_-`). Default: project, stack and
     * component name, shortened with a hash when longer.
     * @pattern ^[A-Za-z0-9+=,.@_-]{1,64}$
     * @example "pipelines-staging-airflow-logs"
     */
    roleName?: string;
}

/** A Google service account that GKE Workload Identity maps the service accounts to. */
export interface GcpWorkloadIdentity {
    provider: "gcp";
    /**
     * The project of the service account and of the cluster's workload pool
     * (`<project>.svc.id.goog`).
     * @format gcp-project
     * @example "pipeline-platform-prod"
     */
    project: string;
    /**
     * The service account's id (6 to 30 lower-case letters, digits and '-', starting with a letter).
     * Default: from the component name, with a hash of project, stack and name.
     * @pattern ^[a-z][a-z0-9-]{4,28}[a-z0-9]$
     * @example "airflow-logs"
     */
    accountId?: string;
}

/**
 * How a cloud trusts the cluster's service accounts.
 * @example { provider: "gcp", project: "pipeline-platform-prod" }
 */
export type CloudWorkloadIdentity = AwsWorkloadIdentity | GcpWorkloadIdentity;

export interface WorkloadIdentityArgs {
    /**
     * Namespace of the service accounts.
     * @example "pipeline-services"
     */
    namespace: NamespaceName;
    /**
     * The Kubernetes service accounts that get the identity.
     * @minItems 1
     * @uniqueItems true
     * @example ["airflow-scheduler", "airflow-worker"]
     */
    serviceAccounts: SecretName[];
    /**
     * The bucket the identity reads and writes.
     */
    bucket: BucketName;
    /**
     * The key prefix it reads and writes under: path segments joined by `/`, no leading or trailing
     * `/`, no `*` or `?` (IAM wildcards). AWS: the role reaches only keys under it; Cloud Storage
     * grants `roles/storage.objectAdmin` on the whole bucket (give the logs a bucket of their own).
     */
    prefix: KeyPrefix;
    /**
     * The cloud: an IAM role (EKS) or a Google service account (GKE).
     */
    cloud: CloudWorkloadIdentity;
}

/** What a WorkloadIdentity builds: the checked args and every document it grants. */
export interface WorkloadIdentityBuild {
    args: WorkloadIdentityArgs;
    /** The service-account annotation that hands the identity to pods, known at preview. */
    annotations: Record<string, string>;
    /** The role's ARN or the Google service account's email. */
    principal: string;
    aws?: { roleName: string; trustPolicy: PolicyDocument; accessPolicy: PolicyDocument };
    gcp?: { accountId: string; email: string; members: string[] };
}

/** A WorkloadIdentity's validated input; see {@link planWorkloadIdentity}. */
export type WorkloadIdentityPlan = Planned<"WorkloadIdentity", WorkloadIdentityBuild>;

/** The Google role that lets a Kubernetes service account act as a Google service account. */
export const WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser";
/** Read, write and list objects; nothing on the bucket's own settings or IAM. */
export const OBJECT_ADMIN = "roles/storage.objectAdmin";

const TAGS = { "managed-by": "pulumi", "part-of": "pipeline-platform", component: "identity" };

/**
 * Cloud access for Kubernetes service accounts without a key: on AWS an IAM role that the cluster's
 * OIDC provider lets exactly these service accounts assume (IRSA), allowed to read and write one
 * bucket prefix; on GCP a Google service account they act as (Workload Identity), object admin on
 * one bucket. Pods get it through the service-account annotation in `annotations`; tokens are
 * short-lived and refreshed by the cloud's own webhook or metadata server.
 */
export class WorkloadIdentity extends pulumi.ComponentResource {
    /** The annotation to put on the service accounts. */
    public readonly annotations: pulumi.Output<Record<string, string>>;
    /** The role's ARN or the Google service account's email. */
    public readonly principal: pulumi.Output<string>;

    constructor(
        name: string,
        args: WorkloadIdentityArgs | WorkloadIdentityPlan,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const plan = usePlan("WorkloadIdentity", name, args, planWorkloadIdentity);
        super("pipeline-platform:identity:WorkloadIdentity", name, {}, opts);
        const parent = { parent: this };
        if (plan.aws) {
            const role = new iam.Role(
                `${name}-role`,
                {
                    name: plan.aws.roleName,
                    description: `Service accounts ${plan.args.serviceAccounts.join(", ")} in ${plan.args.namespace}: s3://${plan.args.bucket}/${plan.args.prefix}/`,
                    assumeRolePolicy: JSON.stringify(plan.aws.trustPolicy),
                    tags: TAGS,
                },
                parent,
            );
            new iam.RolePolicy(
                `${name}-access`,
                {
                    role: role.name,
                    name: "bucket-prefix",
                    policy: JSON.stringify(plan.aws.accessPolicy),
                },
                parent,
            );
        }
        if (plan.gcp) {
            const { project } = plan.args.cloud as GcpWorkloadIdentity;
            const account = new serviceaccount.Account(
                `${name}-account`,
                {
                    accountId: plan.gcp.accountId,
                    project,
                    displayName: `${plan.args.namespace}: gs://${plan.args.bucket}/${plan.args.prefix}/`,
                },
                parent,
            );
            plan.gcp.members.forEach((member, i) => {
                new serviceaccount.IAMMember(
                    `${name}-user-${plan.args.serviceAccounts[i]}`,
                    { serviceAccountId: account.name, role: WORKLOAD_IDENTITY_USER, member },
                    parent,
                );
            });
            new gcs.BucketIAMMember(
                `${name}-objects`,
                {
                    bucket: plan.args.bucket,
                    role: OBJECT_ADMIN,
                    member: `serviceAccount:${plan.gcp.email}`,
                },
                { parent: this, dependsOn: [account] },
            );
        }
        this.annotations = pulumi.output(plan.annotations);
        this.principal = pulumi.output(plan.principal);
        this.registerOutputs({ annotations: this.annotations, principal: this.principal });
    }
}

/**
 * Checks a WorkloadIdentity's args and derives everything it grants (names, ARNs, emails, policy
 * documents) without creating anything: all of it is known at preview, so a preview shows the
 * exact trust and access it will grant.
 */
export function planWorkloadIdentity(
    name: string,
    args: WorkloadIdentityArgs,
    reporter?: Reporter,
): WorkloadIdentityPlan {
    return planComponent(
        "WorkloadIdentity",
        "WorkloadIdentityArgs",
        name,
        args,
        (checked: WorkloadIdentityArgs): WorkloadIdentityBuild => {
            const cloud = checked.cloud;
            const qualified = `${pulumi.getProject()}-${pulumi.getStack()}-${name}`;
            if (cloud.provider === "aws") {
                const provider = oidcProvider(cloud.oidcProviderArn);
                if (provider === undefined) {
                    return invalidInput({
                        path: "cloud.oidcProviderArn",
                        given: cloud.oidcProviderArn,
                        expected: "an IAM OIDC provider ARN",
                        example:
                            "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
                    });
                }
                const roleName = cloud.roleName ?? iamRoleName(qualified);
                const principal = `arn:${provider.partition}:iam::${provider.accountId}:role/${roleName}`;
                return {
                    args: checked,
                    annotations: { [ANNOTATIONS.aws]: principal },
                    principal,
                    aws: {
                        roleName,
                        trustPolicy: trustPolicy(
                            provider,
                            checked.namespace,
                            checked.serviceAccounts,
                        ),
                        accessPolicy: bucketPrefixPolicy(
                            provider.partition,
                            checked.bucket,
                            checked.prefix,
                        ),
                    },
                };
            }
            const accountId = cloud.accountId ?? gcpAccountId(name, qualified);
            const email = serviceAccountEmail(accountId, cloud.project);
            return {
                args: checked,
                annotations: { [ANNOTATIONS.gcp]: email },
                principal: email,
                gcp: {
                    accountId,
                    email,
                    members: checked.serviceAccounts.map((sa) =>
                        workloadIdentityMember(cloud.project, checked.namespace, sa),
                    ),
                },
            };
        },
        reporter,
    );
}

/** An IAM role name (at most 64 of `[A-Za-z0-9+=,.@_-]`); longer ones keep a hash of the whole. */
function iamRoleName(qualified: string): string {
    const cleaned = qualified.replace(/[^A-Za-z0-9+=,.@_-]/g, "-");
    return cleaned.length <= 64 && cleaned === qualified
        ? cleaned
        : `${cleaned.slice(0, 56).replace(/-+$/, "")}-${shortHash(qualified)}`;
}

/** A Google service account id (6 to 30, `[a-z][a-z0-9-]*[a-z0-9]`) from the name, with a hash. */
function gcpAccountId(name: string, qualified: string): string {
    const head = name
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^[^a-z]+/, "")
        .slice(0, 22)
        .replace(/-+$/, "");
    return `${head || "wi"}-${shortHash(qualified)}`;
}
