import * as YAML from "yaml";
import type { ColdStartReport } from "./analysis";

/**
 * `order.txt`: every custom resource with the wave `pulumi up` creates it in on an empty cluster,
 * one per line (`<wave>  <object>  (<resource>)`), by wave, then object.
 */
export function orderText(report: ColdStartReport): string {
    const width = String(report.depth).length;
    const lines = report.waves.map(
        (w) => `${String(w.wave).padStart(width)}  ${w.object}  (${w.resource})`,
    );
    return [
        `# Cold-start apply order: ${report.waves.length} resources in ${report.depth} waves. A resource`,
        "# is created after every resource it waits for (dependsOn, Outputs it reads, its parents'",
        "# dependencies); the resources of one wave are created in parallel.",
        ...lines,
        "",
    ].join("\n");
}

/**
 * `prerequisites.yaml`: what the cluster must have before the first `pulumi up`, as declared and
 * used: custom resource kinds, namespaces, storage classes, issuers, Secrets with the keys read,
 * ConfigMaps, ServiceAccounts, claims and Services, each with the objects and fields that use it.
 */
export function prerequisitesText(report: ColdStartReport): string {
    const sections: Record<string, unknown[]> = {};
    for (const p of report.prerequisites) {
        const entry =
            p.field === "crds"
                ? { kind: p.kind, usedBy: p.usedBy }
                : {
                      ...(p.field === "objects" ? { kind: p.kind } : {}),
                      ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
                      name: p.name,
                      ...(p.keys.length > 0 ? { keys: p.keys } : {}),
                      usedBy: p.usedBy,
                  };
        (sections[p.field] ??= []).push(entry);
    }
    const header =
        "# What the cluster must provide before the first `pulumi up`: declared in the stack's config\n" +
        "# (`prerequisites`, the external database, the pipelines' Services) and used by these objects.\n";
    return Object.keys(sections).length === 0
        ? `${header}{}\n`
        : `${header}${YAML.stringify(sections, { lineWidth: 0 })}`;
}
