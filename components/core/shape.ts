import * as pulumi from "@pulumi/pulumi";
import { closest, distance } from "fastest-levenshtein";
import generated from "../../schema/args.schema.json";
import {
    describeExample,
    describeValue,
    isCredentialName,
    joinPath,
    redactUserinfo,
    refusal,
    reported,
    reportRefusals,
    Refusal,
    type Reporter,
} from "./errors";
import { isDeferred, isPlainObject } from "./deferred";
import { FORMATS, hasControlCharacter } from "./formats";

/**
 * The part of JSON Schema (draft 7) that `npm run schema` generates from the args types, plus the
 * generator's markers: `x-pulumi-input` (the position takes a `pulumi.Input`, so an Output or a
 * Promise is checked once it resolves), `x-resource` (a resource of the named component class) and
 * `secret` (a credential: never shown in a message).
 */
export interface SchemaNode {
    $ref?: string;
    type?: string | string[];
    properties?: Record<string, SchemaNode>;
    required?: string[];
    additionalProperties?: boolean | SchemaNode;
    propertyNames?: SchemaNode;
    items?: SchemaNode;
    enum?: unknown[];
    const?: unknown;
    anyOf?: SchemaNode[];
    format?: string;
    /** A regular expression the string must match; `description` says what it means. */
    pattern?: string;
    minimum?: number;
    maximum?: number;
    minItems?: number;
    maxItems?: number;
    minLength?: number;
    maxLength?: number;
    minProperties?: number;
    uniqueItems?: boolean;
    description?: string;
    examples?: unknown[];
    "x-pulumi-input"?: boolean;
    "x-resource"?: string;
    secret?: boolean;
}

export interface GeneratedSchema {
    definitions: Record<string, SchemaNode>;
}

const SCHEMA = generated as unknown as GeneratedSchema;
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** The names of the generated definitions, e.g. `RegistrySecretArgs`, `PlatformConfig`. */
export type DefinitionName = string;

/**
 * Checks `value` against a generated definition and returns a normalized copy: plain objects and
 * arrays only, optional keys given as `undefined` dropped, and every Output or Promise in a
 * position that takes one replaced by an Output that applies the same check to the resolved value
 * (so a bad value known only during `pulumi up` fails with the same message). The first problem
 * throws a {@link Refusal} reported by `reporter`: unknown keys with the closest known key, wrong
 * types, missing fields, values outside a format, reserved map keys (`__proto__`, `constructor`,
 * `prototype`). No input shape makes it throw anything else.
 */
export function checkShape<T>(
    definition: DefinitionName | SchemaNode,
    value: unknown,
    reporter: Reporter,
    path = "",
): T {
    const node = typeof definition === "string" ? shapeDefinition(definition) : definition;
    return reportRefusals(reporter, () => new ShapeCheck(reporter).visit(node, value, path) as T);
}

/** The generated definition of an args type, for tools that walk it (the bad-input sweep, docs). */
export function shapeDefinition(definition: DefinitionName): SchemaNode {
    const node = SCHEMA.definitions[definition];
    if (node === undefined) {
        throw new Error(`no generated schema for ${definition}: run npm run schema`);
    }
    return node;
}

/** Resolved nodes by node: a schema position is resolved once, not on every value checked there. */
const RESOLVED = new WeakMap<SchemaNode, SchemaNode>();

/** Follows `$ref`s; keywords on the referring node win over the target's. */
export function resolveNode(node: SchemaNode): SchemaNode {
    if (node.$ref === undefined) {
        return node;
    }
    let resolved = RESOLVED.get(node);
    if (resolved === undefined) {
        resolved = followRefs(node);
        RESOLVED.set(node, resolved);
    }
    return resolved;
}

