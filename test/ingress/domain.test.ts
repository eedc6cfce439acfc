import { pipelineHostname, selectDomainSuffix, type DomainConfig } from "../../components/ingress";

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
});
