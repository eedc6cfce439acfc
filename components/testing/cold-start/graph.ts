import type { Registration } from "../engine";

/**
 * The order `pulumi up` creates a program's resources in on an empty stack, from what the engine
 * recorded. Every rule below is Pulumi's own behaviour (Node SDK and engine at v3.248.0, the SDK
 * version this package runs on):
 *
 * - A resource's recorded dependencies are its explicit `dependsOn` and the resources behind every
 *   Output among its inputs (`sdk/nodejs/runtime/rpc.ts` `serializeProperty` adds
 *   `getAllResources(output)`; `sdk/nodejs/runtime/resource.ts` `prepareResource` sends them as the
 *   request's dependencies, which is what the mock engine records).
 * - A component among them stands for every custom resource below it, without descending into the
 *   children of a custom resource (`sdk/nodejs/runtime/dependsOn.ts`
 *   `getAllTransitivelyReferencedResources`). The SDK has already expanded the list it sends; the
 *   expansion is repeated here only for a component URN that reaches the graph some other way.
 * - A child waits for its parent: `prepareResource` awaits `parent.urn` before registering, and a
 *   resource's URN resolves only when the engine answers its registration, which for a component
 *   happens after the component's own dependencies have answered, and for a custom resource after
 *   the provider has created it (`pkg/resource/deploy/source_eval.go` `RegisterResource` blocks on
 *   the step's `done` channel; `pkg/resource/deploy/step.go` `CreateStep.Apply` completes the
 *   registration after `Create`). So a child inherits the dependencies of every component above it,
 *   and a child of a custom resource comes after that resource.
 */
export interface ApplyGraph {
    /** Every custom resource (providers left out) with its wave, sorted by wave, then URN. */
    resources: Array<{ registration: Registration; wave: number }>;
    /** The number of waves: the length of the longest chain of resources that wait for each other. */
    depth: number;
    /** Whether `later` waits, directly or through others, for `earlier` to be created. */
    isAfter(later: Registration, earlier: Registration): boolean;
}

/** Builds the apply graph of a recorded program; see {@link ApplyGraph} for the rules. */
export function applyGraph(registrations: readonly Registration[]): ApplyGraph {
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const children = new Map<string, Registration[]>();
    for (const r of registrations) {
        if (r.parent !== undefined) {
            children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
        }
    }
    const nodes = registrations.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    const isNode = new Set(nodes);

    const customBelow = (component: Registration): Registration[] =>
        (children.get(component.urn) ?? []).flatMap((child) =>
            child.custom ? [child] : customBelow(child),
        );
    const expand = (urns: readonly string[]): Registration[] =>
        urns.flatMap((urn) => {
            const r = byUrn.get(urn);
            return r === undefined ? [] : r.custom ? [r] : customBelow(r);
        });

    const direct = new Map<Registration, Set<Registration>>();
    for (const node of nodes) {
        const waits = new Set(expand(node.dependencies));
        for (let parent = byUrn.get(node.parent ?? ""); parent;) {
            if (parent.custom) {
                waits.add(parent);
                break;
            }
            expand(parent.dependencies).forEach((d) => waits.add(d));
            parent = byUrn.get(parent.parent ?? "");
        }
        waits.delete(node);
        direct.set(node, new Set([...waits].filter((w) => isNode.has(w))));
    }

    const waves = new Map<Registration, number>();
    const before = new Map<Registration, Set<Registration>>();
    const visiting = new Set<Registration>();
    const visit = (node: Registration): number => {
        const known = waves.get(node);
        if (known !== undefined) {
            return known;
        }
        if (visiting.has(node)) {
            throw new Error(`dependency cycle through ${node.type} ${node.name}`);
        }
        visiting.add(node);
        let wave = 1;
        const all = new Set<Registration>();
        for (const dependency of direct.get(node) ?? []) {
            wave = Math.max(wave, visit(dependency) + 1);
            all.add(dependency);
            before.get(dependency)?.forEach((d) => all.add(d));
        }
        visiting.delete(node);
        waves.set(node, wave);
        before.set(node, all);
        return wave;
    };
    nodes.forEach(visit);

    const resources = nodes
        .map((registration) => ({ registration, wave: waves.get(registration)! }))
        .sort(
            (a, b) =>
                a.wave - b.wave ||
                (a.registration.urn < b.registration.urn
                    ? -1
                    : a.registration.urn > b.registration.urn
                      ? 1
                      : 0),
        );
    return {
        resources,
        depth: Math.max(0, ...resources.map((r) => r.wave)),
        isAfter: (later, earlier) => before.get(later)?.has(earlier) ?? false,
    };
}
