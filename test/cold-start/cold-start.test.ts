import type { ClusterPrerequisites } from "../../components/platform";
import { runProgram } from "../../components/testing";
import {
    analyzeColdStart,
    orderText,
    prerequisitesText,
    type ColdStartReport,
} from "../../components/testing/cold-start";
import * as programs from "./programs";

async function analyze(
    program: () => void,
    prerequisites?: ClusterPrerequisites,
): Promise<ColdStartReport> {
    const { registrations } = await runProgram(program);
    return analyzeColdStart(registrations, { prerequisites });
}

describe("cold-start checks on fixture programs", () => {
    test.each<{
        title: string;
        program: () => void;
        prerequisites?: ClusterPrerequisites;
        problems: Array<{ object: string; resource: string; path: string; message: string }>;
    }>([
        {
            title: "a custom resource registered without its chart dependency",
            program: programs.proxyWithoutItsChart,
            problems: [
                {
                    object: "HTTPProxy web/site",
                    resource: "proxy",
                    path: "kind",
                    message:
                        'kind HTTPProxy.projectcontour.io is installed by Release web/contour (resource contour), and this object is not ordered after it, so it fails with "no matches for kind HTTPProxy" on an empty cluster; add dependsOn on that resource or on its component',
                },
            ],
        },
        {
            title: "an object in a namespace the program creates, not ordered after it",
            program: programs.objectInANamespaceCreatedLater,
            problems: [
                {
                    object: "ConfigMap jobs/settings",
                    resource: "settings",
                    path: "metadata.namespace",
                    message:
                        'Namespace "jobs" is created by resource jobs, and this object is not ordered after it; add dependsOn on that resource or on its component',
                },
            ],
        },
        {
            title: "a pod template naming a Secret nothing creates",
            program: programs.podTemplateNamingAMissingSecret,
            problems: [
                {
                    object: "Deployment api/api",
                    resource: "api",
                    path: "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name",
                    message:
                        'Secret "db-credentials" in namespace api is neither created by the program nor declared in prerequisites.secrets',
                },
            ],
        },
        {
            title: "a typo in a claim name, with the closest claim suggested",
            program: programs.typoInAClaimName,
            problems: [
                {
                    object: "Job batch/import",
                    resource: "import",
                    path: "spec.template.spec.volumes[0].persistentVolumeClaim.claimName",
                    message:
                        'PersistentVolumeClaim "shared-dta" in namespace batch is neither created by the program nor declared in prerequisites.persistentVolumeClaims; did you mean "shared-data"?',
                },
            ],
        },
        {
            title: "a key the Secret lacks, and a Secret of another namespace",
            program: programs.wrongKeyAndWrongNamespace,
            problems: [
                {
                    object: "Pod api/client",
                    resource: "client",
                    path: "spec.containers[0].env[0].valueFrom.secretKeyRef.name",
                    message:
                        'Secret "db" in namespace api has no key "pasword"; did you mean "password"?',
                },
                {
                    object: "Pod api/client",
                    resource: "client",
                    path: "spec.volumes[0].secret.secretName",
                    message:
                        'Secret "tls" in namespace api is neither created by the program nor declared in prerequisites.secrets; a Secret "tls" exists in namespace shared',
                },
            ],
        },
        {
            title: "a Certificate without cert-manager or its issuer, and a Secret read before it exists",
            program: programs.certificateAndUnorderedSecret,
            problems: [
                {
                    object: "Certificate web/site-tls",
                    resource: "certificate",
                    path: "kind",
                    message:
                        "kind Certificate.cert-manager.io is installed by none of the program's releases and not declared in prerequisites.crds; install it first (chart cert-manager) or declare it",
                },
                {
                    object: "Certificate web/site-tls",
                    resource: "certificate",
                    path: "spec.issuerRef.name",
                    message:
                        'ClusterIssuer "letsencrypt" is neither created by the program nor declared in prerequisites.clusterIssuers',
                },
                {
                    object: "Pod web/reader",
                    resource: "reader",
                    path: "spec.containers[0].envFrom[0].secretRef.name",
                    message:
                        'Secret "settings" in namespace web is created by resource settings, and this object is not ordered after it; add dependsOn on that resource or on its component',
                },
            ],
        },
        {
            title: "cert-manager and its issuer declared: only the unordered Secret is left",
            program: programs.certificateAndUnorderedSecret,
            prerequisites: {
                crds: ["Certificate.cert-manager.io"],
                clusterIssuers: ["letsencrypt"],
            },
            problems: [
                {
                    object: "Pod web/reader",
                    resource: "reader",
                    path: "spec.containers[0].envFrom[0].secretRef.name",
                    message:
                        'Secret "settings" in namespace web is created by resource settings, and this object is not ordered after it; add dependsOn on that resource or on its component',
                },
            ],
        },
        {
            title: "the Airflow chart's database Secret (its webserver key is not read on Airflow 3)",
            program: programs.airflowWithAnUndeclaredDatabase,
            problems: [
                {
                    object: "Release airflow/airflow",
                    resource: "airflow",
                    path: "namespace",
                    message:
                        'Namespace "airflow" is neither created by the program nor declared in prerequisites.namespaces',
                },
                {
                    object: "Release airflow/airflow",
                    resource: "airflow",
                    path: "values.data.metadataSecretName",
                    message:
                        'Secret "airflow-database" in namespace airflow is neither created by the program nor declared in prerequisites.secrets',
                },
            ],
        },
        {
            title: "a declared database Secret whose declared keys lack the one the chart reads",
            program: programs.airflowWithAnUndeclaredDatabase,
            prerequisites: {
                namespaces: ["airflow"],
                secrets: [{ namespace: "airflow", name: "airflow-database", keys: ["uri"] }],
            },
            problems: [
                {
                    object: "Release airflow/airflow",
                    resource: "airflow",
                    path: "values.data.metadataSecretName",
                    message:
                        'Secret "airflow-database" in namespace airflow has no key "connection"; its keys: uri',
                },
            ],
        },
        {
            title: "cert-manager's chart with its CRDs switched off (the chart's default)",
            program: programs.certManagerChart(false),
            problems: [
                {
                    object: "ClusterIssuer self-signed",
                    resource: "issuer",
                    path: "kind",
                    message:
                        "kind ClusterIssuer.cert-manager.io is installed by none of the program's releases and not declared in prerequisites.crds; Release cert-manager/cert-manager (resource cert-manager) installs it only with crds.enabled or installCRDs set to true",
                },
            ],
        },
        {
            title: "cert-manager's chart with crds.enabled, and the issuer after it",
            program: programs.certManagerChart(true),
            problems: [],
        },
        {
            title: "a pod template file read in every namespace its pods may be launched in",
            program: programs.podTemplateFileLaunchedWhereASecretIsMissing,
            problems: [
                {
                    object: "ConfigMap launcher/templates",
                    resource: "templates",
                    path: 'data["task.yaml"].spec.containers[0].envFrom[0].secretRef.name',
                    message:
                        'Secret "task-secret" in namespace tasks-b is neither created by the program nor declared in prerequisites.secrets; a Secret "task-secret" exists in namespace tasks-a',
                },
            ],
        },
        {
            title: "a ServiceAccount patched that nothing creates (every namespace has `default`)",
            program: programs.pullSecretPatchedIntoServiceAccounts,
            problems: [
                {
                    object: "ServiceAccount airflow/airflow-worker",
                    resource: "registry-pull-secrets-airflow-airflow-worker",
                    path: "metadata.name",
                    message:
                        'ServiceAccount "airflow-worker" in namespace airflow is neither created by the program nor declared in prerequisites.serviceAccounts',
                },
            ],
        },
        {
            title: "the Airflow chart autoscaling Celery workers with KEDA, which nothing installs",
            program: programs.airflowWithKeda,
            problems: [
                {
                    object: "Release airflow/airflow",
                    resource: "airflow",
                    path: "values",
                    message:
                        "its chart creates a ScaledObject.keda.sh (chart/templates/workers/worker-kedaautoscaler.yaml): kind ScaledObject.keda.sh is installed by none of the program's releases and not declared in prerequisites.crds; install it first (chart keda) or declare it",
                },
            ],
        },
        {
            title: "the Airflow chart with KEDA, its ScaledObject kind declared",
            program: programs.airflowWithKeda,
            prerequisites: { crds: ["ScaledObject.keda.sh"] },
            problems: [],
        },
        {
            title: "the proxy after the component holding the chart",
            program: programs.proxyAfterItsChart,
            problems: [],
        },
    ])("$title", async ({ program, prerequisites, problems }) => {
        const report = await analyze(program, prerequisites);
        expect(report.problems).toEqual(problems);
    });
});

