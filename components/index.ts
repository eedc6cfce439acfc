/**
 * pipeline-platform: Pulumi components for a Kubernetes data-pipeline platform. Everything a user
 * imports comes from here; the mock engine for tests is `pipeline-platform/testing`.
 */
export * from "./core";
export * from "./registry";
export * from "./images";
export * from "./dags";
export * from "./ingress";
export * from "./storage";
export * from "./airflow";
export * from "./platform";
