// pipeline-platform package-kaapana-chart: the packaged Kaapana workflow-extension chart
// `<name>-<version>.tgz` (Kaapana's dag-installer chart inside, both at <version>) for an upload in
// Kaapana's Extensions view, byte-identical for identical input, without helm.
import * as path from "path";
import { parseArgs } from "util";
import {
    KAAPANA,
    kaapanaImage,
    packageKaapanaChart,
    readKaapanaChart,
    writeKaapanaArchive,
    type KaapanaTarget,
} from "../../components/dags";

export const PACKAGE_USAGE =
    "usage: pipeline-platform package-kaapana-chart --chart <workflow-extension chart folder> --image <registry>/<name>:<version> --registry-url <Kaapana's default registry> [--dag-installer-chart <folder or .tgz>] [--pull-policy IfNotPresent|Always|Never] [--out <dir>]";

/** Where the command writes. */
export interface PackageOutput {
    log(text: string): void;
    error(text: string): void;
}

/**
 * Packages the chart: the version is the installer image's tag (what Kaapana's chart pulls). Prints
 * the archive's path; exit code 0, or 2 on a usage error or a chart that cannot be packaged.
 */
export function packageChartCli(args: string[], output: PackageOutput): number {
    let values: Record<string, string | undefined>;
    try {
        ({ values } = parseArgs({
            args,
            options: {
                chart: { type: "string" },
                image: { type: "string" },
                "registry-url": { type: "string" },
                "dag-installer-chart": { type: "string" },
                "pull-policy": { type: "string" },
                out: { type: "string" },
            },
            allowPositionals: false,
        }) as { values: Record<string, string | undefined> });
    } catch (err) {
        output.error(`${(err as Error).message}\n${PACKAGE_USAGE}`);
        return 2;
    }
    const missing = ["chart", "image", "registry-url"].filter((k) => values[k] === undefined);
    if (missing.length > 0) {
        output.error(`${missing.map((k) => `--${k}`).join(", ")} required\n${PACKAGE_USAGE}`);
        return 2;
    }
    const image = kaapanaImage(values.image!);
    if (typeof image === "string") {
        output.error(`--image: expected ${image}\n${PACKAGE_USAGE}`);
        return 2;
    }
    const pullPolicy = values["pull-policy"] ?? KAAPANA.defaultPullPolicy;
    if (!["IfNotPresent", "Always", "Never"].includes(pullPolicy)) {
        output.error(`--pull-policy: expected IfNotPresent, Always or Never\n${PACKAGE_USAGE}`);
        return 2;
    }
    const target = {
        platform: "kaapana",
        registryUrl: values["registry-url"]!,
        dagInstallerChart: values["dag-installer-chart"],
        packageDir: path.resolve(values.out ?? "."),
    } as KaapanaTarget;
    try {
        const chart = readKaapanaChart(values.chart!, image.tag, target);
        writeKaapanaArchive(
            chart,
            packageKaapanaChart(chart, {
                image: image.image,
                action: "copy",
                ...(image.registry === target.registryUrl
                    ? {}
                    : { custom_registry_url: image.registry }),
                pull_policy_images: pullPolicy,
            }),
        );
        output.log(chart.archiveFile);
        return 0;
    } catch (err) {
        output.error((err as Error).message);
        return 2;
    }
}
