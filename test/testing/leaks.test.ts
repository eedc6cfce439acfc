import { findSentinels } from "../../components/testing";

describe("findSentinels", () => {
    test.each([[""], ["a"], ["ab"], ["abc:"]])(
        "finds a value behind the prefix %j in base64 text",
        (prefix) => {
            const encoded = Buffer.from(`${prefix}[secret:key]-and-more`).toString("base64");
            expect(findSentinels({ data: { auth: encoded } }, ["[secret:key]"])).toEqual([
                { sentinel: "[secret:key]", path: "data.auth", encoded: true },
            ]);
        },
    );

    test("reports a value in clear text as not encoded, with its quoted key path", () => {
        expect(
            findSentinels({ stringData: { ".dockerconfigjson": "x[secret:key]x" } }, [
                "[secret:key]",
            ]),
        ).toEqual([
            { sentinel: "[secret:key]", path: 'stringData[".dockerconfigjson"]', encoded: false },
        ]);
    });

    test("finds nothing in text that holds neither form", () => {
        expect(findSentinels("[secret:other]", ["[secret:key]"])).toEqual([]);
    });
});