function followRefs(node: SchemaNode): SchemaNode {
    let current = node;
    const seen = new Set<string>();
    while (current.$ref !== undefined) {
        const name = decodeURIComponent(current.$ref.replace(/^#\/definitions\//, ""));
        if (seen.has(name)) {
            throw new Error(`circular schema reference ${name}`);
        }
        seen.add(name);
        const target = SCHEMA.definitions[name];
        if (target === undefined) {
            throw new Error(`unknown schema reference ${current.$ref}`);
        }
        // Keywords beside a `$ref` (annotations, `minProperties` …) refine the target.
        const merged: SchemaNode = { ...target, ...current, $ref: target.$ref };
        if (target["x-pulumi-input"] || current["x-pulumi-input"]) {
            merged["x-pulumi-input"] = true;
        }
        current = merged;
    }
    return current;
}

/** An example value for a schema position, built from `@example` tags, formats and enums. */
export function exampleOf(node: SchemaNode, depth = 0): unknown {
    const resolved = resolveNode(node);
    if (resolved.examples !== undefined && resolved.examples.length > 0) {
        return resolved.examples[0];
    }
    if (resolved.const !== undefined) {
        return resolved.const;
    }
    if (resolved.enum !== undefined && resolved.enum.length > 0) {
        return resolved.enum[0];
    }
    if (resolved.format !== undefined && FORMATS[resolved.format] !== undefined) {
        return FORMATS[resolved.format].example;
    }
    if (resolved.anyOf !== undefined && resolved.anyOf.length > 0) {
        return exampleOf(resolved.anyOf[0], depth);
    }
    const type = primaryType(resolved);
    if (type === "object" && depth < 4) {
        const example: Record<string, unknown> = {};
        for (const key of resolved.required ?? []) {
            const property = resolved.properties?.[key];
            if (property !== undefined) {
                example[key] = exampleOf(property, depth + 1);
            }
        }
        return example;
    }
    if (type === "array") {
        return resolved.items !== undefined && depth < 4
            ? [exampleOf(resolved.items, depth + 1)]
            : [];
    }
    if (type === "boolean") {
        return true;
    }
    if (type === "number" || type === "integer") {
        return resolved.minimum ?? 1;
    }
    return "value";
}

/** What a schema position accepts, in words. */
export function expectedOf(node: SchemaNode): string {
    const resolved = resolveNode(node);
    if (resolved["x-resource"] !== undefined) {
        return `a ${resolved["x-resource"]} resource`;
    }
    if (resolved.const !== undefined) {
        return JSON.stringify(resolved.const);
    }
    if (resolved.enum !== undefined) {
        return `one of ${resolved.enum.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    if (resolved.anyOf !== undefined) {
        const discriminator = discriminatorOf(resolved.anyOf);
        if (discriminator !== undefined) {
            return `an object whose ${discriminator.key} is one of ${[...discriminator.branches.keys()].map((v) => JSON.stringify(v)).join(", ")}`;
        }
        return `one of: ${resolved.anyOf.map(expectedOf).join("; or ")}`;
    }
    if (resolved.format !== undefined && FORMATS[resolved.format] !== undefined) {
        return FORMATS[resolved.format].expected;
    }
    switch (primaryType(resolved)) {
        case "string":
            return resolved.pattern !== undefined && resolved.description !== undefined
                ? purpose(resolved.description)
                : "a string";
        case "boolean":
            return "true or false";
        case "integer":
            return `a whole number${rangeText(resolved)}`;
        case "number":
            return `a number${rangeText(resolved)}`;
        case "array":
            return resolved.items !== undefined
                ? `a list of ${plural(expectedOf(resolved.items))}`
                : "a list";
        case "object": {
            if (resolved.properties !== undefined) {
                const required = resolved.required ?? [];
                return required.length > 0
                    ? `an object with ${required.join(", ")}`
                    : `an object with any of ${Object.keys(resolved.properties).join(", ")}`;
            }
            const values = resolved.additionalProperties;
            return typeof values === "object" && Object.keys(values).length > 0
                ? `a map of names to ${plural(expectedOf(values))}`
                : "an object";
        }
        default:
            return "a value";
    }
}

function plural(expected: string): string {
    return expected.replace(/^(a|an) /, "");
}

function rangeText(node: SchemaNode): string {
    if (node.minimum !== undefined && node.maximum !== undefined) {
        return ` from ${node.minimum} to ${node.maximum}`;
    }
    if (node.minimum !== undefined) {
        return ` of at least ${node.minimum}`;
    }
    if (node.maximum !== undefined) {
        return ` of at most ${node.maximum}`;
    }
    return "";
}

function primaryType(node: SchemaNode): string | undefined {
    if (Array.isArray(node.type)) {
        return node.type.find((t) => t !== "null");
    }
    if (node.type !== undefined) {
        return node.type;
    }
    if (node.properties !== undefined || node.additionalProperties !== undefined) {
        return "object";
    }
    return undefined;
}

interface Discriminator {
    key: string;
    branches: Map<unknown, SchemaNode>;
}

const DISCRIMINATORS = new WeakMap<SchemaNode[], { found: Discriminator | undefined }>();

/** The property every branch of a union fixes with a `const` (`location`, `provider`), if any. */
function discriminatorOf(branches: SchemaNode[]): Discriminator | undefined {
    let known = DISCRIMINATORS.get(branches);
    if (known === undefined) {
        known = { found: findDiscriminator(branches) };
        DISCRIMINATORS.set(branches, known);
    }
    return known.found;
}

function findDiscriminator(branches: SchemaNode[]): Discriminator | undefined {
    const resolved = branches.map(resolveNode);
    const first = resolved[0]?.properties;
    if (first === undefined) {
        return undefined;
    }
    for (const key of Object.keys(first)) {
        const values = new Map<unknown, SchemaNode>();
        const fixed = resolved.every((branch) => {
            const property = branch.properties?.[key];
            const constant = property === undefined ? undefined : resolveNode(property).const;
            if (
                constant === undefined ||
                !(branch.required ?? []).includes(key) ||
                values.has(constant)
            ) {
                return false;
            }
            values.set(constant, branch);
            return true;
        });
        if (fixed) {
            return { key, branches: values };
        }
    }
    return undefined;
}

/**
 * Whether a position refuses the value by its kind alone (a string where an object is expected, a
 * plain object where a resource is): what a union skips before trying a branch. False when unsure.
 */
function cannotTake(node: SchemaNode, value: unknown): boolean {
    if (isDeferred(value) || node.anyOf !== undefined) {
        return false;
    }
    if (node["x-resource"] !== undefined) {
        return !pulumi.Resource.isInstance(value);
    }
    if (node.const !== undefined) {
        return value !== node.const;
    }
    if (node.enum !== undefined) {
        return !node.enum.includes(value);
    }
    switch (primaryType(node)) {
        case "string":
            return typeof value !== "string";
        case "number":
        case "integer":
            return typeof value !== "number";
        case "boolean":
            return typeof value !== "boolean";
        case "array":
            return !Array.isArray(value);
        case "object":
            return !isPlainObject(value);
        default:
            return false;
    }
}

/** A position without any rule (`unknown`, chart values): plain data passes. */
function isUnconstrained(node: SchemaNode): boolean {
    return (
        node["x-resource"] === undefined &&
        node.anyOf === undefined &&
        node.const === undefined &&
        node.enum === undefined &&
        primaryType(node) === undefined
    );
}

const PATTERNS = new Map<string, RegExp>();

function patternOf(source: string): RegExp {
    let pattern = PATTERNS.get(source);
    if (pattern === undefined) {
        pattern = new RegExp(source);
        PATTERNS.set(source, pattern);
    }
    return pattern;
}

/**
 * The deferred checks made so far, by Output (or Promise), schema position and path: one Output
 * handed to many components at the same position (the registry password every processing image
 * gets) is checked once, and a bad value fails the run naming the first component given it.
 */
const DEFERRED = new WeakMap<object, WeakMap<SchemaNode, Map<string, unknown>>>();

class ShapeCheck {
    constructor(private readonly reporter: Reporter) {}

    visit(node: SchemaNode, value: unknown, path: string, secret = false): unknown {
        const resolved = resolveNode(node);
        const isSecret = secret || resolved.secret === true;
        if (isDeferred(value)) {
            // An unconstrained position takes plain data, whose parts may be Outputs at any depth.
            return isUnconstrained(resolved)
                ? this.plainData(resolved, value, path, isSecret)
                : this.later(resolved, value, path, isSecret);
        }
        if (resolved["x-resource"] !== undefined) {
            return this.resource(resolved, value, path);
        }
        if (resolved.anyOf !== undefined) {
            return this.union(resolved, value, path, isSecret);
        }
        if (resolved.const !== undefined) {
            return value === resolved.const ? value : this.refuse(resolved, value, path, isSecret);
        }
        if (resolved.enum !== undefined) {
            return resolved.enum.includes(value)
                ? value
                : this.refuse(resolved, value, path, isSecret, undefined, describeRole(resolved));
        }
        switch (primaryType(resolved)) {
            case "string":
                return this.string(resolved, value, path, isSecret);
            case "number":
            case "integer":
                return this.number(resolved, value, path, isSecret);
            case "boolean":
                return typeof value === "boolean"
                    ? value
                    : this.refuse(resolved, value, path, isSecret);
            case "array":
                return this.array(resolved, value, path, isSecret);
            case "object":
                return this.object(resolved, value, path, isSecret);
            default:
                // An unconstrained position (`unknown`, chart values): only plain data passes.
                return this.plainData(resolved, value, path, isSecret);
        }
    }

    /** An Output or Promise: accepted where the type is a `pulumi.Input`, checked when it resolves. */
    private later(node: SchemaNode, value: unknown, path: string, secret: boolean): unknown {
        if (!node["x-pulumi-input"]) {
            return this.fail(
                refusal({
                    path,
                    given: value,
                    expected: `a value known at preview (this argument takes no Output): ${expectedOf(node)}`,
                    example: exampleOf(node),
                }),
            );
        }
        const key = `${secret ? "secret " : ""}${path}`;
        const checked = DEFERRED.get(value as object)
            ?.get(node)
            ?.get(key);
        if (checked !== undefined) {
            return checked;
        }
        const settled: SchemaNode = { ...node, "x-pulumi-input": false };
        // An Output is applied directly: `pulumi.output` of an Output is itself another apply.
        const output = pulumi.Output.isInstance(value)
            ? value
            : pulumi.output(value as pulumi.Input<unknown>);
        const deferred = (output as pulumi.Output<unknown>).apply((resolved) => {
            try {
                return this.visit(settled, resolved, path, secret);
            } catch (err) {
                throw reported(this.reporter, err);
            }
        });
        const byNode =
            DEFERRED.get(value as object) ?? new WeakMap<SchemaNode, Map<string, unknown>>();
        DEFERRED.set(value as object, byNode);
        const byKey = byNode.get(node) ?? new Map<string, unknown>();
        byNode.set(node, byKey);
        byKey.set(key, deferred);
        return deferred;
    }

    private resource(node: SchemaNode, value: unknown, path: string): unknown {
        const kind = node["x-resource"] as string;
        const token = (value as { __pulumiType?: unknown } | undefined)?.__pulumiType;
        if (
            pulumi.Resource.isInstance(value) &&
            (typeof token !== "string" || token.endsWith(`:${kind}`))
        ) {
            return value;
        }
        return this.fail(
            refusal({
                path,
                given: value,
                expected: `a ${kind} resource`,
                example: `new ${kind}(…)`,
            }),
        );
    }

    private union(node: SchemaNode, value: unknown, path: string, secret: boolean): unknown {
        const branches = node.anyOf as SchemaNode[];
        const discriminator = discriminatorOf(branches);
        if (discriminator !== undefined && isPlainObject(value)) {
            const tag = value[discriminator.key];
            const branch = discriminator.branches.get(tag);
            if (branch === undefined) {
                const options = [...discriminator.branches.keys()];
                return this.fail(
                    refusal({
                        path: joinPath(path, discriminator.key),
                        given: tag,
                        expected: `one of ${options.map((v) => JSON.stringify(v)).join(", ")}`,
                        example: options[0],
                    }),
                );
            }
            return this.visit(branch, value, path, secret);
        }
        // Otherwise: the first branch the value fits. Branches whose type cannot take the value are
        // not tried: a valid value is checked without building the refusals of the other branches.
        for (const branch of branches) {
            if (!cannotTake(resolveNode(branch), value)) {
                try {
                    return this.visit(branch, value, path, secret);
                } catch (err) {
                    if (!(err instanceof Refusal)) {
                        throw err;
                    }
                }
            }
        }
        // None fits: the problem in the branch whose keys the value shares most (a typo in one field
        // is reported in that field).
        let best: { score: number; error: unknown } | undefined;
        for (const branch of branches) {
            try {
                return this.visit(branch, value, path, secret);
            } catch (err) {
                if (!(err instanceof Refusal)) {
                    throw err;
                }
                const score = overlap(resolveNode(branch), value);
                if (best === undefined || score > best.score) {
                    best = { score, error: err };
                }
            }
        }
        const scores = branches.map((branch) => overlap(resolveNode(branch), value));
        const top = Math.max(...scores);
        if (top > 0 && scores.filter((score) => score === top).length > 1) {
            // The value mixes the keys of several branches (`serviceAccount` and `secretRef`).
            return this.refuse(node, value, path, secret);
        }
        if (best !== undefined && best.score > 0) {
            throw best.error;
        }
        if (isPlainObject(value) && Object.keys(value).length > 0) {
            // No branch knows any key: the first key is a typo of one of theirs.
            const key = Object.keys(value)[0];
            const known = [
                ...new Set(branches.flatMap((b) => Object.keys(resolveNode(b).properties ?? {}))),
            ];
            return this.fail(unknownKey(joinPath(path, key), key, known));
        }
        return this.refuse(node, value, path, secret);
    }

    private string(node: SchemaNode, value: unknown, path: string, secret: boolean): unknown {
        if (typeof value !== "string") {
            return this.refuse(node, value, path, secret);
        }
        if (node.minLength !== undefined && value.length < node.minLength) {
            return this.refuse(
                node,
                value,
                path,
                secret,
                node.minLength === 1 ? "not empty" : `at least ${node.minLength} characters`,
            );
        }
        if (node.maxLength !== undefined && value.length > node.maxLength) {
            return this.refuse(node, value, path, secret, `at most ${node.maxLength} characters`);
        }
        if (hasControlCharacter(value) && !secret) {
            return this.refuse(
                node,
                value,
                path,
                secret,
                "no control characters (newline, tab, escape)",
            );
        }
        if (node.pattern !== undefined && !patternOf(node.pattern).test(value)) {
            return this.refuse(node, value, path, secret);
        }
        const format = node.format === undefined ? undefined : FORMATS[node.format];
        if (format !== undefined) {
            const problems = format.problems(value);
            if (problems.length > 0) {
                // Suggested from the value without its userinfo: a suggestion is shown in clear.
                const suggestion = format.suggest?.(redactUserinfo(value));
                const example =
                    suggestion !== undefined && format.problems(suggestion).length === 0
                        ? suggestion
                        : exampleOf(node);
                return this.fail(
                    refusal({
                        path,
                        given: value,
                        expected: `${format.expected}: ${problems.join("; ")}`,
                        example,
                        secret,
                    }),
                );
            }
        }
        return value;
    }

    private number(node: SchemaNode, value: unknown, path: string, secret: boolean): unknown {
        const integer = primaryType(node) === "integer";
        const ok =
            typeof value === "number" &&
            Number.isFinite(value) &&
            (!integer || Number.isInteger(value)) &&
            (node.minimum === undefined || value >= node.minimum) &&
            (node.maximum === undefined || value <= node.maximum);
        return ok ? value : this.refuse(node, value, path, secret);
    }

    private array(node: SchemaNode, value: unknown, path: string, secret: boolean): unknown {
        if (!Array.isArray(value)) {
            return this.refuse(node, value, path, secret);
        }
        if (node.minItems !== undefined && value.length < node.minItems) {
            return this.refuse(
                node,
                value,
                path,
                secret,
                `at least ${node.minItems} ${node.minItems === 1 ? "entry" : "entries"}`,
            );
        }
        if (node.maxItems !== undefined && value.length > node.maxItems) {
            return this.refuse(
                node,
                value,
                path,
                secret,
                `at most ${node.maxItems} ${node.maxItems === 1 ? "entry" : "entries"}`,
            );
        }
        const items = node.items ?? {};
        const out: unknown[] = [];
        const seen = new Map<unknown, number>();
        for (let i = 0; i < value.length; i++) {
            // Sparse arrays and explicit undefined entries are refused like a missing value.
            const item = this.visit(items, value[i], joinPath(path, i), secret);
            if (node.uniqueItems && typeof item !== "object") {
                const first = seen.get(item);
                if (first !== undefined) {
                    this.fail(
                        refusal({
                            path: joinPath(path, i),
                            given: item,
                            expected: `each entry once (also at ${joinPath(path, first)})`,
                            example: exampleOf(items),
                            secret,
                        }),
                    );
                }
                seen.set(item, i);
            }
            out.push(item);
        }
        return out;
    }

    private object(node: SchemaNode, value: unknown, path: string, secret: boolean): unknown {
        if (!isPlainObject(value)) {
            return this.refuse(node, value, path, secret);
        }
        const properties = node.properties ?? {};
        const extra = node.additionalProperties;
        const out: Record<string, unknown> = {};
        const keys = Object.keys(value);
        if (node.minProperties !== undefined && keys.length < node.minProperties) {
            return this.refuse(
                node,
                value,
                path,
                secret,
                `at least ${node.minProperties} ${node.minProperties === 1 ? "entry" : "entries"}`,
            );
        }
        for (const key of keys) {
            const keyPath = joinPath(path, key);
            if (RESERVED_KEYS.has(key)) {
                this.fail(
                    refusal({
                        path: keyPath,
                        given: key,
                        expected:
                            "a key other than __proto__, constructor and prototype (JavaScript reserves them)",
                        example: exampleKey(node),
                    }),
                );
            }
            const property = Object.prototype.hasOwnProperty.call(properties, key)
                ? properties[key]
                : undefined;
            if (property === undefined) {
                if (extra === undefined || extra === false) {
                    this.fail(unknownKey(keyPath, key, Object.keys(properties)));
                }
                if (node.propertyNames !== undefined) {
                    this.key(node.propertyNames, key, keyPath);
                }
            }
            const schema = property ?? (typeof extra === "object" ? extra : {});
            const item = value[key];
            if (item === undefined && property !== undefined) {
                // An optional key given as undefined is absent; a required one is reported below.
                continue;
            }
            // A plain assignment: the keys JavaScript reserves were refused above. A map entry named
            // like a credential (`password`) is one, whatever the map holds.
            out[key] = this.visit(
                schema,
                item,
                keyPath,
                secret || (property === undefined && isCredentialName(key)),
            );
        }
        for (const key of node.required ?? []) {
            if (value[key] === undefined) {
                const property = properties[key] ?? {};
                this.fail(
                    refusal({
                        path: joinPath(path, key),
                        given: undefined,
                        expected: expectedOf(property) + describeRole(property),
                        example: exampleOf(property),
                    }),
                );
            }
        }
        return out;
    }

    /** A map key checked against `propertyNames` (a project name, a label key). */
    private key(node: SchemaNode, key: string, path: string): void {
        try {
            this.string(resolveNode(node), key, path, false);
        } catch (err) {
            if (err instanceof Refusal) {
                throw new Refusal(err.relativePath, err.detail.replace(/^got /, "got key "));
            }
            throw err;
        }
    }

    private plainData(node: SchemaNode, value: unknown, path: string, secret: boolean): unknown {
        if (value === null || ["string", "number", "boolean"].includes(typeof value)) {
            return value;
        }
        if (isDeferred(value)) {
            return this.later({ ...node, "x-pulumi-input": true }, value, path, secret);
        }
        if (Array.isArray(value)) {
            return value.map((item, i) => this.plainData(node, item, joinPath(path, i), secret));
        }
        if (isPlainObject(value)) {
            const out: Record<string, unknown> = {};
            for (const key of Object.keys(value)) {
                if (RESERVED_KEYS.has(key)) {
                    this.fail(
                        refusal({
                            path: joinPath(path, key),
                            given: key,
                            expected:
                                "a key other than __proto__, constructor and prototype (JavaScript reserves them)",
                            example: "replicas",
                        }),
                    );
                }
                Object.defineProperty(out, key, {
                    value: this.plainData(
                        node,
                        value[key],
                        joinPath(path, key),
                        secret || isCredentialName(key),
                    ),
                    enumerable: true,
                    writable: true,
                    configurable: true,
                });
            }
            return out;
        }
        return this.fail(
            refusal({
                path,
                given: value,
                expected: "plain data (strings, numbers, booleans, lists and objects)",
                example: exampleOf(node),
            }),
        );
    }

    private refuse(
        node: SchemaNode,
        value: unknown,
        path: string,
        secret: boolean,
        constraint?: string,
        role = "",
    ): never {
        const expected = `${expectedOf(node)}${role}${constraint === undefined ? "" : `, ${constraint}`}`;
        return this.fail(
            refusal({ path, given: value, expected, example: exampleOf(node), secret }),
        );
    }

    private fail(error: Refusal): never {
        throw error;
    }
}

/** ` (what it is for)` from the first sentence of a property's TSDoc, for a missing required value. */
function describeRole(node: SchemaNode): string {
    const description = resolveNode(node).description;
    const sentence = description === undefined ? "" : purpose(description);
    return sentence.length > 0 && sentence.length <= 100 ? ` (${sentence})` : "";
}

/** The first sentence of a TSDoc description, lower-cased, without its default or example. */
function purpose(description: string): string {
    const sentence = description
        .split(/,? (?:e\.g\.|Example:|Default)/)[0]
        .split(/(?<![ei]\.[ge])(?<=[.;])\s/)[0]
        .replace(/[.:;,]$/, "");
    return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}

function exampleKey(node: SchemaNode): string {
    const example = exampleOf(node);
    const keys = example !== null && typeof example === "object" ? Object.keys(example) : [];
    return keys[0] ?? "name";
}

/** How many of the value's keys a branch knows: picks the branch a typo'd object meant. */
function overlap(branch: SchemaNode, value: unknown): number {
    if (!isPlainObject(value) || branch.properties === undefined) {
        return 0;
    }
    return Object.keys(value).filter((key) =>
        Object.prototype.hasOwnProperty.call(branch.properties, key),
    ).length;
}

/** `<path>: unknown key; did you mean <closest>?`, or the known keys when none is close. */
export function unknownKey(path: string, key: string, known: string[]): Refusal {
    const detail =
        known.length === 0
            ? "unknown key; this object takes no keys"
            : (closeEnough(key, known) ?? `unknown key; known keys: ${known.join(", ")}`);
    return new Refusal(path, detail);
}

function closeEnough(key: string, known: string[]): string | undefined {
    const lower = key.toLowerCase();
    const exactCase = known.find((k) => k.toLowerCase() === lower);
    const best = exactCase ?? closest(key, known);
    const limit = Math.max(2, Math.floor(key.length / 3));
    return exactCase !== undefined || distance(key, best) <= limit
        ? `unknown key; did you mean ${best}?`
        : undefined;
}

export { describeExample, describeValue };
