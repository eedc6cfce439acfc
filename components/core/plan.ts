import { componentReporter, invalidInput, reportRefusals, type Reporter } from "./errors";
import { hasControlCharacter } from "./formats";
import { checkShape, type DefinitionName } from "./shape";

/**
 * A component's validated input, made by its `planX` function and accepted by its constructor in
 * place of the args: the constructor then builds without checking anything again. `PipelinePlatform`
 * plans every child first and hands these over.
 */
export class Planned<Kind extends string, T> {
    /** @internal */
    constructor(
        readonly kind: Kind,
        readonly name: string,
        readonly plan: T,
    ) {}
}

/**
 * The plan boundary every component shares: checks the resource name, then the args' shape against
 * the generated schema of `definition`, then runs `plan` on the normalized args. Every refusal from
 * any of them names the component instance (`RegistrySecret "registry": namespaces[0]: got …`) or,
 * with `reporter`, whatever the caller reports under (a platform's config path).
 */
export function planComponent<Kind extends string, Args, T>(
    kind: Kind,
    definition: DefinitionName,
    name: string,
    args: unknown,
    plan: (args: Args, reporter: Reporter) => T,
    reporter: Reporter = componentReporter(kind, String(name)),
): Planned<Kind, T> {
    return reportRefusals(reporter, () => {
        // A URN holds the name: control characters and `::` would break it.
        if (
            typeof name !== "string" ||
            name === "" ||
            name.length > 200 ||
            name.includes("::") ||
            hasControlCharacter(name)
        ) {
            invalidInput({
                path: "name",
                given: name,
                expected: "a resource name: 1 to 200 characters, no control characters and no '::'",
                example: "pipelines",
            });
        }
        const checked = checkShape<Args>(definition, args, reporter);
        return new Planned(kind, name, plan(checked, reporter));
    });
}

/**
 * What a constructor builds from: the plan it was handed (which must be this component's, made for
 * this name), or a fresh plan of its args.
 */
export function usePlan<Kind extends string, Args, T>(
    kind: Kind,
    name: string,
    args: Args | Planned<Kind, T>,
    plan: (name: string, args: Args) => Planned<Kind, T>,
): T {
    if (args instanceof Planned) {
        if (args.kind !== kind || args.name !== name) {
            throw new Error(
                `${kind} "${name}" was handed the plan of ${args.kind} "${args.name}": plan with the same component and name`,
            );
        }
        return args.plan as T;
    }
    return plan(name, args).plan;
}
