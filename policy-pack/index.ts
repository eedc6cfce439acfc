/**
 * The pipeline-platform policy pack's entry: `pulumi preview --policy-pack <this folder>` runs it
 * (built: `dist/policy-pack`). The policies are in `policies.ts`.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("pipeline-platform", {
    description:
        "The pipeline-platform package's guarantees, held for every resource of a stack: credentials only in Secrets, no wildcard RBAC, hardened pods, processing images by digest, protected stateful resources, HTTPProxies with an ingress class, labelled Namespaces.",
    policies: POLICIES,
});
