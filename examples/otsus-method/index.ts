// Kaapana's "workflow extension with a custom registry" guide as one Pulumi program, for either
// installer target (config `target`):
// - pipeline-platform (default): this platform's Airflow; two registry secrets (project and service
//   scope), the processing image, the DAG installer image of this package's convention and the
//   bundled dag-installer chart.
// - kaapana: an existing Kaapana platform; the extension creates the pull Secrets under the names
//   Kaapana's workloads pull with, builds the installer FROM Kaapana's base-installer, and packages
//   kaapana/otsus-method-workflow with Kaapana's dag-installer chart (the file Helm installs and
//   Kaapana's Extensions view uploads).
// A user's program imports from "pipeline-platform"; inside this repository the package is "../../components".
import * as pulumi from "@pulumi/pulumi";
import { WorkflowExtension } from "../../components/dags";
import { RegistrySecret, type RegistryLocation } from "../../components/registry";

const config = new pulumi.Config();
const target = config.get("target") ?? "pipeline-platform";
const servicesNamespace = config.get("servicesNamespace") ?? "services";

// One custom registry, <protocol>://<registry>:<port>/<repository>; the password stays a secret.
const registry: RegistryLocation = {
    location: "off-cluster",
    url: config.get("registryUrl") ?? "https://registry.example.com:5000/team",
    username: config.get("registryUsername") ?? "robot",
    password: config.requireSecret("registryPassword"),
};
const images = [{ name: "otsus-method", context: "processing-container" }];

function kaapanaExtension(): WorkflowExtension {
    return new WorkflowExtension("otsus-method", {
        version: "1.0.0",
        target: {
            platform: "kaapana",
            registryUrl: config.get("kaapanaRegistryUrl") ?? "registry.example.com/kaapana",
            buildVersion: config.get("kaapanaBuildVersion") ?? "0.6.0",
            mainNodeName: config.get("kaapanaMainNode") ?? "kaapana-main",
            adminNamespace: config.get("kaapanaAdminNamespace") ?? "admin",
            dagInstallerChart: config.get("kaapanaDagInstallerChart"),
        },
        projectRegistry: { registry, scope: "project" },
        serviceRegistry: { registry, scope: "service" },
        processingImages: images,
        installer: { context: "kaapana/extension" },
        chart: "kaapana/otsus-method-workflow",
        namespace: servicesNamespace,
        projectNamespaces: config.getObject<string[]>("projectNamespaces") ?? ["project-admin"],
    });
}

function platformExtension(): WorkflowExtension {
    const projectNamespaces = config.getObject<string[]>("projectNamespaces") ?? ["project-a"];
    // Kaapana's "New Registry" with scope Project-Secret: pull secrets where processing containers run.
    const projectSecret = new RegistrySecret("registry-project", {
        registry,
        scope: "project",
        namespaces: projectNamespaces,
    });
    // Kaapana's "New Registry" with scope Service-Secret: the pull secret of the DAG installer.
    const serviceSecret = new RegistrySecret("registry-service", {
        registry,
        scope: "service",
        namespaces: [servicesNamespace],
    });
    return new WorkflowExtension("otsus-method", {
        version: "1.0.0",
        projectRegistry: { registry, scope: "project", secretName: projectSecret.secretName },
        serviceRegistry: { registry, scope: "service", secretName: serviceSecret.secretName },
        processingImages: images,
        installer: { context: "extension" },
        namespace: servicesNamespace,
        dagsClaimName: config.get("dagsClaimName") ?? "airflow-dags",
        projectNamespaces,
    });
}

const extension = target === "kaapana" ? kaapanaExtension() : platformExtension();

export const processingImages = extension.images;
export const installerImage = extension.installerImageName;
export const release = extension.releaseName;
