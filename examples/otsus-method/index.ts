// Kaapana's "workflow extension with a custom registry" guide as one Pulumi program: two registry
// secrets (project and service scope), the processing image, the DAG installer image and its chart.
// A user's program imports from "pipeline-platform"; inside this repository the package is "../../components".
import * as pulumi from "@pulumi/pulumi";
import { WorkflowExtension } from "../../components/dags";
import { RegistrySecret, type RegistryLocation } from "../../components/registry";

const config = new pulumi.Config();
const projectNamespaces = config.getObject<string[]>("projectNamespaces") ?? ["project-a"];
const servicesNamespace = config.get("servicesNamespace") ?? "services";

// One custom registry, <protocol>://<registry>:<port>/<repository>; the password stays a secret.
const registry: RegistryLocation = {
    location: "off-cluster",
    url: config.get("registryUrl") ?? "https://registry.example.com:5000/team",
    username: config.get("registryUsername") ?? "robot",
    password: config.requireSecret("registryPassword"),
};

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

const extension = new WorkflowExtension("otsus-method", {
    version: "1.0.0",
    projectRegistry: { registry, scope: "project", secretName: projectSecret.secretName },
    serviceRegistry: { registry, scope: "service", secretName: serviceSecret.secretName },
    processingImages: [{ name: "otsus-method", context: "processing-container" }],
    installer: { context: "extension" },
    namespace: servicesNamespace,
    dagsClaimName: config.get("dagsClaimName") ?? "airflow-dags",
    projectNamespaces,
});

export const processingImages = extension.images;
export const installerImage = extension.installerImageName;
export const release = extension.releaseName;
