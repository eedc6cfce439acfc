import { closest } from "fastest-levenshtein";
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import * as YAML from "yaml";
import { quantityValue, STATEFUL_RESOURCES, type StatefulKind } from "../../components/core";
import type { DataSafetyEntry } from "./data-safety";
import { compare } from "./order";
import { sourcesOf } from "./secret-sources";

/** One field that differs between two renders of an object; an absent side is `undefined`. */
export interface FieldChange {
    /** Engine path syntax (`spec.resources.requests.storage`); `options.*` are Pulumi resource options. */
    path: string;
    before?: unknown;
    after?: unknown;
}

/** A file of both renders whose content differs. */
export interface ChangedFile {
    file: string;
    changes: FieldChange[];
}

/** A change that loses data or fails the update: what `render --diff` exits non-zero for. */
export interface Danger {
    /** The object as the render names it (`PersistentVolumeClaim ns/name`, `<type> <name>`). */
    object: string;
    /** Its kind in `STATEFUL_RESOURCES`, for a resource that holds data. */
    kind?: StatefulKind;
    /** What happens, and what to do about it. */
    reason: string;
}

/** The semantic difference of two renders (file maps as `renderStack` returns and writes them). */
export interface RenderDiff {
    added: string[];
    removed: string[];
    changed: ChangedFile[];
    danger: Danger[];
}

/**
 * Files that are views of the others (the tree, the cold-start order, the data-safety list): compared
 * through the files they describe, not line by line.
 */
function derived(file: string): boolean {
    return file === "data-safety.yaml" || file.endsWith(".txt");
}

/**
 * Compares two renders: files added, removed and changed (with field paths), and the danger list:
 * resources that hold data removed, renamed (a new URN without an alias to the old one), replaced
 * (a field that forces replacement changed), shrunk, stripped of retainOnDelete or protect, or a
 * fernet key that lost one of its keys; any Secret whose type changed and any Job whose pod template
 * changed under the same name (both are replaced: deleted and created again).
 */
export function diffRenders(
    before: Readonly<Record<string, string>>,
    after: Readonly<Record<string, string>>,
): RenderDiff {
    const files = (render: Readonly<Record<string, string>>) =>
        Object.keys(render).filter((f) => !derived(f));
    const added = files(after)
        .filter((f) => !(f in before))
        .sort(compare);
    const removed = files(before)
        .filter((f) => !(f in after))
        .sort(compare);
    const oldEntries = dataSafetyOf(before);
    const newEntries = dataSafetyOf(after);
    const changed: ChangedFile[] = [];
    for (const file of files(after)
        .filter((f) => f in before)
        .sort(compare)) {
        const changes = fieldChanges(parse(before[file]), parse(after[file]), "");
        const oldEntry = oldEntries.find((e) => e.file === file);
        const newEntry = newEntries.find((e) => e.file === file);
        for (const option of ["retainOnDelete", "protect"] as const) {
            if (oldEntry && newEntry && oldEntry[option] !== newEntry[option]) {
                changes.push({
                    path: `options.${option}`,
                    before: oldEntry[option],
                    after: newEntry[option],
                });
            }
        }
        if (changes.length > 0) {
            changed.push({ file, changes });
        }
    }
    return {
        added,
        removed,
        changed,
        danger: [
            ...statefulDangers(before, after, oldEntries, newEntries),
            ...replacedObjects(before, after, new Set(newEntries.map((e) => e.file))),
        ],
    };
}

