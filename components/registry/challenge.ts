/**
 * One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1, formerly RFC 7235 §4.1): the
 * scheme in lower case, its auth-params (names in lower case, quoted strings unescaped), or its
 * token68.
 */
export interface Challenge {
    scheme: string;
    params: Record<string, string>;
    token68?: string;
}

/** Why a `WWW-Authenticate` header does not parse: what was expected, at which character. */
export class ChallengeSyntaxError extends Error {
    constructor(
        readonly expected: string,
        readonly position: number,
    ) {
        super(`expected ${expected} at character ${position + 1}`);
        this.name = "ChallengeSyntaxError";
    }
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

/**
 * Parses every challenge of the values of one or more `WWW-Authenticate` headers, in order:
 * `Basic realm="r", Bearer realm="https://auth.example.com/token",service="registry"` is two
 * challenges, and so are the same two in separate headers. A parameter named twice in one
 * challenge, a value that is neither a token nor a quoted string, or text that is not a challenge
 * throws {@link ChallengeSyntaxError}.
 */
export function parseChallenges(headers: string | string[]): Challenge[] {
    return (typeof headers === "string" ? [headers] : headers).flatMap(parseHeader);
}

function parseHeader(header: string): Challenge[] {
    let i = 0;
    const fail = (expected: string): never => {
        throw new ChallengeSyntaxError(expected, i);
    };
    const skipWhitespace = (): number => {
        const start = i;
        while (header[i] === " " || header[i] === "\t") {
            i++;
        }
        return i - start;
    };
    /** List separators: OWS "," OWS, empty list elements allowed (RFC 9110 §5.6.1). */
    const skipSeparators = () => {
        while (header[i] === " " || header[i] === "\t" || header[i] === ",") {
            i++;
        }
    };
    const readToken = (): string => {
        const start = i;
        while (i < header.length && TCHAR.test(header[i])) {
            i++;
        }
        return header.slice(start, i);
    };
    const readQuoted = (): string => {
        i++; // the opening quote
        let value = "";
        while (i < header.length && header[i] !== '"') {
            if (header[i] === "\\") {
                i++;
                if (i === header.length) {
                    fail("a character after the backslash");
                }
            }
            value += header[i];
            i++;
        }
        if (i === header.length) {
            fail('a closing quote (")');
        }
        i++;
        return value;
    };
    /** `token BWS "="` ahead: an auth-param of the current challenge rather than a new challenge. */
    const paramAhead = (): boolean => {
        const start = i;
        const isParam = readToken() !== "" && (skipWhitespace(), header[i] === "=");
        i = start;
        return isParam;
    };
    /** At the end of a list element: the end of the header or a comma after optional whitespace. */
    const elementEnds = (): boolean => {
        skipWhitespace();
        return i === header.length || header[i] === ",";
    };

    const challenges: Challenge[] = [];
    skipSeparators();
    while (i < header.length) {
        const scheme = readToken();
        if (scheme === "") {
            fail("an auth scheme (a token)");
        }
        const challenge: Challenge = { scheme: scheme.toLowerCase(), params: Object.create(null) };
        challenges.push(challenge);
        const spaced = skipWhitespace() > 0;
        if (i === header.length || header[i] === ",") {
            skipSeparators();
            continue;
        }
        if (!spaced) {
            fail("a space after the auth scheme");
        }
        const token68 = TOKEN68.exec(header.slice(i));
        if (token68 && !paramAhead()) {
            i += token68[0].length;
            challenge.token68 = token68[0];
            if (!elementEnds()) {
                fail("a comma or the end after the token68");
            }
            skipSeparators();
            continue;
        }
        for (;;) {
            const name = readToken().toLowerCase();
            if (name === "") {
                fail("an auth-param name (a token)");
            }
            skipWhitespace();
            if (header[i] !== "=") {
                fail(`"=" after the auth-param ${name}`);
            }
            i++;
            skipWhitespace();
            let value: string;
            if (header[i] === '"') {
                value = readQuoted();
            } else {
                value = readToken();
                if (value === "") {
                    fail(`a value (a token or a quoted string) for the auth-param ${name}`);
                }
            }
            if (name in challenge.params) {
                fail(`no second auth-param ${name} in one challenge`);
            }
            challenge.params[name] = value;
            if (!elementEnds()) {
                fail("a comma or the end after an auth-param");
            }
            skipSeparators();
            if (i === header.length || !paramAhead()) {
                break;
            }
        }
    }
    return challenges;
}
