// What `npm run bench` measures: a synthetic platform of a given size, one PipelinePlatform built from
// it. A bench subject is any module exporting `benchProgram(size)`; bench-worker.ts imports it.
import { PipelinePlatform, type PlatformConfig } from "../components/platform";

/** The size of a synthetic platform. */
export interface BenchSize {
    /** Workflow extensions, each with its processing images, installer and one pipeline. */
    extensions: number;
    /** Project namespaces the pipelines are spread over. */
    projects: number;
}

/** The secure config values the synthetic config names by `…ConfigKey`. */
export const SYNTHETIC_SECRETS: Record<string, string> = {
    projectRegistryPassword: "bench-project-password",
    serviceRegistryPassword: "bench-service-password",
    storageAccessKey: "bench-access-key",
    storageSecretKey: "bench-secret-key",
};

// Build contexts that exist in the repository: ProcessingImage checks the folder and its Dockerfile.
const PROCESSING_CONTEXT = "examples/otsus-method/processing-container";
const INSTALLER_CONTEXT = "examples/otsus-method/extension";

/**
 * A development-style platform (off-cluster registries over http, external storage, bundled
 * database; nothing that needs an invoke) with `extensions` workflow extensions, each with one or two
 * processing images and an installer, and one pipeline with an ingress per extension, spread over
 * `projects` project namespaces. The same size always gives the same config.
 */
export function syntheticConfig(size: BenchSize): PlatformConfig {
    const projectNames = Array.from({ length: size.projects }, (_, p) => `project-${pad(p)}`);
    const projects = Object.fromEntries(
        projectNames.map((name, p) => [name, { labels: { team: `team-${pad(p % 10)}` } }]),
    );
    const extensions = Array.from({ length: size.extensions }, (_, e) => {
        const name = `ext-${pad(e)}`;
        const images = Array.from({ length: 1 + (e % 2) }, (_, i) => ({
            name: `${name}-step-${i}`,
            context: PROCESSING_CONTEXT,
        }));
        return {
            name,
            version: `1.${e % 7}.0`,
            projectRegistry: "projects",
            serviceRegistry: "services",
            // Each extension serves the project its pipeline runs in, as a team's extension would.
            projects: [projectNames[e % size.projects]],
            processingImages: images,
            installer: { context: INSTALLER_CONTEXT },
        };
    });
    const pipelines = Array.from({ length: size.extensions }, (_, e) => ({
        name: `pipeline-${pad(e)}`,
        namespace: projectNames[e % size.projects],
        labels: { visibility: e % 3 === 0 ? "public" : "internal" },
        service: `pipeline-${pad(e)}`,
        port: 8080,
        tasks: [
            {
                task: "segment",
                service: `pipeline-${pad(e)}-segment`,
                port: 8080,
                replacePrefix: "/",
            },
        ],
    }));
    return {
        servicesNamespace: "pipeline-services",
        projects,
        registries: [
            {
                name: "projects",
                scope: "project",
                location: "off-cluster",
                url: "http://registry.bench.local:5000/projects",
                username: "bench",
                passwordConfigKey: "projectRegistryPassword",
            },
            {
                name: "services",
                scope: "service",
                location: "off-cluster",
                url: "http://registry.bench.local:5000/services",
                username: "bench",
                passwordConfigKey: "serviceRegistryPassword",
            },
        ],
        contour: { install: true, ingressClassName: "contour" },
        domains: {
            "internal.bench.local": {},
            "bench.example.org": { selector: { visibility: "public" } },
        },
        storage: {
            storages: {
                default: {
                    provider: "external",
                    endpoint: "http://minio.minio.svc:9000",
                    bucket: "pipelines",
                    accessKeyConfigKey: "storageAccessKey",
                    secretKeyConfigKey: "storageSecretKey",
                },
            },
        },
        airflow: {
            database: { bundled: true },
            dags: { size: "1Gi" },
            logsStorage: "default",
            ingress: { pipeline: "airflow" },
        },
        extensions,
        pipelines,
    };
}

/** The measured program: one PipelinePlatform from the synthetic config of `size`. */
export function benchProgram(size: BenchSize): () => unknown {
    const config = syntheticConfig(size);
    return () => new PipelinePlatform("bench", { config, secrets: SYNTHETIC_SECRETS });
}

function pad(n: number): string {
    return String(n).padStart(4, "0");
}
