import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { PlatformConfig } from "../../components/platform";
import { readStackConfig } from "../../bin/render";

const root = path.join(__dirname, "../..");
const stacks = ["dev", "staging", "prod"];

/** A stack file's `config`: the platform's config object under its key, other values as written. */
interface StackFileConfig {
    "pipeline-platform:platform": PlatformConfig;
    [key: string]: unknown;
}

function stackFile(stack: string): StackFileConfig {
    return YAML.parse(fs.readFileSync(path.join(root, "stacks", `Pulumi.${stack}.yaml`), "utf8"))
        .config;
}

/** Every `[path, value]` of a plain object tree. */
function leaves(value: unknown, at = ""): Array<[string, unknown]> {
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => leaves(v, at ? `${at}.${k}` : k));
    }
    return [[at, value]];
}

describe("stack files", () => {
    test("there is one per environment", () => {
        const found = fs
            .readdirSync(path.join(root, "stacks"))
            .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
        expect(found.sort()).toEqual(["dev", "prod", "staging"]);
    });

    test.each(stacks)("%s keeps credentials only as secure values", (stack) => {
        const config = stackFile(stack);
        const secure = Object.entries(config)
            .filter(([, v]) => v && typeof v === "object" && "secure" in v)
            .map(([k]) => k);
        const plaintext = Object.entries(config)
            .flatMap(([key, value]) => (secure.includes(key) ? [] : leaves(value, key)))
            .filter(([p]) => /(password|secret|token|accesskey|serviceaccountkey)$/i.test(p));
        expect(plaintext).toEqual([]);
        const referenced = leaves(config["pipeline-platform:platform"])
            .filter(([p]) => p.endsWith("ConfigKey"))
            .map(([, v]) => `pipeline-platform:${v}`);
        expect(referenced.filter((k) => !secure.includes(k))).toEqual([]);
        expect(secure.filter((k) => !referenced.includes(k))).toEqual([]);
    });

    test.each([
        [
            "dev",
            [["off-cluster", "http://registry.localhost:5000/platform"]],
            ["external"],
            { bundled: true },
        ],
        [
            "staging",
            [["ecr", undefined]],
            ["aws", "aws"],
            { external: { secretName: "airflow-database" } },
        ],
        [
            "prod",
            [
                ["gcr", "https://europe-west4-docker.pkg.dev/pipeline-platform-prod/pipelines"],
                ["off-cluster", "https://registry.partner.example.com/imaging"],
            ],
            ["gcp", "gcp"],
            { external: { secretName: "airflow-database" } },
        ],
    ])(
        "%s declares its environment's registries, storage and database",
        (stack, registries, providers, database) => {
            const platform = stackFile(stack)["pipeline-platform:platform"];
            expect(
                platform.registries.map((r: { location: string; url?: string }) => [
                    r.location,
                    r.url,
                ]),
            ).toEqual(registries);
            expect(Object.values(platform.storage.storages).map((s) => s.provider)).toEqual(
                providers,
            );
            expect(Object.keys(platform.storage.storages)).toContain("default");
            expect(platform.airflow.database).toEqual(database);
        },
    );

    test.each(stacks)(
        "%s is read by render with every secure value replaced by a placeholder",
        (stack) => {
            const config = readStackConfig(root, stack);
            expect(config.project).toBe("pipeline-platform");
            expect(Object.keys(config.placeholders)).toEqual(config.secretKeys);
            expect(Object.values(config.config).filter((v) => v.includes("v1:"))).toEqual([]);
            expect(JSON.parse(config.config["pipeline-platform:platform"]).servicesNamespace).toBe(
                "pipeline-services",
            );
        },
    );
});
