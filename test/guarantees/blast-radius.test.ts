import { canonicalRegistrations, type Registration } from "../../components/testing";
import { platformSubject, twoExtensionPlatform } from "./subjects";

/** The URNs of a registration's component ancestors, nearest first. */
function ancestors(registration: Registration, byUrn: Map<string, Registration>): Registration[] {
    const chain: Registration[] = [];
    for (
        let parent = registration.parent && byUrn.get(registration.parent);
        parent;
        parent = parent.parent ? byUrn.get(parent.parent) : undefined
    ) {
        chain.push(parent);
    }
    return chain;
}

describe("blast radius: changing one extension's version changes only that extension's resources", () => {
    test("every registration that differs belongs to the changed extension", async () => {
        const before = await platformSubject(
            "platform:two-extensions",
            twoExtensionPlatform("1.0.0"),
        ).run();
        const after = await platformSubject(
            "platform:two-extensions",
            twoExtensionPlatform("1.1.0"),
        ).run();
        const beforeLines = new Set(canonicalRegistrations(before.registrations));
        const afterLines = new Set(canonicalRegistrations(after.registrations));
        const changed = [
            ...before.registrations
                .filter((r) => !afterLines.has(canonicalRegistrations([r])[0]))
                .map((r) => ({ r, all: before.registrations })),
            ...after.registrations
                .filter((r) => !beforeLines.has(canonicalRegistrations([r])[0]))
                .map((r) => ({ r, all: after.registrations })),
        ];
        const outside = changed.filter(({ r, all }) => {
            const byUrn = new Map(all.map((x) => [x.urn, x]));
            const owner = [r, ...ancestors(r, byUrn)].find(
                (x) => x.type === "pipeline-platform:dags:WorkflowExtension",
            );
            return owner?.name !== "platform-extension-otsus-method-gpu";
        });
        expect(outside.map(({ r }) => `${r.type} ${r.name}`)).toEqual([]);
        // The change is visible: the extension's installer image, chart values and images ConfigMaps.
        expect(changed.length).toBeGreaterThan(0);
        expect(before.registrations.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
            after.registrations.map((r) => `${r.type} ${r.name}`).sort(),
        );
    }, 120000);
});