/** The danger list's entries for resources that hold data. */
function statefulDangers(
    before: Readonly<Record<string, string>>,
    after: Readonly<Record<string, string>>,
    oldEntries: DataSafetyEntry[],
    newEntries: DataSafetyEntry[],
): Danger[] {
    const answersTo = (entry: DataSafetyEntry, urn: string) =>
        entry.urn === urn || (entry.aliases ?? []).includes(urn);
    const successors = newEntries.filter(
        (n) => !oldEntries.some((o) => answersTo(n, o.urn) || n.urn === o.urn),
    );
    const dangers: Danger[] = [];
    for (const old of oldEntries) {
        const now = newEntries.find((n) => answersTo(n, old.urn));
        const holds = STATEFUL_RESOURCES[old.kind].holds;
        if (now === undefined) {
            const candidates = successors.filter((n) => n.kind === old.kind);
            const successor =
                candidates.length === 0
                    ? undefined
                    : candidates.find(
                          (n) =>
                              n.urn ===
                              closest(
                                  old.urn,
                                  candidates.map((c) => c.urn),
                              ),
                      );
            if (successor !== undefined) {
                successors.splice(successors.indexOf(successor), 1);
                dangers.push({
                    object: old.object,
                    kind: old.kind,
                    reason: `renamed: ${successor.object} takes its place under another URN (${urnName(old.urn)} → ${urnName(successor.urn)}), so Pulumi creates a new one and deletes this one (${retention(old)}); it holds ${holds}. If it is the same resource, keep its URN with \`aliases: [{ name: "${urnName(old.urn)}" }]\` (README "Data safety").`,
                });
            } else {
                dangers.push({
                    object: old.object,
                    kind: old.kind,
                    reason: `removed: Pulumi deletes it (${retention(old)}); it holds ${holds}.`,
                });
            }
            continue;
        }
        const oldContent = parse(before[old.file]);
        const newContent = parse(after[now.file]);
        const prefix = old.file.startsWith("resources/") ? "inputs." : "";
        for (const field of STATEFUL_RESOURCES[old.kind].replacedOn) {
            const was = valueAt(oldContent, `${prefix}${field}`);
            const is = valueAt(newContent, `${prefix}${field}`);
            if (!equal(was, is)) {
                dangers.push({
                    object: now.object,
                    kind: old.kind,
                    reason: `replaced: ${field} ${shown(was)} → ${shown(is)} forces replacement, so Pulumi creates a new one and deletes this one (${retention(old)}); it holds ${holds}.`,
                });
            }
        }
        if (old.kind === "volume-claim") {
            const field = "spec.resources.requests.storage";
            const was = valueAt(oldContent, field);
            const is = valueAt(newContent, field);
            if (
                typeof was === "string" &&
                typeof is === "string" &&
                quantityValue(is) < quantityValue(was)
            ) {
                dangers.push({
                    object: now.object,
                    kind: old.kind,
                    reason: `shrinks: ${field} ${was} → ${is}; a claim cannot shrink, the update fails (keep ${was}, or move the data to a new claim).`,
                });
            }
        }
        if (old.kind === "fernet-key") {
            for (const field of ["data", "stringData"]) {
                const wasData = valueAt(oldContent, field) ?? {};
                const isData = valueAt(newContent, field) ?? {};
                for (const [key, value] of Object.entries(wasData as Record<string, unknown>)) {
                    const dropped = sourcesOf(value).filter(
                        (source) =>
                            !sourcesOf((isData as Record<string, unknown>)[key]).includes(source),
                    );
                    if (dropped.length > 0) {
                        dangers.push({
                            object: now.object,
                            kind: old.kind,
                            reason: `loses a key: ${field}.${key} no longer holds ${dropped.join(", ")}; what that key encrypted in Airflow's database cannot be read. Rotate instead (README "Rotating the fernet key"): new keys are prepended, the old ones stay.`,
                        });
                    }
                }
            }
        }
        for (const option of ["retainOnDelete", "protect"] as const) {
            if (old[option] && !now[option]) {
                dangers.push({
                    object: now.object,
                    kind: old.kind,
                    reason: `loses ${option}: ${option === "protect" ? "Pulumi will delete or replace it without refusing" : "deleting it from the program deletes it and its data"}; it holds ${holds}.`,
                });
            }
        }
    }
    return dangers;
}

/**
 * Secrets whose type changes and Jobs whose pod template changes under the same name are replaced
 * (`stateful` files are judged by their own rules).
 */
function replacedObjects(
    before: Readonly<Record<string, string>>,
    after: Readonly<Record<string, string>>,
    stateful: ReadonlySet<string>,
): Danger[] {
    const dangers: Danger[] = [];
    for (const file of Object.keys(after).filter(
        (f) => f in before && f.startsWith("manifests/") && !stateful.has(f),
    )) {
        const was = parse(before[file]) as Record<string, unknown>;
        const is = parse(after[file]) as Record<string, unknown>;
        const object = manifestLabel(is);
        if (is.kind === "Secret" && !equal(was.type, is.type)) {
            dangers.push({
                object,
                reason: `replaced: type ${shown(was.type)} → ${shown(is.type)} forces replacement; the Secret is deleted and created again, and pods that mount it fail to start in between.`,
            });
        }
        if (
            is.kind === "Job" &&
            !equal(valueAt(was, "spec.template"), valueAt(is, "spec.template"))
        ) {
            dangers.push({
                object,
                reason: "replaced: a Job's pod template is immutable, so the Job is deleted and run again under the same name; put a version in its name so each template is a Job of its own.",
            });
        }
    }
    return dangers;
}

/** Every field that differs, depth first; values that are both objects (or same-length lists) are compared inside. */
export function fieldChanges(before: unknown, after: unknown, at: string): FieldChange[] {
    if (equal(before, after)) {
        return [];
    }
    if (isRecord(before) && isRecord(after)) {
        return [...new Set([...Object.keys(before), ...Object.keys(after)])]
            .sort(compare)
            .flatMap((key) => fieldChanges(before[key], after[key], joinKey(at, key)));
    }
    if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
        return before.flatMap((item, i) => fieldChanges(item, after[i], `${at}[${i}]`));
    }
    return [{ path: at, before, after }];
}