describe("cold-start files", () => {
    test("order.txt lists every resource with its wave", async () => {
        const report = await analyze(programs.proxyAfterItsChart);
        expect(orderText(report)).toBe(
            [
                "# Cold-start apply order: 4 resources in 3 waves. A resource",
                "# is created after every resource it waits for (dependsOn, Outputs it reads, its parents'",
                "# dependencies); the resources of one wave are created in parallel.",
                "1  Namespace web  (web)",
                "2  Release web/contour  (ingress-contour)",
                "2  Service web/site  (site)",
                "3  HTTPProxy web/site  (proxy)",
                "",
            ].join("\n"),
        );
    });

    test("prerequisites.yaml lists what is declared and used, with the keys read and by whom", async () => {
        const report = await analyze(programs.airflowWithAnUndeclaredDatabase, {
            namespaces: ["airflow", "unused"],
            secrets: [{ namespace: "airflow", name: "airflow-database" }],
        });
        expect(report.problems).toEqual([]);
        expect(prerequisitesText(report)).toBe(
            [
                "# What the cluster must provide before the first `pulumi up`: declared in the stack's config",
                "# (`prerequisites`, the external database, the pipelines' Services) and used by these objects.",
                "namespaces:",
                "  - name: airflow",
                "    usedBy:",
                "      - Release airflow/airflow namespace",
                "secrets:",
                "  - namespace: airflow",
                "    name: airflow-database",
                "    keys:",
                "      - connection",
                "    usedBy:",
                "      - Release airflow/airflow values.data.metadataSecretName",
                "",
            ].join("\n"),
        );
    });

    test("prerequisites.yaml of a program that needs nothing is an empty map", async () => {
        const report = await analyze(programs.proxyAfterItsChart);
        expect(prerequisitesText(report)).toMatch(/\n\{\}\n$/);
    });
});
