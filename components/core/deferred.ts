import * as pulumi from "@pulumi/pulumi";

/** A plain object from this realm or another (jest, vm): its prototype is a realm's Object.prototype, or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return false;
    }
    const proto = Object.getPrototypeOf(value);
    return proto === null || Object.getPrototypeOf(proto) === null;
}

/** An Output or a Promise: only objects can be either, and most values checked are not objects. */
export function isDeferred(value: unknown): value is pulumi.Output<unknown> | Promise<unknown> {
    return (
        typeof value === "object" &&
        value !== null &&
        (pulumi.Output.isInstance(value) || value instanceof Promise)
    );
}

/** Whether a value is, or holds in its arrays and plain objects, an Output or a Promise. */
export function holdsDeferred(value: unknown): boolean {
    if (isDeferred(value)) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(holdsDeferred);
    }
    return isPlainObject(value) && Object.values(value).some(holdsDeferred);
}

/**
 * `f` of a record's values once they are known, with the fewest applies Pulumi allows: called now
 * when the record holds no Output or Promise; through that Output's own apply when one top-level
 * value is an Output and nothing else is deferred; else through `pulumi.output` of the record, which
 * applies once for every Output it holds and once more for the record.
 *
 * @example whenKnown({ image: "registry.example.com/team/dag:1.0.0", claim: claim.metadata.name }, ({ image, claim }) => ({ image, claim }))
 *          // an Output: one apply, on the claim's name
 */
export function whenKnown<T extends Record<string, unknown>, R>(
    record: T,
    f: (known: pulumi.Unwrap<T>) => R,
): R | pulumi.Output<R> {
    const deferred = Object.keys(record).filter((key) => holdsDeferred(record[key]));
    if (deferred.length === 0) {
        return f(record as pulumi.Unwrap<T>);
    }
    const only = deferred.length === 1 ? record[deferred[0]] : undefined;
    if (pulumi.Output.isInstance(only)) {
        return only.apply((value) => {
            const known = { ...record, [deferred[0]]: value };
            // An Output's value may hold Outputs of its own: unwrapped as `pulumi.output` would (an
            // Output returned by an apply is lifted into its result).
            return holdsDeferred(value)
                ? (pulumi.output(known).apply((all) => f(all as pulumi.Unwrap<T>)) as unknown as R)
                : f(known as pulumi.Unwrap<T>);
        });
    }
    return pulumi.output(record).apply((known) => f(known as pulumi.Unwrap<T>));
}
