import { closest } from "fastest-levenshtein";
import { STATEFUL_RESOURCES, statefulKind, type StatefulKind } from "../core";
import type { RecordedAlias, Registration } from "./engine";

/**
 * One resource that holds data, as the URN inventory records it: a program that registers it under
 * another URN (a renamed component, a new type token, another parent) makes Pulumi create a new
 * resource and drop the old one, unless the new registration carries an alias to this URN.
 */
export interface InventoryEntry {
    /** Its kind in `STATEFUL_RESOURCES`. */
    kind: StatefulKind;
    /** `urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`. */
    urn: string;
    /** Its parents, outermost first, as `<type> <name>`: the chain the URN's type part abbreviates. */
    parents: string[];
}

/** The resources of a run that hold data, sorted by URN. */
export function urnInventory(registrations: readonly Registration[]): InventoryEntry[] {
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    return registrations
        .flatMap((r) => {
            const kind = statefulKind(r.type, r.name, r.inputs);
            return kind === undefined ? [] : [{ kind, urn: r.urn, parents: parentChain(r, byUrn) }];
        })
        .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}

/**
 * Compares a recorded inventory with a run: one message per recorded resource that no registration
 * has as its URN or as an alias (it would be replaced or dropped), and per resource that holds data
 * and is not recorded. Each message says which alias keeps the old URN. Empty when they agree.
 */
export function checkUrnInventory(
    recorded: readonly InventoryEntry[],
    registrations: readonly Registration[],
    update = "record the new inventory",
): string[] {
    const aliases = aliasUrns(registrations);
    const current = urnInventory(registrations);
    const known = new Map<string, InventoryEntry>();
    for (const entry of current) {
        for (const urn of [entry.urn, ...(aliases.get(entry.urn) ?? [])]) {
            known.set(urn, entry);
        }
    }
    const matched = new Set<string>();
    const missing: InventoryEntry[] = [];
    for (const entry of recorded) {
        const now = known.get(entry.urn);
        if (now === undefined) {
            missing.push(entry);
        } else {
            matched.add(now.urn);
        }
    }
    const unmatched = current.filter((entry) => !matched.has(entry.urn));
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const messages: string[] = [];
    for (const old of missing) {
        const candidates = unmatched.filter((entry) => entry.kind === old.kind);
        const successor =
            candidates.length === 0
                ? undefined
                : candidates.find(
                      (entry) =>
                          entry.urn ===
                          closest(
                              old.urn,
                              candidates.map((c) => c.urn),
                          ),
                  );
        const what = `${old.kind} ${old.urn} (${STATEFUL_RESOURCES[old.kind].holds})`;
        if (successor === undefined) {
            messages.push(
                `${what} is no longer registered: Pulumi would delete it, or with retainOnDelete forget it and leave it unmanaged. If it moved, give its new registration \`aliases: [{ name: "${urnName(old.urn)}" }]\` (or a parent or type alias, see README "Data safety"); if it is removed on purpose, ${update}.`,
            );
            continue;
        }
        unmatched.splice(unmatched.indexOf(successor), 1);
        messages.push(
            `${what} is now ${successor.urn}: Pulumi would create a new one and delete the old (or forget it, with retainOnDelete). Keep its identity: ${aliasAdvice(old.urn, byUrn.get(successor.urn) as Registration, byUrn)}; if the change is deliberate, ${update}.`,
        );
    }
    for (const entry of unmatched) {
        messages.push(
            `${entry.kind} ${entry.urn} holds data and is not in the inventory: ${update} so a later rename of it is caught.`,
        );
    }
    return messages;
}

/**
 * Every alias URN of every registration, resolved as the Pulumi engine resolves them: an alias's
 * missing parts come from the resource, and each alias of a parent gives its children an alias too
 * (with the parent's old name in place of its new one at the start of a child's name).
 */
export function aliasUrns(registrations: readonly Registration[]): Map<string, string[]> {
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const resolved = new Map<string, string[]>();
    const resolve = (r: Registration): string[] => {
        const done = resolved.get(r.urn);
        if (done !== undefined) {
            return done;
        }
        const { stack, project } = urnParts(r.urn);
        const own = r.aliases.map((alias) => collapseAlias(alias, r, stack, project));
        const found = new Set(own);
        const parent = r.parent === undefined ? undefined : byUrn.get(r.parent);
        if (parent !== undefined) {
            for (const parentAlias of resolve(parent)) {
                found.add(inheritedChildAlias(r.type, r.name, parent.name, parentAlias));
                for (const alias of own) {
                    found.add(
                        inheritedChildAlias(
                            urnType(alias),
                            urnName(alias),
                            parent.name,
                            parentAlias,
                        ),
                    );
                }
            }
        }
        const list = [...found];
        resolved.set(r.urn, list);
        return list;
    };
    for (const r of registrations) {
        resolve(r);
    }
    return resolved;
}

