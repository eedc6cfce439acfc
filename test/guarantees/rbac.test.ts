import { kubernetesManifests, type Manifest } from "../../components/testing";
import { allSubjects } from "./subjects";
import { lazy } from "../support/evaluations";

/**
 * Every RBAC rule the package may grant, with the component that needs it and why. A rule not in
 * this list fails the test: widening a Role is a reviewed change to this file.
 */
const ALLOWED_RULES: Array<{
    rule: { apiGroups: string[]; resources: string[]; verbs: string[] };
    component: string;
    why: string;
}> = [
    {
        rule: {
            apiGroups: [""],
            resources: ["pods"],
            verbs: ["create", "get", "list", "watch", "delete", "patch"],
        },
        component: "AirflowDeployment",
        why: "KubernetesExecutor and KubernetesPodOperator launch, watch and clean up task pods in project namespaces",
    },
    {
        rule: { apiGroups: [""], resources: ["pods/log"], verbs: ["get", "list"] },
        component: "AirflowDeployment",
        why: "task logs are read back into Airflow",
    },
    {
        rule: { apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"] },
        component: "AirflowDeployment with runConfig.podExec",
        why: "only when asked: KubernetesPodOperator with do_xcom_push reads a task's result from the XCom sidecar with exec",
    },
    {
        rule: { apiGroups: [""], resources: ["events"], verbs: ["get", "list", "watch"] },
        component: "AirflowDeployment",
        why: "pod start failures (image pull, scheduling) are reported from events",
    },
    {
        rule: {
            apiGroups: [""],
            resources: ["persistentvolumeclaims"],
            verbs: ["create", "get", "list", "delete"],
        },
        component: "AirflowDeployment",
        why: "the kedro run flow creates and removes each run's shared data claim",
    },
];

/** A Role's rules: each field (verbs, resources, apiGroups, …) a list of strings. */
const rulesOf = (manifest: Manifest) => (manifest.rules ?? []) as Array<Record<string, string[]>>;

interface RbacObject {
    program: string;
    manifest: Manifest;
}

describe("least privilege", () => {
    const collected = lazy(async () => {
        const roles: RbacObject[] = [];
        const bindings: RbacObject[] = [];
        const releases: Array<{ program: string; name: string; values: Record<string, unknown> }> =
            [];
        for (const subject of allSubjects()) {
            const result = await subject.run();
            for (const { manifest } of kubernetesManifests(result.registrations)) {
                if (manifest.kind === "Role" || manifest.kind === "ClusterRole") {
                    roles.push({ program: subject.name, manifest });
                }
                if (manifest.kind === "RoleBinding" || manifest.kind === "ClusterRoleBinding") {
                    bindings.push({ program: subject.name, manifest });
                }
            }
            for (const release of result.registrations.filter(
                (r) => r.type === "kubernetes:helm.sh/v3:Release",
            )) {
                releases.push({
                    program: subject.name,
                    name: release.inputs.name,
                    values: release.inputs.values ?? {},
                });
            }
        }
        return { roles, bindings, releases };
    });

    test("the programs create Roles to check, and no ClusterRole", async () => {
        const { roles } = await collected();
        expect(roles.length).toBeGreaterThan(0);
        expect(
            roles
                .filter((r) => r.manifest.kind === "ClusterRole")
                .map((r) => `${r.program} ${r.manifest.metadata.name}`),
        ).toEqual([]);
    }, 180000);

    test("no rule uses a wildcard verb, resource or API group", async () => {
        const { roles } = await collected();
        const wildcards = roles.flatMap(({ program, manifest }) =>
            rulesOf(manifest).flatMap((rule, i) =>
                ["verbs", "resources", "apiGroups", "resourceNames", "nonResourceURLs"]
                    .filter((field) => (rule[field] ?? []).some((v) => v.includes("*")))
                    .map(
                        (field) =>
                            `${program} ${manifest.kind} ${manifest.metadata.namespace}/${manifest.metadata.name} rules[${i}].${field}`,
                    ),
            ),
        );
        expect(wildcards).toEqual([]);
    }, 180000);

    test("every rule is one a component is allowed to need", async () => {
        const { roles } = await collected();
        const unlisted = roles.flatMap(({ program, manifest }) =>
            rulesOf(manifest)
                .filter(
                    (rule: unknown) =>
                        !ALLOWED_RULES.some(
                            (allowed) => JSON.stringify(allowed.rule) === JSON.stringify(rule),
                        ),
                )
                .map(
                    (rule: unknown) =>
                        `${program} ${manifest.metadata.namespace}/${manifest.metadata.name}: ${JSON.stringify(rule)}`,
                ),
        );
        expect(unlisted).toEqual([]);
        // Each allowed rule is still used: a rule no component needs any more leaves the list.
        const used = new Set(
            roles.flatMap(({ manifest }) =>
                rulesOf(manifest).map((rule: unknown) => JSON.stringify(rule)),
            ),
        );
        expect(
            ALLOWED_RULES.filter((a) => !used.has(JSON.stringify(a.rule))).map((a) => a.rule),
        ).toEqual([]);
    }, 180000);

    test("bindings grant namespaced Roles to service accounts only, never a ClusterRole", async () => {
        const { bindings } = await collected();
        expect(bindings.length).toBeGreaterThan(0);
        const wrong = bindings.filter(({ manifest }) => {
            const binding = manifest as Manifest & {
                roleRef: { kind: string };
                subjects: Array<{ kind: string }>;
            };
            return (
                manifest.kind !== "RoleBinding" ||
                binding.roleRef.kind !== "Role" ||
                binding.subjects.some((s: { kind: string }) => s.kind !== "ServiceAccount")
            );
        });
        expect(
            wrong.map(
                ({ program, manifest }) =>
                    `${program} ${manifest.kind} ${manifest.metadata.namespace}/${manifest.metadata.name}`,
            ),
        ).toEqual([]);
    }, 180000);

    test("the Airflow chart is never asked for cluster-wide RBAC (multiNamespaceMode)", async () => {
        const { releases } = await collected();
        const airflow = releases.filter((r) => r.values.executor !== undefined);
        expect(airflow.length).toBeGreaterThan(0);
        expect(
            airflow
                .filter((r) => r.values.multiNamespaceMode === true)
                .map((r) => `${r.program} ${r.name}`),
        ).toEqual([]);
    }, 180000);
});
