import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { assertValidManifests } from "../../components/testing";
import * as YAML from "yaml";
import { readTgz } from "../../components/dags";
import { dagInstallerStandIn, KAAPANA_FACTS, sha256sumPrefix } from "../dags/kaapana-fixture";
import { temporaryFolders } from "../support/temporary";
import { runExample as runExampleIn, named } from "./run-example";

const exampleDir = path.join(__dirname, "../../examples/otsus-method");
const installSh = path.join(exampleDir, "extension/install.sh");

/** Runs the example as `pulumi up` would: from its own folder, with its stack config. */
function runExample() {
    return runExampleIn(
        "otsus-method",
        {
            "otsus-method:registryPassword": "s3cret",
            "otsus-method:projectNamespaces": '["project-a","project-b"]',
        },
        ["otsus-method:registryPassword"],
    );
}

describe("examples/otsus-method", () => {
    test("declares both registry secrets, both images, the installer chart and the image ConfigMaps", async () => {
        const result = await runExample();
        const components = result.registrations
            .filter((r) => r.type.startsWith("pipeline-platform:"))
            .map((r) => [r.type, r.name]);
        expect(components).toEqual([
            ["pipeline-platform:registry:RegistrySecret", "registry-project"],
            ["pipeline-platform:registry:RegistrySecret", "registry-service"],
            ["pipeline-platform:dags:WorkflowExtension", "otsus-method"],
            ["pipeline-platform:images:ProcessingImage", "otsus-method-otsus-method"],
            ["pipeline-platform:images:ProcessingImage", "otsus-method-installer-image"],
            ["pipeline-platform:dags:DagInstallerChart", "otsus-method-installer"],
        ]);

        const processing = named(
            result.registrations,
            "docker:index/image:Image",
            "otsus-method-otsus-method-image",
        );
        expect(processing.inputs.imageName).toBe(
            "registry.example.com:5000/team/otsus-method:1.0.0",
        );
        expect(processing.inputs.build).toEqual({
            context: "processing-container",
            dockerfile: "processing-container/Dockerfile",
        });

        const installer = named(
            result.registrations,
            "docker:index/image:Image",
            "otsus-method-installer-image-image",
        );
        expect(installer.inputs.imageName).toBe(
            "registry.example.com:5000/team/dag-otsus-method:1.0.0",
        );
        expect(installer.inputs.build).toEqual({
            context: "extension",
            dockerfile: "extension/Dockerfile",
            args: {
                PROCESSING_IMAGES:
                    '{"otsus-method":"registry.example.com:5000/team/otsus-method:1.0.0"}',
                IMAGE_PULL_SECRETS: '["registry-project"]',
            },
        });

        const release = named(
            result.registrations,
            "kubernetes:helm.sh/v3:Release",
            "otsus-method-installer-release",
        );
        expect(release.inputs.chart).toBe("../../components/dags/chart");
        expect(release.inputs.namespace).toBe("services");
        expect(release.inputs.values).toMatchObject({
            image: "registry.example.com:5000/team/dag-otsus-method:1.0.0",
            action: "copy",
            imagePullSecrets: [{ name: "registry-service" }],
            dagsClaimName: "airflow-dags",
        });

        for (const namespace of ["project-a", "project-b"]) {
            const configMap = named(
                result.registrations,
                "kubernetes:core/v1:ConfigMap",
                `otsus-method-images-${namespace}`,
            );
            expect(configMap.inputs.metadata.name).toBe("otsus-method-images");
            expect(configMap.inputs.metadata.namespace).toBe(namespace);
            expect(configMap.inputs.data).toEqual({
                "otsus-method": "registry.example.com:5000/team/otsus-method:1.0.0",
            });
        }
        expect(result.outputs).toEqual({
            processingImages: {
                "otsus-method": "registry.example.com:5000/team/otsus-method:1.0.0",
            },
            installerImage: "registry.example.com:5000/team/dag-otsus-method:1.0.0",
            release: "otsus-method",
        });
        await assertValidManifests(result.registrations);
    });

    test("two evaluations register identical inputs", async () => {
        const first = await runExample();
        const second = await runExample();
        expect(second.registrations.map((r) => r.inputs)).toEqual(
            first.registrations.map((r) => r.inputs),
        );
    });

    test("the DAGs of both targets name the image and pull Secrets only through the files the installer build writes", () => {
        for (const [dag, operator] of [
            ["extension/dags/dag_otsus_method.py", "extension/dags/dag_otsus_method.py"],
            [
                "kaapana/extension/dags/dag_otsus_method.py",
                "kaapana/extension/dags/otsus_method/OtsusMethodOperator.py",
            ],
        ]) {
            const code = fs.readFileSync(path.join(exampleDir, operator), "utf8");
            expect(code).toContain('image=IMAGES["otsus-method"]');
            expect(code).not.toMatch(/registry\.example\.com|https?:\/\//);
            expect(fs.existsSync(path.join(exampleDir, dag))).toBe(true);
        }
        for (const dockerfile of ["extension/Dockerfile", "kaapana/extension/Dockerfile"]) {
            const text = fs.readFileSync(path.join(exampleDir, dockerfile), "utf8");
            expect(text).toContain("> /kaapana/tmp/dags/otsus_method/images.json");
            expect(text).toContain("> /kaapana/tmp/dags/otsus_method/pull_secrets.json");
        }
    });
});

describe("examples/otsus-method with target kaapana", () => {
    const folder = temporaryFolders();
    const standIn = dagInstallerStandIn(folder);
    const archive = path.join(
        exampleDir,
        ".pipeline-platform/charts/otsus-method-workflow-1.0.0.tgz",
    );
    const customRegistry = "registry.example.com:5000/team";
    const secretName = `registry-secret-${sha256sumPrefix(customRegistry)}`;

    function runKaapana() {
        return runExampleIn(
            "otsus-method",
            {
                "otsus-method:registryPassword": "s3cret",
                "otsus-method:target": "kaapana",
                "otsus-method:kaapanaDagInstallerChart": standIn,
            },
            ["otsus-method:registryPassword"],
        );
    }

    test("creates Kaapana's pull Secrets, builds both images and installs the packaged chart with Kaapana's global values", async () => {
        fs.rmSync(archive, { force: true });
        const result = await runKaapana();
        expect(
            result.registrations
                .filter((r) => r.type.startsWith("pipeline-platform:"))
                .map((r) => [r.type, r.name]),
        ).toEqual([
            ["pipeline-platform:dags:WorkflowExtension", "otsus-method"],
            ["pipeline-platform:registry:RegistrySecret", "otsus-method-kaapana-service"],
            ["pipeline-platform:registry:RegistrySecret", "otsus-method-kaapana-project"],
            ["pipeline-platform:images:ProcessingImage", "otsus-method-otsus-method"],
            ["pipeline-platform:images:ProcessingImage", "otsus-method-installer-image"],
            ["pipeline-platform:dags:DagInstallerChart", "otsus-method-installer"],
        ]);
        // Where Kaapana's workloads look: the installer in the services namespace, the processing
        // pods in the project namespace, both under the dag-installer chart's custom-registry name.
        const secrets = result.registrations
            .filter((r) => r.type === "kubernetes:core/v1:Secret")
            .map((r) => [r.inputs.metadata.namespace, r.inputs.metadata.name, r.inputs.type])
            .sort();
        expect(secrets).toEqual([
            ["project-admin", secretName, "kubernetes.io/dockerconfigjson"],
            ["services", secretName, "kubernetes.io/dockerconfigjson"],
        ]);

        const installer = named(
            result.registrations,
            "docker:index/image:Image",
            "otsus-method-installer-image-image",
        );
        expect(installer.inputs.imageName).toBe(`${customRegistry}/dag-otsus-method:1.0.0`);
        expect(installer.inputs.build).toEqual({
            context: "kaapana/extension",
            dockerfile: "kaapana/extension/Dockerfile",
            args: {
                PROCESSING_IMAGES: `{"otsus-method":"${customRegistry}/otsus-method:1.0.0"}`,
                IMAGE_PULL_SECRETS: JSON.stringify([KAAPANA_FACTS.registrySecret.name, secretName]),
            },
        });

        const release = named(
            result.registrations,
            "kubernetes:helm.sh/v3:Release",
            "otsus-method-installer-release",
        );
        expect(release.inputs.namespace).toBe(KAAPANA_FACTS.namespaces.admin);
        expect(release.inputs.chart).toBe(
            "./.pipeline-platform/charts/otsus-method-workflow-1.0.0.tgz",
        );
        expect(release.inputs.version).toBe("1.0.0");
        expect(release.inputs.values).toEqual({
            global: {
                image: "dag-otsus-method",
                action: "copy",
                custom_registry_url: customRegistry,
                registry_url: "registry.example.com/kaapana",
                kaapana_build_version: "0.6.0",
                admin_namespace: "admin",
                services_namespace: "services",
                pull_policy_images: "IfNotPresent",
                main_node_name: "kaapana-main",
            },
        });
        // Kaapana's Job names are fixed and its pod template immutable: a change replaces the release.
        expect(release.replaceOnChanges).toEqual(["*"]);
        expect(release.deleteBeforeReplace).toBe(true);
        expect(release.dependencies).toEqual(
            expect.arrayContaining(
                result.registrations
                    .filter((r) => r.type === "kubernetes:core/v1:Secret")
                    .map((r) => r.urn),
            ),
        );

        // The image Kaapana's chart pulls, composed as its template does, is the one built.
        const packaged = readTgz(archive);
        const dependency = packaged.find(
            (f) => f.path === "otsus-method-workflow/charts/dag-installer-chart-1.0.0.tgz",
        );
        expect(dependency).toBeDefined();
        const dependencyDir = folder("dep");
        fs.writeFileSync(path.join(dependencyDir, "dep.tgz"), dependency!.data);
        const chartVersion = YAML.parse(
            readTgz(path.join(dependencyDir, "dep.tgz"))
                .find((f) => f.path === "dag-installer-chart/Chart.yaml")!
                .data.toString(),
        ).version;
        const globals = release.inputs.values.global;
        expect(
            KAAPANA_FACTS.dagInstallerChart.imageTemplate
                .replace("{custom_registry_url || registry_url}", globals.custom_registry_url)
                .replace("{global.image}", globals.image)
                .replace("{.Chart.Version of dag-installer-chart}", chartVersion),
        ).toBe(installer.inputs.imageName);
        expect(
            YAML.parse(
                packaged
                    .find((f) => f.path === "otsus-method-workflow/values.yaml")!
                    .data.toString(),
            ),
        ).toEqual({
            global: {
                image: "dag-otsus-method",
                action: "copy",
                custom_registry_url: customRegistry,
                pull_policy_images: "IfNotPresent",
            },
        });
        expect(execFileSync("tar", ["-tzf", archive], { encoding: "utf8" }).split("\n")).toEqual([
            "otsus-method-workflow/Chart.yaml",
            "otsus-method-workflow/charts/dag-installer-chart-1.0.0.tgz",
            "otsus-method-workflow/values.yaml",
            "",
        ]);
        await assertValidManifests(result.registrations);
    });

    test("two evaluations register identical inputs and write the same archive", async () => {
        const first = await runKaapana();
        const bytes = fs.readFileSync(archive);
        const second = await runKaapana();
        expect(second.registrations.map((r) => r.inputs)).toEqual(
            first.registrations.map((r) => r.inputs),
        );
        expect(fs.readFileSync(archive).equals(bytes)).toBe(true);
    });
});

describe("extension/install.sh", () => {
    let tmp: string;
    let source: string;
    let target: string;

    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "install-sh-"));
        source = path.join(tmp, "image");
        target = path.join(tmp, "mounted");
        write(source, "dags/dag_otsus_method.py", "dag");
        write(source, "dags/otsus_method/OtsusMethodOperator.py", "operator");
        write(source, "dags/otsus_method/images.json", "{}");
        write(source, "plugins/otsus_plugin.py", "plugin");
        fs.mkdirSync(path.join(target, "dags"), { recursive: true });
        fs.mkdirSync(path.join(target, "plugins"), { recursive: true });
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    function write(root: string, file: string, text: string): void {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
    }

    function install(action: string) {
        return spawnSync("sh", [installSh], {
            encoding: "utf8",
            env: { PATH: process.env.PATH, ACTION: action, SOURCE_DIR: source, TARGET_DIR: target },
        });
    }

    function files(root: string): string[] {
        return (fs.readdirSync(root, { recursive: true }) as string[])
            .map((f) => f.split(path.sep).join("/"))
            .sort();
    }

    test("copy puts every file under the mounted dags and plugins folders", () => {
        const result = install("copy");
        expect(result.status).toBe(0);
        expect(files(target)).toEqual([
            "dags",
            "dags/dag_otsus_method.py",
            "dags/otsus_method",
            "dags/otsus_method/OtsusMethodOperator.py",
            "dags/otsus_method/images.json",
            "plugins",
            "plugins/otsus_plugin.py",
        ]);
        expect(
            fs.readFileSync(path.join(target, "dags/otsus_method/OtsusMethodOperator.py"), "utf8"),
        ).toBe("operator");
    });

    test("remove deletes only this extension's files and leaves another extension's files and folders", () => {
        expect(install("copy").status).toBe(0);
        write(target, "dags/dag_other.py", "other dag");
        write(target, "dags/other/OtherOperator.py", "other operator");
        write(target, "plugins/otsus_plugin_state.json", "written later");
        const result = install("remove");
        expect(result.status).toBe(0);
        expect(files(target)).toEqual([
            "dags",
            "dags/dag_other.py",
            "dags/other",
            "dags/other/OtherOperator.py",
            "plugins",
            "plugins/otsus_plugin_state.json",
        ]);
    });

    test("remove keeps a folder of this extension that is not empty", () => {
        expect(install("copy").status).toBe(0);
        write(target, "dags/otsus_method/notes.txt", "kept");
        expect(install("remove").status).toBe(0);
        expect(files(target)).toEqual([
            "dags",
            "dags/otsus_method",
            "dags/otsus_method/notes.txt",
            "plugins",
        ]);
    });

    test("rejects an unknown top-level folder before copying anything", () => {
        write(source, "scripts/run.sh", "echo");
        const result = install("copy");
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(
            `install.sh: unknown top-level entry 'scripts' in ${source} (expected dags, plugins, mounted_scripts)\n`,
        );
        expect(files(target)).toEqual(["dags", "plugins"]);
    });

    test("rejects an unknown action", () => {
        const result = install("delete");
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(
            "install.sh: ACTION must be copy, remove or prefetch, got 'delete'\n",
        );
    });
});
