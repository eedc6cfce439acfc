// The Pulumi program of every environment: the stack's config becomes one PipelinePlatform.
// `pulumi up -s <env>` runs it against a cluster; `npm run render -- --stack <env>` runs it offline.
// It is a function (Pulumi calls an exported function and takes what it returns as the stack's
// outputs), so one process can evaluate it for several stacks, as the render tests do.
import * as pulumi from "@pulumi/pulumi";
import { PipelinePlatform, type PlatformConfig } from "../components";

export = () => {
    const config = new pulumi.Config();
    // Read without `require…`: a missing or misspelt key is refused by the platform's plan, with
    // the config path and the closest key, instead of Pulumi's bare "missing required configuration".
    const platformConfig = config.getObject<PlatformConfig>("platform");

    // Every other key of the project is a value a `…ConfigKey` may name (secure keys: credentials);
    // all are handed over as secrets, so a misspelt `…ConfigKey` is refused with the closest one.
    const prefix = `${pulumi.getProject()}:`;
    const secrets: Record<string, pulumi.Output<string>> = {};
    for (const key of Object.keys(pulumi.runtime.allConfig()).sort()) {
        const name = key.slice(prefix.length);
        if (key.startsWith(prefix) && name !== "platform") {
            secrets[name] = config.requireSecret(name);
        }
    }

    const platform = new PipelinePlatform("platform", {
        config: platformConfig as PlatformConfig,
        secrets,
        configPath: `${pulumi.getProject()}:platform`,
    });

    // What other stacks consume through StackReference.
    return {
        servicesNamespace: platform.servicesNamespace,
        projectNamespaces: platform.projectNamespaces,
        registrySecretNames: platform.registrySecretNames,
        imagePrefixes: platform.imagePrefixes,
        dagsClaimName: platform.dagsClaimName,
        airflowUrl: platform.airflowUrl,
        pipelineUrls: platform.pipelineUrls,
        storageConfigMap: platform.storageConfigMap,
    };
};