/** Which alias, on which resource, gives a registration its recorded URN back. */
function aliasAdvice(oldUrn: string, now: Registration, byUrn: Map<string, Registration>): string {
    const before = urnChain(oldUrn);
    const after = urnChain(now.urn);
    const oldName = urnName(oldUrn);
    if (before.join("$") === after.join("$")) {
        // Same types: a name changed, its own or (when names derive from it) an ancestor's; the
        // outermost renamed ancestor's alias carries every resource below it.
        for (const ancestor of ancestors(now, byUrn).reverse()) {
            const suffix = now.name.startsWith(ancestor.name)
                ? now.name.slice(ancestor.name.length)
                : undefined;
            if (
                suffix !== undefined &&
                suffix !== "" &&
                oldName.endsWith(suffix) &&
                oldName !== now.name
            ) {
                const ancestorOld = oldName.slice(0, oldName.length - suffix.length);
                return `give ${ancestor.type} "${ancestor.name}" \`aliases: [{ name: "${ancestorOld}" }]\` (its children's names follow it), or ${now.type} "${now.name}" itself \`aliases: [{ name: "${oldName}" }]\``;
            }
        }
        return `give ${now.type} "${now.name}" \`aliases: [{ name: "${oldName}" }]\``;
    }
    const nameAlias = oldName === now.name ? "" : `name: "${oldName}", `;
    if (before.at(-1) !== after.at(-1)) {
        return `give ${now.type} "${now.name}" \`aliases: [{ ${nameAlias}type: "${before.at(-1)}" }]\``;
    }
    if (before.length === after.length) {
        // A parent's type token changed: the alias goes on that parent.
        const depth = before.findIndex((type, i) => type !== after[i]);
        const changed = ancestors(now, byUrn).reverse()[depth];
        if (changed !== undefined) {
            return `give ${changed.type} "${changed.name}" \`aliases: [{ type: "${before[depth]}" }]\` (a component's type token is part of every child's URN)`;
        }
    }
    const oldParent = before.slice(0, -1);
    return oldParent.length === 0
        ? `give ${now.type} "${now.name}" \`aliases: [{ ${nameAlias}parent: pulumi.rootStackResource }]\` (it had no parent)`
        : `give ${now.type} "${now.name}" \`aliases: [{ ${nameAlias}parent: <the ${oldParent.at(-1)} it had> }]\` (its parent chain was ${oldParent.join(" > ")})`;
}

function collapseAlias(
    alias: RecordedAlias,
    r: Registration,
    stack: string,
    project: string,
): string {
    if ("urn" in alias) {
        return alias.urn;
    }
    const parent = alias.noParent ? undefined : (alias.parentUrn ?? r.parent);
    return createUrn(alias.name ?? r.name, alias.type ?? r.type, parent, stack, project);
}

function inheritedChildAlias(
    childType: string,
    childName: string,
    parentName: string,
    parentAlias: string,
): string {
    const name = childName.startsWith(parentName)
        ? urnName(parentAlias) + childName.slice(parentName.length)
        : childName;
    const { stack, project } = urnParts(parentAlias);
    return createUrn(name, childType, parentAlias, stack, project);
}

function createUrn(
    name: string,
    type: string,
    parentUrn: string | undefined,
    stack: string,
    project: string,
): string {
    const chain =
        parentUrn === undefined || urnType(parentUrn) === "pulumi:pulumi:Stack"
            ? ""
            : `${urnChain(parentUrn).join("$")}$`;
    return `urn:pulumi:${stack}::${project}::${chain}${type}::${name}`;
}

function urnParts(urn: string): { stack: string; project: string; types: string; name: string } {
    const [prefix, project, types, ...name] = urn.split("::");
    return { stack: prefix.replace(/^urn:pulumi:/, ""), project, types, name: name.join("::") };
}

function urnChain(urn: string): string[] {
    return urnParts(urn).types.split("$");
}

function urnType(urn: string): string {
    return urnChain(urn).at(-1) as string;
}

function urnName(urn: string): string {
    return urnParts(urn).name;
}

/** The registration's parents, nearest first. */
function ancestors(r: Registration, byUrn: Map<string, Registration>): Registration[] {
    const found: Registration[] = [];
    for (let p = r.parent && byUrn.get(r.parent); p; p = p.parent && byUrn.get(p.parent)) {
        found.push(p);
    }
    return found;
}

function parentChain(r: Registration, byUrn: Map<string, Registration>): string[] {
    return ancestors(r, byUrn)
        .reverse()
        .map((p) => `${p.type} ${p.name}`);
}
