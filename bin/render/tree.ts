import { statefulKind } from "../../components/core";
import type { Registration } from "../../components/testing";
import { compare } from "./order";

/**
 * The component hierarchy from parent URNs, children sorted by type and name; a resource that holds
 * data is marked with its data-safety options.
 */
export function resourceTree(registrations: Registration[]): string {
    const byUrn = new Set(registrations.map((r) => r.urn));
    const children = new Map<string | undefined, Registration[]>();
    for (const r of registrations) {
        const parent = r.parent && byUrn.has(r.parent) ? r.parent : undefined;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const lines: string[] = [];
    const visit = (parent: string | undefined, indent: string) => {
        const list = [...(children.get(parent) ?? [])].sort(
            (a, b) => compare(a.type, b.type) || compare(a.name, b.name),
        );
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            lines.push(
                `${indent}${parent === undefined ? "" : last ? "└─ " : "├─ "}${r.type} ${r.name}${dataSafetyMark(r)}`,
            );
            visit(r.urn, parent === undefined ? "" : `${indent}${last ? "   " : "│  "}`);
        });
    };
    visit(undefined, "");
    return lines.join("\n");
}

/** ` [holds data: retainOnDelete, protect]` for a resource that holds data, else nothing. */
function dataSafetyMark(r: Registration): string {
    if (statefulKind(r.type, r.name, r.inputs) === undefined) {
        return "";
    }
    const options = [
        ...(r.retainOnDelete ? ["retainOnDelete"] : []),
        ...(r.protect ? ["protect"] : []),
    ];
    return ` [holds data: ${options.length > 0 ? options.join(", ") : "not retained on delete"}]`;
}

/** Registrations per type token, sorted by type. */
export function countByType(registrations: Registration[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const type of registrations.map((r) => r.type).sort()) {
        counts[type] = (counts[type] ?? 0) + 1;
    }
    return counts;
}

/** The per-type counts as printed under the tree. */
export function countsText(counts: Record<string, number>): string {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const rows = Object.entries(counts).map(([type, n]) => `${String(n).padStart(5)}  ${type}`);
    return `${["resources by type:", ...rows, `${String(total).padStart(5)}  total`].join("\n")}\n`;
}
