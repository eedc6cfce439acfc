import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** Kaapana 0.6.0 facts (test/fixtures/upstream/SOURCE.md). */
export const KAAPANA_FACTS = JSON.parse(
    fs.readFileSync(path.join(__dirname, "../fixtures/upstream/kaapana-0.6.0.json"), "utf8"),
);

/**
 * A stand-in for Kaapana's dag-installer chart, written from the fixture's facts only (its
 * Chart.yaml fields and default values; Kaapana's templates are AGPL and not copied): what packaging
 * reads from it is its Chart.yaml and its files. Returns the folder.
 */
export function dagInstallerStandIn(folder: (prefix: string) => string): string {
    const dir = folder("kaapana-dag-installer");
    const chart = path.join(dir, KAAPANA_FACTS.dagInstallerChart.chart.name);
    fs.mkdirSync(chart);
    fs.writeFileSync(
        path.join(chart, "Chart.yaml"),
        YAML.stringify({ ...KAAPANA_FACTS.dagInstallerChart.chart, description: "Dag installer" }),
    );
    const defaults: Record<string, string> = KAAPANA_FACTS.dagInstallerChart.defaultValues;
    fs.writeFileSync(
        path.join(chart, "values.yaml"),
        YAML.stringify({
            global: Object.fromEntries(
                Object.entries(defaults).map(([key, value]) => [
                    key.replace(/^global\./, ""),
                    value,
                ]),
            ),
        }),
    );
    return chart;
}

/** `registry-secret-` and the first 4 hex digits of `sha256sum` of the text, computed by coreutils. */
export function sha256sumPrefix(text: string): string {
    return execFileSync("sha256sum", { input: text, encoding: "utf8" }).slice(0, 4);
}
