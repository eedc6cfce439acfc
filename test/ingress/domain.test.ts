import * as pulumi from "@pulumi/pulumi";
import {
    domainConfigFor,
    koaljaDomainConfigData,
    pipelineHostname,
    selectDomainSuffix,
    type DomainConfig,
} from "../../components/ingress";

// Spelled like Koalja's documented ConfigMap and Knative's domain_test table.
const domains: DomainConfig = {
    "default.example.com": {},
    "foo.example.com": { selector: { app: "foo" } },
    "prod.foo.example.com": { selector: { app: "foo", version: "prod" } },
    "bar.example.com": { selector: { app: "bar" } },
    "aaa.example.com": { selector: { tier: "gold" } },
    "zzz.example.com": { selector: { tier: "gold" } },
};

describe("selectDomainSuffix", () => {
    test.each([
        ["a one-pair selector that matches", { app: "foo" }, "foo.example.com"],
        [
            "the two-pair selector over the one-pair one",
            { app: "foo", version: "prod" },
            "prod.foo.example.com",
        ],
        ["the default for labels that match nothing", { app: "baz" }, "default.example.com"],
        ["the default for an empty label set", {}, "default.example.com"],
        ["the smaller suffix of two equally specific matches", { tier: "gold" }, "aaa.example.com"],
        [
            "the same suffix whatever extra labels there are",
            { app: "bar", team: "x", version: "prod" },
            "bar.example.com",
        ],
        ["the default when a value differs only in case", { app: "Foo" }, "default.example.com"],
        ["the default when a value has extra characters", { app: "foo " }, "default.example.com"],
        ["the default when a key differs", { application: "foo" }, "default.example.com"],
    ])("picks %s", (_name, labels, expected) => {
        expect(selectDomainSuffix(labels, domains)).toBe(expected);
    });

    test("breaks a tie between two defaults by the smaller suffix", () => {
        expect(
            selectDomainSuffix({}, { "b.example.com": {}, "a.example.com": { selector: {} } }),
        ).toBe("a.example.com");
    });

    test.each([
        [
            "a config without a default entry",
            { "foo.example.com": { selector: { app: "foo" } } },
            'domains: got ["foo.example.com"]; expected a default entry: one suffix without selector',
        ],
        ["an empty config", {}, "domains: got {}; expected at least one domain suffix"],
        [
            "a suffix that is not a DNS name",
            { "Example.com": {} },
            'domains["Example.com"]: got "Example.com"; expected a lower-case DNS name as suffix',
        ],
        [
            "a selector value that is not a label value",
            { "example.com": {}, "a.example.com": { selector: { app: "a b" } } },
            'domains["a.example.com"].selector.app: got "a b"; expected a label value',
        ],
    ])("rejects %s", (_name, config, message) => {
        expect(() => selectDomainSuffix({ app: "foo" }, config as DomainConfig)).toThrow(message);
        expect(() => selectDomainSuffix({ app: "foo" }, config as DomainConfig)).toThrow(
            pulumi.InputPropertyError,
        );
    });
});

describe("domainConfigFor", () => {
    const platform: DomainConfig = {
        "example.com": {},
        "prod.example.com": { selector: { app: "prod" } },
    };
    const imaging: DomainConfig = { "imaging.example.org": {} };

    test("uses the namespace config instead of the platform config, never merged", () => {
        const config = domainConfigFor("imaging", platform, { imaging });
        expect(config).toBe(imaging);
        expect(selectDomainSuffix({ app: "prod" }, config)).toBe("imaging.example.org");
    });

    test("uses the platform config in a namespace without its own", () => {
        expect(domainConfigFor("genomics", platform, { imaging })).toBe(platform);
        expect(domainConfigFor("genomics", platform)).toBe(platform);
    });
});

describe("pipelineHostname", () => {
    test.each([
        ["otsu", "imaging", "example.com", "otsu.imaging.example.com"],
        ["Otsu", "imaging", "Example.COM", "otsu.imaging.example.com"],
        ["a".repeat(63), "b", "example.com", `${"a".repeat(63)}.b.example.com`],
    ])("%s in %s under %s is %s", (pipeline, namespace, suffix, expected) => {
        expect(pipelineHostname(pipeline, namespace, suffix)).toBe(expected);
    });

    test("accepts a hostname of exactly 253 characters", () => {
        const suffix = `${"c".repeat(63)}.${"d".repeat(63)}.${"f".repeat(63)}.${"e".repeat(57)}`;
        expect(pipelineHostname("a", "b", suffix)).toHaveLength(253);
    });

    test.each([
        [
            "a label over 63 characters",
            "a".repeat(64),
            "imaging",
            "example.com",
            `expected a hostname for pipeline "${"a".repeat(64)}" in namespace "imaging" whose labels have at most 63 characters ("${"a".repeat(64)}" has 64)`,
        ],
        [
            "a name over 253 characters",
            "a",
            "b",
            `${"c".repeat(63)}.${"d".repeat(63)}.${"f".repeat(63)}.${"e".repeat(58)}`,
            `expected a hostname for pipeline "a" in namespace "b" of at most 253 characters (it has 254)`,
        ],
        [
            "characters a hostname cannot hold",
            "otsu_method",
            "imaging",
            "example.com",
            `expected a hostname for pipeline "otsu_method" in namespace "imaging" that must consist of lower case alphanumeric characters`,
        ],
    ])("rejects %s, naming the pipeline", (_name, pipeline, namespace, suffix, message) => {
        expect(() => pipelineHostname(pipeline, namespace, suffix)).toThrow(message);
    });
});

describe("koaljaDomainConfigData", () => {
    test("writes one key per suffix with a selector block, the default empty", () => {
        expect(
            koaljaDomainConfigData({
                "example.com": {},
                "example.org": { selector: { app: "prod" } },
            }),
        ).toEqual({
            "example.com": "",
            "example.org": "selector:\n  app: prod\n",
        });
    });
});
