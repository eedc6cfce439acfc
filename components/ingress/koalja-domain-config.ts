import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    planComponent,
    standardLabels,
    usePlan,
    type NamespaceName,
    type Planned,
    type Reporter,
} from "../core";
import { checkDefaultDomain, koaljaDomainConfigData, type DomainConfig } from "./domain";

/** The name Koalja's controller reads its domain suffixes from. */
const KOALJA_DOMAIN_CONFIG_NAME = "koalja-domain-config";

export interface KoaljaDomainConfigArgs {
    /**
     * Namespace of the ConfigMap: `koalja-system` for the platform-wide config, or a pipeline namespace
     * for a config that replaces it there. Default `koalja-system`.
     * @example "imaging"
     */
    namespace?: NamespaceName;
    /**
     * The domain suffixes and their selectors; one must be the default (no selector).
     * @example { "example.org": { selector: { app: "prod" } }, "example.com": {} }
     */
    domains: DomainConfig;
}

/** What a KoaljaDomainConfig builds: the checked args and the ConfigMap's place and data. */
export interface KoaljaDomainConfigBuild {
    args: KoaljaDomainConfigArgs;
    namespace: string;
    /** One key per suffix: its `selector:` block in YAML, empty for the default. */
    data: Record<string, string>;
}

/** A KoaljaDomainConfig's validated input; see {@link planKoaljaDomainConfig}. */
export type KoaljaDomainConfigPlan = Planned<"KoaljaDomainConfig", KoaljaDomainConfigBuild>;

/**
 * Koalja's `koalja-domain-config` ConfigMap, for tools that read domain suffixes from the cluster
 * rather than from this package. `PipelineIngress` does not need it.
 */
export class KoaljaDomainConfig extends pulumi.ComponentResource {
    /** Name of the ConfigMap (`koalja-domain-config`). */
    public readonly configMapName: pulumi.Output<string>;

    constructor(
        name: string,
        args: KoaljaDomainConfigArgs | KoaljaDomainConfigPlan,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const plan = usePlan("KoaljaDomainConfig", name, args, planKoaljaDomainConfig);
        super("pipeline-platform:ingress:KoaljaDomainConfig", name, {}, opts);

        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            {
                metadata: {
                    name: KOALJA_DOMAIN_CONFIG_NAME,
                    namespace: plan.namespace,
                    labels: standardLabels("ingress"),
                },
                data: plan.data,
            },
            { parent: this },
        );

        this.configMapName = configMap.metadata.name;
        this.registerOutputs({ configMapName: this.configMapName });
    }
}

/**
 * Checks a KoaljaDomainConfig's args (suffixes are DNS names, selectors are labels, one entry is the
 * default) without creating anything and returns the plan its constructor builds from.
 */
export function planKoaljaDomainConfig(
    name: string,
    args: KoaljaDomainConfigArgs,
    reporter?: Reporter,
): KoaljaDomainConfigPlan {
    return planComponent(
        "KoaljaDomainConfig",
        "KoaljaDomainConfigArgs",
        name,
        args,
        (checked: KoaljaDomainConfigArgs) => {
            checkDefaultDomain(checked.domains, "domains");
            return {
                args: checked,
                namespace: checked.namespace ?? "koalja-system",
                data: koaljaDomainConfigData(checked.domains),
            };
        },
        reporter,
    );
}
