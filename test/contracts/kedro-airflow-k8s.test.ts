// The kedro-airflow-k8s facts the run configuration documents (test/fixtures/contracts/kedro-airflow-k8s.json).
import { readFileSync } from "fs";
import * as path from "path";
import { DEFAULT_PROFILE, resolveProfile } from "../../components/airflow/run-config";
import KEDRO from "../fixtures/contracts/kedro-airflow-k8s.json";

const source = readFileSync(path.join(__dirname, "../../components/airflow/run-config.ts"), "utf8");
/** The TSDoc comment right above a declaration, as one line. */
function docOf(declaration: string): string {
    const at = source.indexOf(declaration);
    const doc = source.slice(source.lastIndexOf("/**", at), at);
    return doc.replace(/\s*\n\s*\*\s?/g, " ");
}

describe("kedro-airflow-k8s, as the run configuration documents it", () => {
    test("the startup timeout is named by the key kedro reads, not the one its documentation writes", () => {
        const doc = docOf("startupTimeoutSeconds?: number;");
        expect(doc).toContain(`\`${KEDRO.startupTimeout.key}\``);
        expect(doc).toContain(`Default \`${KEDRO.startupTimeout.default}\``);
        expect(KEDRO.startupTimeout.documentedKeyRead).toBe(false);
        expect(doc).toContain(`\`${KEDRO.startupTimeout.documentedKey}\`, which it ignores`);
    });

    test("an unknown profile name: kedro gives an empty profile, ours falls back to __default__ and says so", () => {
        expect(KEDRO.resourceProfiles.unknownName).toBe("empty");
        expect(resolveProfile([DEFAULT_PROFILE, "huge_machines"], "huge_machine")).toBe(
            KEDRO.resourceProfiles.untagged,
        );
        const doc = docOf("export function resolveProfile(");
        expect(doc).toContain("it gives the node an empty profile (cluster defaults)");
        expect(doc).toContain("Falling back to `__default__` is the safer choice");
    });
});
