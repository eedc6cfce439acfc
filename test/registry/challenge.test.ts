import {
    ChallengeSyntaxError,
    parseChallenges,
    type Challenge,
} from "../../components/registry/challenge";

const params = (entries: Record<string, string>) => Object.assign(Object.create(null), entries);

describe("parseChallenges (RFC 9110 §11.6.1 WWW-Authenticate)", () => {
    test.each<[string, string | string[], Challenge[]]>([
        [
            "Docker's Bearer challenge",
            'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/hello:pull"',
            [
                {
                    scheme: "bearer",
                    params: params({
                        realm: "https://auth.example.com/token",
                        service: "registry.example.com",
                        scope: "repository:team/hello:pull",
                    }),
                },
            ],
        ],
        [
            "tokens instead of quoted strings, spaces around '=' and ','",
            "Bearer realm = registry , service=reg",
            [{ scheme: "bearer", params: params({ realm: "registry", service: "reg" }) }],
        ],
        [
            "two challenges in one header",
            'Basic realm="r", Bearer realm="https://a.example.com/t",service="s"',
            [
                { scheme: "basic", params: params({ realm: "r" }) },
                {
                    scheme: "bearer",
                    params: params({ realm: "https://a.example.com/t", service: "s" }),
                },
            ],
        ],
        [
            "two headers",
            ['Basic realm="r"', 'Bearer realm="https://a.example.com/t"'],
            [
                { scheme: "basic", params: params({ realm: "r" }) },
                { scheme: "bearer", params: params({ realm: "https://a.example.com/t" }) },
            ],
        ],
        [
            "escapes and commas inside a quoted string",
            'Bearer realm="https://a.example.com/t",service="svc \\"one\\", two \\\\ three"',
            [
                {
                    scheme: "bearer",
                    params: params({
                        realm: "https://a.example.com/t",
                        service: 'svc "one", two \\ three',
                    }),
                },
            ],
        ],
        [
            "case-insensitive scheme and parameter names",
            'BEARER Realm="https://a.example.com/t"',
            [{ scheme: "bearer", params: params({ realm: "https://a.example.com/t" }) }],
        ],
        [
            "a token68 and a scheme without parameters",
            "Newauth abc123+/==, Negotiate",
            [
                { scheme: "newauth", params: params({}), token68: "abc123+/==" },
                { scheme: "negotiate", params: params({}) },
            ],
        ],
        [
            "empty list elements",
            ' , Basic realm="r",, ,',
            [{ scheme: "basic", params: params({ realm: "r" }) }],
        ],
        [
            "an empty quoted value",
            'Bearer realm="", service="s"',
            [{ scheme: "bearer", params: params({ realm: "", service: "s" }) }],
        ],
        [
            "a __proto__ parameter is just a parameter",
            'Bearer __proto__="x", realm="r"',
            [{ scheme: "bearer", params: params({ ["__proto__"]: "x", realm: "r" }) }],
        ],
        ["no header", [], []],
        ["an empty header", "", []],
    ])("%s", (_case, header, expected) => {
        expect(parseChallenges(header)).toEqual(expected);
    });

    test.each<[string, string, string]>([
        [
            "an unterminated quoted string",
            'Bearer realm="https://a',
            'a closing quote (") at character 24',
        ],
        [
            "a parameter without a value",
            "Bearer realm=, service=s",
            "a value (a token or a quoted string) for the auth-param realm at character 14",
        ],
        [
            "a parameter named twice",
            'Bearer realm="a", realm="b"',
            "no second auth-param realm in one challenge at character 28",
        ],
        [
            "text after a quoted value",
            'Bearer realm="a" service="b"',
            "a comma or the end after an auth-param at character 18",
        ],
        [
            "a scheme glued to a quote",
            'Bearer"realm"',
            "a space after the auth scheme at character 7",
        ],
        [
            "a quoted string where a parameter name belongs",
            'Bearer realm="a", service "x"',
            "an auth-param name (a token) at character 27",
        ],
        [
            "an unquoted URL (':' and '/' are not token characters)",
            "Bearer realm=https://a.example.com/t",
            "a comma or the end after an auth-param at character 19",
        ],
        [
            "a separator where a scheme belongs",
            "Basic realm=r, =x",
            "an auth scheme (a token) at character 16",
        ],
    ])("%s does not parse", (_case, header, expected) => {
        let error: unknown;
        try {
            parseChallenges(header);
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ChallengeSyntaxError);
        expect((error as Error).message).toBe(`expected ${expected}`);
    });
});
