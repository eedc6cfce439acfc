/**
 * The documents of a workload identity, as pure functions of what they grant: the IAM role's trust
 * policy and bucket policy on AWS, the Workload Identity member on GCP.
 */

/** An IAM policy document. */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Array<{
        Sid: string;
        Effect: "Allow";
        Principal?: Record<string, string>;
        Action: string | string[];
        Resource?: string | string[];
        Condition?: Record<string, Record<string, string | string[]>>;
    }>;
}

/** An EKS cluster's IAM OIDC provider, read from its ARN. */
export interface OidcProvider {
    arn: string;
    partition: string;
    accountId: string;
    /** The issuer without `https://`: the prefix of the condition keys `<issuer>:sub` and `:aud`. */
    issuer: string;
}

/** `arn:<partition>:iam::<account>:oidc-provider/<issuer host and path>`. */
export const OIDC_PROVIDER_ARN =
    /^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):oidc-provider\/([A-Za-z0-9.-]+(\/[A-Za-z0-9._-]+)*)$/;

export function oidcProvider(arn: string): OidcProvider | undefined {
    const match = OIDC_PROVIDER_ARN.exec(arn);
    return match ? { arn, partition: match[1], accountId: match[2], issuer: match[3] } : undefined;
}

/** `system:serviceaccount:<namespace>:<name>`: a service account's token subject. */
export function serviceAccountSubject(namespace: string, name: string): string {
    return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * The trust policy of an IRSA role: tokens the cluster's OIDC provider issued for exactly these
 * service accounts (`:sub`), meant for STS (`:aud`), may assume it; nothing else may.
 */
export function trustPolicy(
    provider: OidcProvider,
    namespace: string,
    serviceAccounts: string[],
): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ServiceAccountsOfThisCluster",
                Effect: "Allow",
                Principal: { Federated: provider.arn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${provider.issuer}:sub`]: serviceAccounts.map((sa) =>
                            serviceAccountSubject(namespace, sa),
                        ),
                        [`${provider.issuer}:aud`]: "sts.amazonaws.com",
                    },
                },
            },
        ],
    };
}

/**
 * Read and write access to the keys under one prefix of one bucket, and nothing else. Each action
 * is one Airflow's S3 log handler (`S3RemoteLogIO`, apache-airflow-providers-amazon) calls:
 * - `s3:ListBucket` on the bucket, only for listings under the prefix: reading a task's log lists
 *   its keys (`list_keys`); it also makes S3 answer 404 rather than 403 for a log not written yet,
 *   which the handler's existence check (`check_for_key`) needs before it appends.
 * - `s3:GetObject` on the prefix's keys: `check_for_key` (HEAD) and `read_key`.
 * - `s3:PutObject` on the prefix's keys: `load_string`, which writes a whole log (multipart parts
 *   included).
 * No `s3:DeleteObject`: the handler never deletes (log retention is a bucket lifecycle rule), so
 * a leaked token cannot erase logs.
 */
export function bucketPrefixPolicy(
    partition: string,
    bucket: string,
    prefix: string,
): PolicyDocument {
    const bucketArn = `arn:${partition}:s3:::${bucket}`;
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ListLogKeys",
                Effect: "Allow",
                Action: "s3:ListBucket",
                Resource: bucketArn,
                Condition: { StringLike: { "s3:prefix": [`${prefix}/*`] } },
            },
            {
                Sid: "ReadWriteLogs",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject"],
                Resource: `${bucketArn}/${prefix}/*`,
            },
        ],
    };
}

/** The member a Kubernetes service account is under GKE Workload Identity. */
export function workloadIdentityMember(
    project: string,
    namespace: string,
    serviceAccount: string,
): string {
    return `serviceAccount:${project}.svc.id.goog[${namespace}/${serviceAccount}]`;
}

/** A Google service account's email. */
export function serviceAccountEmail(accountId: string, project: string): string {
    return `${accountId}@${project}.iam.gserviceaccount.com`;
}

/** The service-account annotation each cloud's webhook reads. */
export const ANNOTATIONS = {
    aws: "eks.amazonaws.com/role-arn",
    gcp: "iam.gke.io/gcp-service-account",
} as const;
