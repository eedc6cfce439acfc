export { S3Storage, type S3StorageArgs } from "./s3-storage";
export {
    KOALJA_S3_CONFIG_NAME,
    KOALJA_S3_SECRET_TYPE,
    airflowConnectionEnvName,
    airflowConnectionUri,
    bucketNameProblems,
    bucketPolicy,
    storageSecretName,
    validateStorages,
    type AwsStorage,
    type ExternalStorage,
    type GcpStorage,
    type StorageSpec,
} from "./storage-config";
