/**
 * Runs the pack's policies over resources recorded by the mock engine (`components/testing`), the
 * way `pulumi preview --policy-pack` hands them to the pack: each resource to every resource policy,
 * all of them to every stack policy. Offline, no Pulumi CLI: what the engine would pass is rebuilt
 * from the registrations (see {@link policyResources} for what differs).
 */
import type {
    EnforcementLevel,
    Policies,
    PolicyPackConfig,
    PolicyResource,
    ResourceValidationArgs,
    StackValidationArgs,
} from "@pulumi/policy";
import type { Registration } from "../components/testing";

/** One violation a policy reported. */
export interface Violation {
    policy: string;
    enforcementLevel: EnforcementLevel;
    /** URN of the resource the violation is about. */
    urn: string;
    message: string;
}

/** Thrown by `notApplicable`, as the policy SDK's own server does. */
class NotApplicable extends Error {}

/** Pulumi type token of a resource class (generated classes carry it as a static field). */
function typeOf(resourceClass: unknown): string | undefined {
    return (resourceClass as { __pulumiType?: string }).__pulumiType;
}

/**
 * The resources of a run as a policy sees them: type, name, URN, inputs as `props`, and the options
 * the analyzer protocol carries. `protect` is the one data-safety option among them (Pulumi does not
 * send `retainOnDelete` to policy packs). Stack policies receive outputs in the engine; the mock
 * engine records inputs, which hold what the pack reads (pod specs, image names).
 */
export function policyResources(registrations: readonly Registration[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const resources = registrations
        .filter((r) => r.type !== "pulumi:pulumi:Stack")
        .map((r): PolicyResource => {
            const resource: PolicyResource = {
                type: r.type,
                name: r.name,
                urn: r.urn,
                props: r.inputs,
                opts: {
                    protect: r.protect,
                    ignoreChanges: [],
                    aliases: [],
                    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                    additionalSecretOutputs: [],
                    parent: r.parent,
                },
                dependencies: [],
                propertyDependencies: {},
                isType: (resourceClass) => typeOf(resourceClass) === r.type,
                asType: (resourceClass) =>
                    typeOf(resourceClass) === r.type ? (r.inputs as never) : undefined,
            };
            byUrn.set(r.urn, resource);
            return resource;
        });
    for (const r of registrations) {
        const resource = byUrn.get(r.urn);
        if (resource) {
            resource.parent = r.parent === undefined ? undefined : byUrn.get(r.parent);
            resource.dependencies = r.dependencies
                .map((d) => byUrn.get(d))
                .filter((d): d is PolicyResource => d !== undefined);
        }
    }
    return resources;
}

/** The enforcement level and the config a pack config gives a policy. */
function configOf(
    config: PolicyPackConfig,
    policy: string,
    level: EnforcementLevel,
): { level: EnforcementLevel; properties: Record<string, unknown> } {
    // `all` sets every policy's level; a policy's own entry overrides it.
    const all = config.all;
    const fallback = typeof all === "string" ? all : (all?.enforcementLevel ?? level);
    const entry = config[policy];
    if (typeof entry === "string") {
        return { level: entry, properties: {} };
    }
    const { enforcementLevel, ...properties } = entry ?? {};
    return { level: enforcementLevel ?? fallback, properties };
}

/**
 * Every violation the policies report for the resources, with the enforcement level `config` (a
 * `--policy-pack-config` file's content) gives each policy. Disabled policies do not run.
 */
export async function evaluatePolicies(
    resources: readonly PolicyResource[],
    policies: Policies,
    config: PolicyPackConfig = {},
): Promise<Violation[]> {
    const violations: Violation[] = [];
    const notApplicable = (reason?: string): never => {
        throw new NotApplicable(reason);
    };
    for (const policy of policies) {
        const { level, properties } = configOf(
            config,
            policy.name,
            policy.enforcementLevel ?? "advisory",
        );
        if (level === "disabled") {
            continue;
        }
        const report = (urn: string) => (message: string) =>
            violations.push({ policy: policy.name, enforcementLevel: level, urn, message });
        const getConfig = <T extends object>() => properties as T;
        try {
            if ("validateResource" in policy && policy.validateResource) {
                const validations = [policy.validateResource].flat();
                for (const resource of resources) {
                    const args: ResourceValidationArgs = {
                        type: resource.type,
                        props: resource.props,
                        urn: resource.urn,
                        name: resource.name,
                        opts: resource.opts,
                        stackTags: new Map(),
                        isType: resource.isType,
                        asType: (resourceClass) =>
                            resource.isType(resourceClass) ? (resource.props as never) : undefined,
                        getConfig,
                        notApplicable,
                    };
                    for (const validate of validations) {
                        await validate(args, report(resource.urn));
                    }
                }
            }
            if ("validateStack" in policy && policy.validateStack) {
                const args: StackValidationArgs = {
                    resources: [...resources],
                    stackTags: new Map(),
                    getConfig,
                    notApplicable,
                };
                await policy.validateStack(args, (message, urn) => report(urn ?? "")(message));
            }
        } catch (err) {
            if (!(err instanceof NotApplicable)) {
                throw err;
            }
        }
    }
    return violations;
}