/** A render read back from its output folder (what `renderStack` wrote there). */
export function readRender(dir: string): Record<string, string> {
    if (!fs.existsSync(path.join(dir, "tree.txt"))) {
        throw new Error(`${dir} is not a render output folder (it has no tree.txt)`);
    }
    const files: Record<string, string> = {};
    const walk = (relative: string) => {
        for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
            const file = relative === "" ? entry.name : `${relative}/${entry.name}`;
            if (entry.isDirectory()) {
                walk(file);
            } else if (/\.(ya?ml|txt)$/.test(entry.name)) {
                files[file] = fs.readFileSync(path.join(dir, file), "utf8");
            }
        }
    };
    walk("");
    return files;
}

/** The diff as text for a terminal: counts, the danger list first, then files added, removed, changed. */
export function diffText(diff: RenderDiff, title: string): string {
    return `${[title, `  ${summary(diff)}`, ...dangerLines(diff), ...changeLines(diff)].join("\n")}\n`;
}

function dangerLines(diff: RenderDiff): string[] {
    const lines: string[] = [];
    if (diff.danger.length > 0) {
        lines.push("", `danger (${diff.danger.length}):`);
        for (const d of diff.danger) {
            lines.push(`  ! ${d.object}${d.kind ? ` [${d.kind}]` : ""}: ${d.reason}`);
        }
    }
    return lines;
}

function changeLines(diff: RenderDiff): string[] {
    const lines: string[] = [];
    section(lines, "added", diff.added, "+");
    section(lines, "removed", diff.removed, "-");
    if (diff.changed.length > 0) {
        lines.push("", `changed (${diff.changed.length}):`);
        for (const { file, changes } of diff.changed) {
            lines.push(`  ~ ${file}`);
            for (const c of changes) {
                lines.push(`      ${c.path}: ${shown(c.before)} → ${shown(c.after)}`);
            }
        }
    }
    return lines;
}

/** The diff as a pull-request comment: the danger list up front, the rest folded. */
export function diffMarkdown(diff: RenderDiff, title: string): string {
    const lines = [`### ${title}`, "", summary(diff)];
    if (diff.danger.length > 0) {
        lines.push(
            "",
            `**Danger (${diff.danger.length})** — these lose data or fail the update:`,
            "",
        );
        for (const d of diff.danger) {
            lines.push(`- \`${d.object}\`${d.kind ? ` (${d.kind})` : ""}: ${d.reason}`);
        }
    } else {
        lines.push("", "No danger: nothing that holds data is removed, renamed or replaced.");
    }
    const body = changeLines(diff).join("\n").trim();
    if (body !== "") {
        lines.push(
            "",
            "<details><summary>Every change</summary>",
            "",
            "```text",
            body.replace(/`{3,}/g, "'''"),
            "```",
            "",
            "</details>",
        );
    }
    return `${lines.join("\n")}\n`;
}

function summary(diff: RenderDiff): string {
    return `${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.danger.length} in the danger list`;
}

function section(lines: string[], name: string, files: string[], mark: string): void {
    if (files.length > 0) {
        lines.push("", `${name} (${files.length}):`, ...files.map((f) => `  ${mark} ${f}`));
    }
}

function dataSafetyOf(render: Readonly<Record<string, string>>): DataSafetyEntry[] {
    const text = render["data-safety.yaml"];
    return text === undefined ? [] : ((YAML.parse(text) as DataSafetyEntry[] | null) ?? []);
}

function retention(entry: DataSafetyEntry): string {
    return entry.protect
        ? "protect makes that update fail until it is unprotected"
        : entry.retainOnDelete
          ? "retainOnDelete: Pulumi forgets the old one, its data left behind unmanaged"
          : "not retainOnDelete: deleting it deletes its data";
}

function parse(text: string | undefined): unknown {
    return text === undefined ? undefined : YAML.parse(text);
}

function manifestLabel(manifest: Record<string, unknown>): string {
    const metadata = (manifest.metadata ?? {}) as { name?: string; namespace?: string };
    return `${manifest.kind} ${metadata.namespace ? `${metadata.namespace}/` : ""}${metadata.name}`;
}

function valueAt(value: unknown, at: string): unknown {
    return at
        .split(".")
        .reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);
}

function urnName(urn: string): string {
    return urn.split("::").slice(3).join("::");
}

function shown(value: unknown): string {
    if (value === undefined) {
        return "(absent)";
    }
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function joinKey(at: string, key: string): string {
    const part = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? key : JSON.stringify(key);
    return at === "" ? part : part.startsWith('"') ? `${at}[${part}]` : `${at}.${part}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function equal(a: unknown, b: unknown): boolean {
    return isDeepStrictEqual(a, b);
}
