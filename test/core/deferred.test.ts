import * as pulumi from "@pulumi/pulumi";
import * as vm from "vm";
import { holdsDeferred, isDeferred, isPlainObject, whenKnown } from "../../components/core";
import { runProgram } from "../../components/testing";

class Holder {
    constructor(readonly value: pulumi.Output<string>) {}
}

describe("isPlainObject", () => {
    test.each<[string, unknown, boolean]>([
        ["an object literal", { a: 1 }, true],
        ["an object without a prototype", Object.create(null), true],
        ["an object from another realm", vm.runInNewContext("({ a: 1 })"), true],
        ["an array", [1], false],
        ["a class instance", new Holder(pulumi.output("x")), false],
        ["null", null, false],
        ["a string", "a", false],
    ])("%s: %p", (_case, value, plain) => {
        expect(isPlainObject(value)).toBe(plain);
    });
});

describe("isDeferred and holdsDeferred", () => {
    test.each<[string, unknown, boolean, boolean]>([
        ["an Output", pulumi.output("x"), true, true],
        ["a Promise", Promise.resolve("x"), true, true],
        ["plain data", { a: [1, { b: "c" }] }, false, false],
        [
            "an Output deep in arrays and objects",
            { a: [1, { b: pulumi.output("c") }] },
            false,
            true,
        ],
        ["a Promise in an array", ["a", Promise.resolve("b")], false, true],
        // A class instance is a value of its own (a resource, a Holder): its fields are not looked into.
        ["an Output inside a class instance", { a: new Holder(pulumi.output("x")) }, false, false],
    ])("%s", (_case, value, deferred, holds) => {
        expect(isDeferred(value)).toBe(deferred);
        expect(holdsDeferred(value)).toBe(holds);
    });
});

describe("whenKnown", () => {
    const join = ({ a, b }: { a: string; b: string[] }) => `${a}:${b.join(",")}`;

    test("calls the function now when nothing is deferred, and returns its plain result", () => {
        expect(whenKnown({ a: "x", b: ["y", "z"] }, join)).toBe("x:y,z");
    });

    test("applies the one Output of a record, keeping it secret", async () => {
        const result = await runProgram(() => {
            const a = pulumi.secret("x");
            const apply = jest.spyOn(a, "apply");
            const joined = whenKnown({ a, b: ["y"] }, join);
            expect(apply).toHaveBeenCalledTimes(1);
            return { joined };
        });
        expect(result.outputs.joined).toBe("x:y");
        expect(result.secretOutputs).toEqual(["joined"]);
    });

    test("unwraps Outputs inside the value of the one Output, as pulumi.output does", async () => {
        const result = await runProgram(() => {
            const nested = pulumi.output("x").apply(() => ({ inner: pulumi.output("deep") }));
            return {
                joined: whenKnown({ a: nested, b: "plain" }, ({ a, b }) => `${a.inner}:${b}`),
            };
        });
        expect(result.outputs.joined).toBe("deep:plain");
    });

    test("waits for every Output and Promise, at any depth", async () => {
        const result = await runProgram(() => ({
            joined: whenKnown({ a: Promise.resolve("x"), b: ["y", pulumi.output("z")] }, join),
        }));
        expect(result.outputs.joined).toBe("x:y,z");
        expect(result.secretOutputs).toEqual([]);
    });
});
