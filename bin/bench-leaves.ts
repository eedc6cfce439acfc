// How the bench's baselines register a leaf resource: through the provider SDK's own class for its
// type token, as the platform does (see bench-worker.ts).
import * as pulumi from "@pulumi/pulumi";

/** Creates one leaf resource through its SDK class. */
export type NewLeaf = (
    name: string,
    inputs: Record<string, unknown>,
    opts?: pulumi.CustomResourceOptions,
) => pulumi.CustomResource;

/** A provider SDK class as the package exports it: `__pulumiType` is its type token. */
interface SdkClass {
    __pulumiType?: string;
    new (
        name: string,
        args: Record<string, unknown>,
        opts?: pulumi.CustomResourceOptions,
    ): pulumi.CustomResource;
}

/**
 * The SDK class of each leaf type recorded: `kubernetes:<group>/<version>:<Kind>` in @pulumi/kubernetes
 * (a custom resource kind through `apiextensions.CustomResource`), `<pkg>:<module>/<name>:<Name>`
 * in @pulumi/<pkg>. A type no class declares fails the run.
 */
export function leafClasses(
    recorded: Array<{ type: string; custom: boolean }>,
): (type: string) => NewLeaf {
    const classes = new Map<string, NewLeaf>();
    for (const type of new Set(recorded.filter((r) => r.custom).map((r) => r.type))) {
        classes.set(type, sdkLeaf(type));
    }
    return (type) => classes.get(type) as NewLeaf;
}

export function sdkLeaf(type: string): NewLeaf {
    const [pkg, module, name] = type.split(":");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK is named by the type token
    const sdk: Record<string, Record<string, unknown>> = require(`@pulumi/${pkg}`);
    const [group, version] = module.split("/");
    const found = (
        pkg === "kubernetes"
            ? (sdk[group.split(".")[0]]?.[version] as Record<string, unknown> | undefined)?.[name]
            : group === "index"
              ? (sdk as Record<string, unknown>)[name]
              : sdk[group]?.[name]
    ) as SdkClass | undefined;
    if (found?.__pulumiType === type) {
        return (leafName, inputs, opts) => new found(leafName, inputs, opts);
    }
    if (pkg === "kubernetes") {
        const { CustomResource } = sdk.apiextensions as unknown as { CustomResource: SdkClass };
        return (leafName, inputs, opts) =>
            new CustomResource(
                leafName,
                inputs as { apiVersion: string; kind: string } & Record<string, unknown>,
                opts,
            );
    }
    throw new Error(`no class in @pulumi/${pkg} registers ${type}`);
}
