import * as pulumi from "@pulumi/pulumi";
import { describeValue, invalidInput, joinPath } from "../../components/core";

describe("invalidInput", () => {
    test("throws an InputPropertyError naming the path, the value given, what is expected and an example", () => {
        let error: unknown;
        try {
            invalidInput({
                path: "registries[2].url",
                given: "registry:5000",
                expected: "a URL with http:// or https://",
                example: "https://registry:5000",
            });
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(pulumi.InputPropertyError);
        expect((error as pulumi.InputPropertyError).propertyPath).toBe("registries[2].url");
        expect((error as pulumi.InputPropertyError).reason).toBe(
            'registries[2].url: got "registry:5000"; expected a URL with http:// or https://, e.g. https://registry:5000',
        );
    });
});

describe("describeValue", () => {
    test.each([
        [undefined, "nothing"],
        ["x", '"x"'],
        [3, "3"],
        [{ a: 1 }, '{"a":1}'],
        ["y".repeat(200), `"${"y".repeat(116)}...`],
    ])("renders %j as %s", (value, expected) => {
        expect(describeValue(value)).toBe(expected);
    });
});

describe("joinPath", () => {
    test.each([
        ["registries", 2, "registries[2]"],
        ["registry", "url", "registry.url"],
        ["", "namespaces", "namespaces"],
        ["storages", "my-store", 'storages["my-store"]'],
    ])("joins %j and %j as %s", (parent, key, expected) => {
        expect(joinPath(parent, key as string | number)).toBe(expected);
    });
});
