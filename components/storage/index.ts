/** S3 storage for pipelines: buckets, least-privilege keys, Koalja's storage config and an Airflow connection. */
export {
    planS3Storage,
    S3Storage,
    type S3StorageArgs,
    type S3StorageBuild,
    type S3StoragePlan,
} from "./s3-storage";
export {
    type AwsStorage,
    type ExternalStorage,
    type GcpStorage,
    type PlannedStorage,
    type StorageEndpoint,
    type StorageName,
    type StorageSpec,
} from "./storage-config";
