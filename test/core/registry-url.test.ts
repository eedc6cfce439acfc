import * as pulumi from "@pulumi/pulumi";
import {
    dockerConfigJson,
    imageRef,
    parseImageReference,
    parseRegistryUrl,
} from "../../components/core";

describe("parseRegistryUrl", () => {
    test.each([
        [
            "https://registry.example.com",
            {
                protocol: "https",
                host: "registry.example.com",
                port: undefined,
                path: "",
                imagePrefix: "registry.example.com",
                server: "registry.example.com",
                insecure: false,
                apiBase: "https://registry.example.com",
            },
        ],
        [
            "http://registry.local:5000/team/sub",
            {
                protocol: "http",
                host: "registry.local",
                port: 5000,
                path: "team/sub",
                imagePrefix: "registry.local:5000/team/sub",
                server: "registry.local:5000/team/sub",
                insecure: true,
                apiBase: "http://registry.local:5000",
            },
        ],
        [
            "https://quay.io/org/",
            {
                protocol: "https",
                host: "quay.io",
                port: undefined,
                path: "org",
                imagePrefix: "quay.io/org",
                server: "quay.io/org",
                insecure: false,
                apiBase: "https://quay.io",
            },
        ],
        [
            "http://127.0.0.1:5001",
            {
                protocol: "http",
                host: "127.0.0.1",
                port: 5001,
                path: "",
                imagePrefix: "127.0.0.1:5001",
                server: "127.0.0.1:5001",
                insecure: true,
                apiBase: "http://127.0.0.1:5001",
            },
        ],
    ])("parses %s", (url, expected) => {
        expect(parseRegistryUrl(url)).toEqual(expected);
    });

    test.each([
        "https://docker.io/myorg",
        "https://index.docker.io/myorg",
        "https://registry-1.docker.io/myorg",
    ])("maps the Docker Hub alias %s to the index server", (url) => {
        const parsed = parseRegistryUrl(url);
        expect(parsed.server).toBe("https://index.docker.io/v1/");
        expect(parsed.apiBase).toBe("https://registry-1.docker.io");
        expect(parsed.imagePrefix).toMatch(/\/myorg$/);
    });

    test.each([
        [
            "registry.example.com:5000/team",
            "must start with http:// or https://",
            /must start with http:\/\/ or https:\/\//,
        ],
        ["ftp://registry.example.com", "another protocol", /must use http or https, not ftp/],
        ["https://registry.example.com/team?x=1", "a query", /no query/],
        ["https://registry.example.com/team#frag", "a fragment", /no query \(\?\) or fragment/],
        [
            "https://user:pass@registry.example.com",
            "credentials inside",
            /must not hold user:password/,
        ],
        ["https://", "no host", /a host name/],
        ["https://Registry.Example.com", "upper case host", /lower-case host/],
        ["https://registry.example.com:99999", "a port out of range", /port between 1 and 65535/],
        ["https://registry.example.com/Team", "upper case path", /lower-case components/],
        ["", "an empty string", /must not be empty/],
    ])("rejects %j (%s) with the property path and an example", (url, _why, reason) => {
        let error: unknown;
        try {
            parseRegistryUrl(url, "registry.url");
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(pulumi.InputPropertyError);
        const e = error as pulumi.InputPropertyError;
        expect(e.propertyPath).toBe("registry.url");
        expect(e.reason).toMatch(/^registry\.url: got /);
        expect(e.reason).toMatch(reason);
        expect(e.reason).toMatch(/e\.g\. https:\/\/registry\.example\.com:5000\/team$/);
    });

    test("never echoes credentials given inside the URL back into a message beyond the given value", () => {
        expect(() => parseRegistryUrl("https://u:p@r.example.com")).toThrow(
            /pass username and password as their own/,
        );
    });
});

describe("imageRef", () => {
    test("joins prefix, name and tag", () => {
        expect(imageRef("registry.local:5000/team", "otsus-method", "1.0.0")).toBe(
            "registry.local:5000/team/otsus-method:1.0.0",
        );
    });

    test.each([
        [
            "https://registry.local",
            "otsus-method",
            "1.0.0",
            /^image: got "https:\/\/registry.local"; expected a registry prefix without a protocol/,
        ],
        [
            "registry.local",
            "Otsus",
            "1.0.0",
            /^image\.name: got "Otsus"; expected an image name: must be lower-case components/,
        ],
        [
            "registry.local",
            "otsus",
            "",
            /^image\.tag: got ""; expected an image tag: must be letters, digits/,
        ],
        [
            "registry.local",
            "otsus",
            "latest",
            /^image\.tag: got "latest"; expected an image tag: must not be 'latest', which makes a rollout depend on when a node pulled/,
        ],
        ["registry.local", "otsus", "-bad", /not starting with '\.' or '-'/],
        [
            "registry.local",
            "a//b",
            "1",
            /^image\.name: got "a\/\/b"; expected an image name: must be lower-case components/,
        ],
    ])("rejects %s / %s : %j", (prefix, name, tag, reason) => {
        expect(() => imageRef(prefix, name, tag)).toThrow(reason);
    });
});

describe("parseImageReference", () => {
    test.each([
        [
            "registry.local:5000/team/otsus-method:1.0.0",
            {
                registry: "registry.local:5000",
                repository: "team/otsus-method",
                tag: "1.0.0",
                digest: undefined,
            },
        ],
        [
            "localhost/x@sha256:" + "a".repeat(64),
            {
                registry: "localhost",
                repository: "x",
                tag: undefined,
                digest: "sha256:" + "a".repeat(64),
            },
        ],
        [
            "quay.io/org/img:v1@sha256:" + "b".repeat(64),
            {
                registry: "quay.io",
                repository: "org/img",
                tag: "v1",
                digest: "sha256:" + "b".repeat(64),
            },
        ],
    ])("parses %s", (ref, expected) => {
        expect(parseImageReference(ref)).toEqual(expected);
    });

    test.each([
        ["https://registry.local/otsus:1.0.0", /must not carry a protocol/],
        ["registry.local/otsus", /a tag or digest/],
        ["otsus:1.0.0", /must start with a registry host/],
        ["team/otsus:1.0.0", /registry host \(with a '.' or a port, or localhost\)/],
        ["registry.local/Otsus:1", /lower-case repository path/],
        ["registry.local/otsus@md5:abc", /digest of the form/],
    ])("rejects %s", (ref, reason) => {
        expect(() => parseImageReference(ref, "testPullImage")).toThrow(reason);
    });
});

describe("dockerConfigJson", () => {
    test("writes username, password and the base64 auth under the server key", () => {
        const parsed = JSON.parse(dockerConfigJson("registry.local:5000", "robot", "s3cr:et"));
        expect(parsed).toEqual({
            auths: {
                "registry.local:5000": {
                    username: "robot",
                    password: "s3cr:et",
                    auth: Buffer.from("robot:s3cr:et").toString("base64"),
                },
            },
        });
    });

    test("keeps the Docker Hub server key as given", () => {
        expect(
            Object.keys(
                JSON.parse(dockerConfigJson("https://index.docker.io/v1/", "u", "p")).auths,
            ),
        ).toEqual(["https://index.docker.io/v1/"]);
    });
});
