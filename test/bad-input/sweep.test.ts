// The generated sweep: every argument of every component, at every depth the schema describes, is
// replaced in turn by null, a number, a string, a list, an object and nothing. Each variant must be
// accepted or refused with an input error that names the instance — never a TypeError — and a
// refused variant registers nothing, not even the component. Every credential the sweep plants
// (in the bases, in URL userinfo, in credential-named fields, at every secret position) contains
// "sentinel", and no refusal may show one.
import * as pulumi from "@pulumi/pulumi";
import { resolveNode, shapeDefinition, type SchemaNode } from "../../components/core";
import { runProgram } from "../../components/testing";
import { SWEEP_SUBJECTS, type SweepSubject } from "./sweep-subjects";

const HOSTILE: Array<[string, unknown]> = [
    ["null", null],
    ["a number", 42],
    ["a string", "x"],
    ["a list", []],
    ["an object", {}],
    ["nothing", undefined],
    ["a URL with credentials", "https://sweep-user:sweep-sentinel-url@registry.example.com/team"],
    ["an object with a password", { password: "sweep-sentinel-field" }],
];

/** What a secret position gets besides {@link HOSTILE}: credentials of the wrong shape. */
const HOSTILE_SECRETS: Array<[string, unknown]> = [
    ["a credential with a newline", "sweep-sentinel-secret\nline"],
    ["a credential in a list", ["sweep-sentinel-secret"]],
    ["a credential in an object", { value: "sweep-sentinel-secret" }],
];

type Step = string | number;

/** A position in the args, and whether the schema marks it a credential (`@secret`). */
interface Position {
    path: Step[];
    secret: boolean;
}

/** Every position the schema describes under `value`: present ones and absent optional ones. */
function positions(
    node: SchemaNode,
    value: unknown,
    at: Step[] = [],
    depth = 0,
    secret = false,
): Position[] {
    const resolved = branchFor(resolveNode(node), value);
    if (depth > 6 || resolved["x-resource"] !== undefined) {
        return [];
    }
    const found: Position[] = [];
    // Everything under a secret position is secret too (a map of secure values).
    const add = (child: SchemaNode, inner: unknown, path: Step[]) => {
        const isSecret = secret || resolveNode(child).secret === true;
        found.push({ path, secret: isSecret });
        if (inner !== undefined) {
            found.push(...positions(child, inner, path, depth + 1, isSecret));
        }
    };
    if (resolved.properties !== undefined) {
        for (const [key, child] of Object.entries(resolved.properties)) {
            add(child, isObject(value) ? value[key] : undefined, [...at, key]);
        }
    } else if (typeof resolved.additionalProperties === "object" && isObject(value)) {
        for (const [key, inner] of Object.entries(value)) {
            add(resolved.additionalProperties, inner, [...at, key]);
        }
    }
    if (resolved.items !== undefined && Array.isArray(value) && value.length > 0) {
        add(resolved.items, value[0], [...at, 0]);
    }
    return found;
}

/** The branch of a union the (valid) base value takes. */
function branchFor(node: SchemaNode, value: unknown): SchemaNode {
    if (node.anyOf === undefined) {
        return node;
    }
    for (const branch of node.anyOf.map(resolveNode)) {
        const keys = Object.keys(branch.properties ?? {});
        const fixed = Object.entries(branch.properties ?? {}).every(
            ([key, property]) =>
                resolveNode(property).const === undefined ||
                (isObject(value) && value[key] === resolveNode(property).const),
        );
        if (isObject(value) && fixed && Object.keys(value).every((key) => keys.includes(key))) {
            return branch;
        }
    }
    return node;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return (
        value !== null &&
        typeof value === "object" &&
        !Array.isArray(value) &&
        !pulumi.Output.isInstance(value)
    );
}

/** A copy of `base` with the value at `path` replaced (deleted for `undefined`). */
function replaced(base: unknown, path: Step[], value: unknown): unknown {
    if (path.length === 0) {
        return value;
    }
    const [head, ...rest] = path;
    if (Array.isArray(base)) {
        const copy = [...base];
        copy[head as number] = replaced(base[head as number], rest, value);
        return copy;
    }
    const copy: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    const inner = replaced(copy[head as string], rest, value);
    if (inner === undefined) {
        delete copy[head as string];
    } else {
        copy[head as string] = inner;
    }
    return copy;
}

interface Variant {
    title: string;
    args: unknown;
}

function variants(subject: SweepSubject): Variant[] {
    const base = subject.base();
    const found: Variant[] = HOSTILE.map(([title, value]) => ({
        title: `args: ${title}`,
        args: value,
    }));
    for (const { path, secret } of positions(shapeDefinition(subject.definition), base)) {
        for (const [title, value] of secret ? [...HOSTILE, ...HOSTILE_SECRETS] : HOSTILE) {
            found.push({ title: `${path.join(".")}: ${title}`, args: replaced(base, path, value) });
        }
    }
    return found;
}

/** How planning a variant ended: accepted, or the error it threw. */
interface Outcome {
    variant: Variant;
    error?: unknown;
}

describe.each(SWEEP_SUBJECTS.map((s) => [s.kind, s] as const))("sweep of %s", (kind, subject) => {
    const all = variants(subject);
    // Each variant is planned once; both tests below read the outcomes.
    let planned: Outcome[] | undefined;
    const outcomes = (): Outcome[] =>
        (planned ??= all.map((variant) => {
            try {
                subject.plan("sweep", variant.args);
                return { variant };
            } catch (error) {
                return { variant, error };
            }
        }));

    test("reaches every argument the schema describes", () => {
        expect(all.length).toBeGreaterThanOrEqual(subject.minimumVariants);
    });

    test("reaches the secret positions, with credentials of every wrong shape", () => {
        const secrets = all.filter((v) => v.title.endsWith(": a credential in a list"));
        expect(secrets.length).toBeGreaterThanOrEqual(subject.secretPositions ?? 0);
    });

    test("every variant is accepted or refused with an input error naming the instance, never a TypeError, and never shows a credential", () => {
        const crashes: string[] = [];
        const leaks: string[] = [];
        let refused = 0;
        for (const { variant, error: err } of outcomes()) {
            if (err === undefined) {
                continue;
            }
            if (
                pulumi.InputPropertyError.isInstance(err) &&
                (err as pulumi.InputPropertyError).reason.startsWith(`${kind} "sweep": `)
            ) {
                refused++;
                if (
                    /sentinel/i.test(
                        `${(err as pulumi.InputPropertyError).reason}\n${(err as Error).message}`,
                    )
                ) {
                    leaks.push(`${variant.title}: ${(err as Error).message}`);
                }
                continue;
            }
            crashes.push(
                `${variant.title}: ${(err as Error).constructor.name}: ${(err as Error).message}`,
            );
        }
        expect(crashes).toEqual([]);
        expect(leaks).toEqual([]);
        expect(refused).toBeGreaterThan(all.length / 2);
    });

    test("a refused variant registers nothing, not even the component", async () => {
        const refusedVariants = outcomes()
            .filter((outcome) => outcome.error !== undefined)
            .map((outcome) => outcome.variant);
        const result = await runProgram(
            () => {
                for (const variant of refusedVariants) {
                    try {
                        subject.construct("sweep", variant.args);
                    } catch {
                        // Refused, as the previous test proves; what matters here is what was registered.
                    }
                }
            },
            { invokes: subject.invokes },
        );
        expect(result.registrations.map((r) => `${r.type} ${r.name}`)).toEqual([]);
    });
});
