// The Pulumi program of every environment: the stack's config becomes one PipelinePlatform.
// `pulumi up -s <env>` runs it against a cluster; `npm run render -- --stack <env>` runs it offline.
import * as pulumi from "@pulumi/pulumi";
import { PipelinePlatform, type PlatformConfig } from "../components";

const config = new pulumi.Config();
const platformConfig = config.requireObject<PlatformConfig>("platform");

// Every `…ConfigKey` in the platform config names a secure config key; only those are read.
const secretKeys = new Set<string>();
JSON.stringify(platformConfig, (key, value) => {
    if (key.endsWith("ConfigKey") && typeof value === "string") {
        secretKeys.add(value);
    }
    return value;
});
const secrets = Object.fromEntries(
    [...secretKeys].sort().map((key) => [key, config.requireSecret(key)]),
);

const platform = new PipelinePlatform("platform", {
    config: platformConfig,
    secrets,
    configPath: `${pulumi.getProject()}:platform`,
});

// What other stacks consume through StackReference.
export const servicesNamespace = platform.servicesNamespace;
export const projectNamespaces = platform.projectNamespaces;
export const registrySecretNames = platform.registrySecretNames;
export const imagePrefixes = platform.imagePrefixes;
export const dagsClaimName = platform.dagsClaimName;
export const airflowUrl = platform.airflowUrl;
export const pipelineUrls = platform.pipelineUrls;
export const storageConfigMap = platform.storageConfigMap;
