/**
 * Workload identity: cloud access for Kubernetes service accounts without a key (IRSA on AWS,
 * Workload Identity on GCP), and the documents it grants.
 */
export {
    OBJECT_ADMIN,
    planWorkloadIdentity,
    WORKLOAD_IDENTITY_USER,
    WorkloadIdentity,
    type AwsWorkloadIdentity,
    type BucketName,
    type CloudWorkloadIdentity,
    type GcpWorkloadIdentity,
    type KeyPrefix,
    type OidcProviderArn,
    type WorkloadIdentityArgs,
    type WorkloadIdentityBuild,
    type WorkloadIdentityPlan,
} from "./workload-identity";
export {
    ANNOTATIONS,
    bucketPrefixPolicy,
    trustPolicy,
    workloadIdentityMember,
    type PolicyDocument,
} from "./policies";
