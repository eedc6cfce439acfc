import {
    configMapKeyProblems,
    dns1123LabelProblems,
    dns1123SubdomainProblems,
    isNegativeQuantity,
    labelValueProblems,
    qualifiedNameProblems,
    quantityProblems,
} from "../../components/core";
import { standardLabels } from "../../components/core";

describe("API-server rules", () => {
    test.each([
        ["abc", true],
        ["a-b-1", true],
        ["A", false],
        ["-a", false],
        ["a-", false],
        ["a.b", false],
        ["a".repeat(63), true],
        ["a".repeat(64), false],
    ])("DNS-1123 label %j valid=%s", (value, valid) => {
        expect(dns1123LabelProblems(value).length === 0).toBe(valid);
    });

    test.each([
        ["a.b-c.d", true],
        ["a..b", false],
        ["A.b", false],
        ["a".repeat(253), true],
        ["a".repeat(254), false],
    ])("DNS-1123 subdomain %j valid=%s", (value, valid) => {
        expect(dns1123SubdomainProblems(value).length === 0).toBe(valid);
    });

    test.each([
        ["app", true],
        ["app.kubernetes.io/name", true],
        ["pipeline-platform.io/registry-scope", true],
        ["a/b/c", false],
        ["/x", false],
        ["Example.com/x", false],
        ["x/", false],
        ["-x", false],
        ["x".repeat(64), false],
    ])("label key %j valid=%s", (key, valid) => {
        expect(qualifiedNameProblems(key).length === 0).toBe(valid);
    });

    test.each([
        ["", true],
        ["prod", true],
        ["a_b.c-d", true],
        ["has space", false],
        ["-x", false],
        ["x".repeat(64), false],
    ])("label value %j valid=%s", (value, valid) => {
        expect(labelValueProblems(value).length === 0).toBe(valid);
    });

    test.each([
        [".dockerconfigjson", true],
        ["access-key", true],
        ["__default__.yaml", true],
        ["a/b", false],
        ["", false],
        ["..", false],
    ])("ConfigMap key %j valid=%s", (key, valid) => {
        expect(configMapKeyProblems(key).length === 0).toBe(valid);
    });

    test.each([
        ["1Gi", true],
        ["500m", true],
        ["0.5", true],
        ["1e3", true],
        ["2", true],
        ["100Mi", true],
        ["1 Gi", false],
        ["1GB", false],
        ["", false],
        ["Gi", false],
        ["1.5.2", false],
    ])("quantity %j valid=%s", (value, valid) => {
        expect(quantityProblems(value).length === 0).toBe(valid);
    });

    test.each([
        ["-1", true],
        ["-0.5Gi", true],
        ["1", false],
        ["-0", false],
    ])("quantity %j negative=%s", (value, negative) => {
        expect(isNegativeQuantity(value)).toBe(negative);
    });
});

describe("standardLabels", () => {
    test("sets the three package labels and keeps extra ones", () => {
        expect(
            standardLabels("registry", { "pipeline-platform.io/registry-scope": "project" }),
        ).toEqual({
            "pipeline-platform.io/registry-scope": "project",
            "app.kubernetes.io/managed-by": "pulumi",
            "app.kubernetes.io/part-of": "pipeline-platform",
            "app.kubernetes.io/component": "registry",
        });
    });

    test("does not let extra labels override the package labels", () => {
        expect(
            standardLabels("storage", { "app.kubernetes.io/managed-by": "helm" })[
                "app.kubernetes.io/managed-by"
            ],
        ).toBe("pulumi");
    });
});
