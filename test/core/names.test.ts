import { createHash } from "crypto";
import { dnsLabel } from "../../components/core";

const sha7 = (s: string) => createHash("sha1").update(s).digest("hex").slice(0, 7);

describe("dnsLabel", () => {
    test.each([
        ["otsus-method", "otsus-method"],
        ["a", "a"],
        ["registry-2", "registry-2"],
    ])("keeps the valid label %s unchanged", (input, expected) => {
        expect(dnsLabel(input)).toBe(expected);
    });

    test.each([
        ["Otsus_Method", `otsus-method-${sha7("Otsus_Method")}`],
        ["team/registry.one", `team-registry-one-${sha7("team/registry.one")}`],
        ["-leading", `leading-${sha7("-leading")}`],
        ["", `x-${sha7("")}`],
    ])("cleans %j and appends the hash of the original", (input, expected) => {
        expect(dnsLabel(input)).toBe(expected);
    });

    test("shortens a 70-character name to 63 with the hash of the original", () => {
        const long = "a".repeat(70);
        const label = dnsLabel(long);
        expect(label).toBe(`${"a".repeat(55)}-${sha7(long)}`);
        expect(label).toHaveLength(63);
    });

    test("keeps a name of exactly 63 characters", () => {
        expect(dnsLabel("b".repeat(63))).toBe("b".repeat(63));
    });

    test("gives different names to inputs that clean to the same text", () => {
        expect(dnsLabel("My.App")).not.toBe(dnsLabel("my_app"));
    });

    test("gives the same output for the same input, always", () => {
        expect(dnsLabel("Some Name/With Stuff")).toBe(dnsLabel("Some Name/With Stuff"));
    });

    test("always returns a valid DNS-1123 label", () => {
        for (const input of ["UPPER", "a..b", "x".repeat(200), "--", "ünïcode", "trailing-"]) {
            expect(dnsLabel(input)).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
        }
    });
});
