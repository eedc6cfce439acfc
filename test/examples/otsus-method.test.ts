import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { assertValidManifests } from "../../components/testing";
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

    test("the operator and DAG name the image only through images.json, never with a protocol", () => {
        const operator = fs.readFileSync(
            path.join(exampleDir, "extension/dags/otsus_method/OtsusMethodOperator.py"),
            "utf8",
        );
        expect(operator).toContain('image=IMAGES["otsus-method"]');
        expect(fs.readFileSync(path.join(exampleDir, "extension/Dockerfile"), "utf8")).toContain(
            "> /kaapana/tmp/dags/otsus_method/images.json",
        );
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
