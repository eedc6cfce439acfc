import * as pulumi from "@pulumi/pulumi";
import {
    componentReporter,
    describeValue,
    invalidInput,
    joinPath,
    movePath,
    nestedReporter,
    refusal,
    reportRefusals,
} from "../../components/core";

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
        ["a\nb\u001b[31m", '"a\\nb\\u001b[31m"'],
        [
            "https://robot:S3CRET@registry.example.com/team",
            '"https://<redacted>@registry.example.com/team"',
        ],
        [
            { endpoint: "http://key:secret@minio:9000" },
            '{"endpoint":"http://<redacted>@minio:9000"}',
        ],
        // Credential-named fields of a given object are redacted; names of Secrets and keys are not.
        [
            [{ provider: "external", accessKey: "AKIA1", secretKey: "S3CRET", secretName: "s3" }],
            '[{"provider":"external","accessKey":"<redacted>","secretKey":"<redacted>","secretName":"s3"}]',
        ],
        [
            { username: "robot", password: "S3CRET", auth: "cm9ib3Q6UzNDUkVU" },
            '{"username":"robot","password":"<redacted>","auth":"<redacted>"}',
        ],
        [
            { private_key: "-----BEGIN", client_email: "a@b.iam.gserviceaccount.com" },
            '{"private_key":"<redacted>","client_email":"a@b.iam.gserviceaccount.com"}',
        ],
        [
            { serviceAccountKey: "{}", pin: 1234, token: 5 },
            '{"serviceAccountKey":"<redacted>","pin":1234,"token":"<redacted>"}',
        ],
        // A password holding '/', '"' or '@' is redacted whole (up to the URL's last '@').
        ["https://robot:S3/CRET@registry.example.com", '"https://<redacted>@registry.example.com"'],
        ['https://robot:S3"CRET@registry.example.com', '"https://<redacted>@registry.example.com"'],
        ["https://robot:S3@CRET@registry.example.com", '"https://<redacted>@registry.example.com"'],
        ["robot:S3CRET@registry.example.com/team", '"<redacted>@registry.example.com/team"'],
        ["postgresql://u:pw@db:5432/airflow", '"postgresql://<redacted>@db:5432/airflow"'],
        [
            `registry.example.com:5000/team/hello@sha256:${"a".repeat(64)}`,
            `"registry.example.com:5000/team/hello@sha256:${"a".repeat(64)}"`,
        ],
        [
            `https://r.example.com/hello@sha256:${"a".repeat(64)}`,
            `"https://r.example.com/hello@sha256:${"a".repeat(64)}"`,
        ],
        ["pipelines@example.com", '"pipelines@example.com"'],
        [pulumi.output("x"), "an Output"],
        [10n, '"10"'],
    ])("renders %j as %s", (value, expected) => {
        expect(describeValue(value)).toBe(expected);
    });

    test("shows a credential as <redacted>", () => {
        expect(describeValue("hunter2", true)).toBe("<redacted>");
    });
});

describe("reporting refusals", () => {
    const refuse = () => {
        throw refusal({
            path: "registry.url",
            given: "x",
            expected: "a URL",
            example: "https://r",
        });
    };

    test("a component names its instance", () => {
        expect(() => reportRefusals(componentReporter("RegistrySecret", "local"), refuse)).toThrow(
            'RegistrySecret "local": registry.url: got "x"; expected a URL, e.g. https://r',
        );
    });

    test("a nested reporter moves the path and reports under the outer instance, once", () => {
        const platform = componentReporter("PipelinePlatform", "platform");
        const config = nestedReporter(platform, (p) => `pipeline-platform:platform.${p}`);
        const registry = nestedReporter(config, movePath("registry", "registries[0]"));
        let error: pulumi.InputPropertyError | undefined;
        try {
            reportRefusals(config, () => reportRefusals(registry, refuse));
        } catch (e) {
            error = e as pulumi.InputPropertyError;
        }
        expect(error?.propertyPath).toBe("pipeline-platform:platform.registries[0].url");
        expect(error?.reason).toBe(
            'PipelinePlatform "platform": pipeline-platform:platform.registries[0].url: got "x"; expected a URL, e.g. https://r',
        );
    });

    test.each([
        ["registry", "registry", "registries[0]"],
        ["registry.url", "registry", "registries[0].url"],
        ["registry[1]", "registry", "registries[0][1]"],
        ["registryUrl", "registry", "registryUrl"],
        ["url", "", "registries[0].url"],
    ])("movePath moves %s under %s", (path, from, expected) => {
        expect(movePath(from, "registries[0]")(path)).toBe(expected);
    });

    test("errors that are not refusals pass unchanged", () => {
        const bug = new TypeError("bug");
        expect(() =>
            reportRefusals(componentReporter("X", "x"), () => {
                throw bug;
            }),
        ).toThrow(bug);
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
