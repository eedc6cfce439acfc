import {
    canonicalCidr,
    cidrProblems,
    cidrWithin,
    configMapKeyProblems,
    dns1123LabelProblems,
    dns1123SubdomainProblems,
    formatQuantity,
    isBinaryQuantity,
    isNegativeQuantity,
    labelValueProblems,
    qualifiedNameProblems,
    quantityNanos,
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

describe("quantity arithmetic (resource.ParseQuantity)", () => {
    // Nano units: the value times 10^9, as the API server keeps it.
    test.each([
        ["0", 0n],
        ["1", 1_000_000_000n],
        ["500m", 500_000_000n],
        ["0.5", 500_000_000n],
        [".5", 500_000_000n],
        ["5.", 5_000_000_000n],
        ["1Ki", 1_024_000_000_000n],
        ["1.5Gi", 1_610_612_736_000_000_000n],
        ["2Gi", 2_147_483_648_000_000_000n],
        ["1k", 1_000_000_000_000n],
        ["1e3", 1_000_000_000_000n],
        ["1E-3", 1_000_000n],
        ["+12M", 12_000_000_000_000_000n],
        ["100n", 100n],
        ["1u", 1000n],
        ["-2Mi", -2_097_152_000_000_000n],
        // Finer than a nano rounds up, away from zero.
        ["0.1n", 1n],
        ["1e-12", 1n],
        ["-1e-12", -1n],
        ["1.0000000001", 1_000_000_001n],
        // Above 2^63-1 units the value is capped there.
        ["8Ei", 9_223_372_036_854_775_807_000_000_000n],
        ["1e999999999", 9_223_372_036_854_775_807_000_000_000n],
        ["-1e19", -9_223_372_036_854_775_807_000_000_000n],
    ])("%j is %s nano units", (text, nanos) => {
        expect(quantityNanos(text)).toBe(nanos);
    });

    test.each([["1 Gi"], ["Gi"], ["1GB"], [""], ["1.5.2"]])("%j is no quantity", (text) => {
        expect(quantityNanos(text)).toBeUndefined();
    });

    test("sums exactly where floating point does not", () => {
        expect(quantityNanos("0.1")! + quantityNanos("0.2")!).toBe(quantityNanos("0.3"));
        expect(quantityNanos("1Gi")! * 3n).toBe(quantityNanos("3Gi"));
    });

    test.each([
        [0n, false, "0"],
        [1_000_000_000n, false, "1"],
        [500_000_000n, false, "500m"],
        [16_000_000_000n, false, "16"],
        [1_000_000_000_000n, false, "1k"],
        [1500n, false, "1500n"],
        [1_000n, false, "1u"],
        [21_474_836_480_000_000_000n, true, "20Gi"],
        [2_147_483_648_000_000_000n, false, "2147483648"],
        [1_536_000_000_000n, true, "1536"],
        [-2_097_152_000_000_000n, true, "-2Mi"],
        [500_000_000n, true, "500m"],
    ])("%s nano units (binary %s) read %j", (nanos, binary, text) => {
        expect(formatQuantity(nanos, binary)).toBe(text);
        expect(quantityNanos(text)).toBe(nanos);
    });

    test.each([
        ["2Gi", true],
        ["1.5Mi", true],
        ["2G", false],
        ["500m", false],
        ["1e3", false],
    ])("%j binary=%s", (text, binary) => {
        expect(isBinaryQuantity(text)).toBe(binary);
    });
});

describe("NetworkPolicy CIDRs", () => {
    test.each([
        ["10.0.0.0/8", []],
        ["0.0.0.0/0", []],
        ["169.254.169.254/32", []],
        ["fd00::/8", []],
        ["::/0", []],
        ["10.1.2.3/8", ["must be written canonically (no host bits set, lower case): 10.0.0.0/8"]],
        ["FD00::/8", ["must be written canonically (no host bits set, lower case): fd00::/8"]],
        ["fd00:0::/16", ["must be written canonically (no host bits set, lower case): fd00::/16"]],
        [
            "10.0.0.0/33",
            ["must be an IPv4 or IPv6 network in CIDR notation (address/prefix length)"],
        ],
        [
            "300.0.0.0/8",
            ["must be an IPv4 or IPv6 network in CIDR notation (address/prefix length)"],
        ],
        ["10.0.0.0", ["must be an IPv4 or IPv6 network in CIDR notation (address/prefix length)"]],
        ["", ["must be an IPv4 or IPv6 network in CIDR notation (address/prefix length)"]],
    ])("%j: %j", (cidr, problems) => {
        expect(cidrProblems(cidr)).toEqual(problems);
    });

    test.each([
        ["169.254.169.254/32", "0.0.0.0/0", true],
        ["10.1.0.0/16", "10.0.0.0/8", true],
        ["10.0.0.0/8", "10.0.0.0/8", false],
        ["10.0.0.0/8", "10.1.0.0/16", false],
        ["192.168.0.0/16", "10.0.0.0/8", false],
        ["fd00:1::/32", "fd00::/8", true],
        ["10.0.0.0/16", "::/0", false],
    ])("%s strictly within %s: %s", (inner, outer, within) => {
        expect(cidrWithin(inner, outer)).toBe(within);
    });

    test("canonical form of a network", () => {
        expect(canonicalCidr("10.1.2.3/8")).toBe("10.0.0.0/8");
        expect(canonicalCidr("nonsense")).toBeUndefined();
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
