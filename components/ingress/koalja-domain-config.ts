import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { dns1123LabelProblems, invalidInput, standardLabels } from "../core";
import { koaljaDomainConfigData, type DomainConfig } from "./domain";

/** The name Koalja's controller reads its domain suffixes from. */
export const KOALJA_DOMAIN_CONFIG_NAME = "koalja-domain-config";

export interface KoaljaDomainConfigArgs {
    /**
     * Namespace of the ConfigMap: `koalja-system` for the platform-wide config, or a pipeline namespace
     * for a config that replaces it there. Default `koalja-system`.
     * @example "imaging"
     */
    namespace?: string;
    /**
     * The domain suffixes and their selectors; one must be the default (no selector).
     * @example { "example.org": { selector: { app: "prod" } }, "example.com": {} }
     */
    domains: DomainConfig;
}

/**
 * Koalja's `koalja-domain-config` ConfigMap, for tools that read domain suffixes from the cluster
 * rather than from this package. `PipelineIngress` does not need it.
 */
export class KoaljaDomainConfig extends pulumi.ComponentResource {
    /** Name of the ConfigMap (`koalja-domain-config`). */
    public readonly configMapName: pulumi.Output<string>;

    constructor(
        name: string,
        args: KoaljaDomainConfigArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("pipeline-platform:ingress:KoaljaDomainConfig", name, {}, opts);
        const namespace = args.namespace ?? "koalja-system";
        const problems = dns1123LabelProblems(namespace);
        if (problems.length > 0) {
            invalidInput({
                path: "namespace",
                given: namespace,
                expected: `a namespace name that ${problems.join(" and ")}`,
                example: "koalja-system",
            });
        }
        const data = koaljaDomainConfigData(args.domains);

        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            {
                metadata: {
                    name: KOALJA_DOMAIN_CONFIG_NAME,
                    namespace,
                    labels: standardLabels("ingress"),
                },
                data,
            },
            { parent: this },
        );

        this.configMapName = configMap.metadata.name;
        this.registerOutputs({ configMapName: this.configMapName });
    }
}
