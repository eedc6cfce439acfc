import * as pulumi from "@pulumi/pulumi";
import type { InvokeMock } from "../../components/testing";

/**
 * The data sources stacks read, answered offline. One table: any invoke not listed still fails the
 * render, as it would fail a test.
 */
export const STACK_INVOKES: Record<string, InvokeMock> = {
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        id: "123456789012",
        accountId: "123456789012",
        arn: "arn:aws:iam::123456789012:user/render",
        userId: "AIDARENDER",
    }),
    "aws:index/getRegion:getRegion": (inputs) => {
        const region =
            inputs.region ?? inputs.name ?? new pulumi.Config("aws").get("region") ?? "us-east-1";
        return {
            id: region,
            name: region,
            region,
            description: region,
            endpoint: `ec2.${region}.amazonaws.com`,
        };
    },
    "aws:index/getPartition:getPartition": () => ({
        id: "aws",
        partition: "aws",
        dnsSuffix: "amazonaws.com",
        reverseDnsPrefix: "com.amazonaws",
    }),
    "aws:iam/getPolicyDocument:getPolicyDocument": (inputs) => {
        const json = JSON.stringify({
            Version: "2012-10-17",
            Statement: ((inputs.statements ?? []) as PolicyStatementInputs[]).map(policyStatement),
        });
        return { id: json, json, minifiedJson: json };
    },
    // Push tokens are short-lived credentials: the render answers with marked placeholders, so a
    // leak of one into a manifest or a file is caught like any other secret.
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": (inputs) => {
        const registryId = inputs.registryId ?? "123456789012";
        const region = inputs.region ?? new pulumi.Config("aws").get("region") ?? "us-east-1";
        const password = "[secret:ecr-authorization-token]";
        return {
            id: region,
            registryId,
            region,
            userName: "AWS",
            password,
            authorizationToken: Buffer.from(`AWS:${password}`).toString("base64"),
            proxyEndpoint: `https://${registryId}.dkr.ecr.${region}.amazonaws.com`,
            expiresAt: "2000-01-01T12:00:00Z",
        };
    },
    "gcp:organizations/getClientConfig:getClientConfig": () => {
        const gcp = new pulumi.Config("gcp");
        return {
            id: "render",
            project: gcp.get("project") ?? "render-project",
            region: gcp.get("region") ?? "europe-west4",
            zone: gcp.get("zone") ?? "",
            accessToken: "[secret:gcp-access-token]",
        };
    },
    "gcp:organizations/getProject:getProject": (inputs) => {
        const projectId =
            inputs.projectId ?? new pulumi.Config("gcp").get("project") ?? "render-project";
        return { id: `projects/${projectId}`, projectId, name: projectId, number: "123456789012" };
    },
};

/** One statement of `aws.iam.getPolicyDocument`'s inputs (the SDK's argument names). */
interface PolicyStatementInputs {
    sid?: string;
    effect?: string;
    actions?: string[];
    notActions?: string[];
    resources?: string[];
    notResources?: string[];
    principals?: Array<{ type: string; identifiers: string[] }>;
    conditions?: Array<{ test: string; variable: string; values: string[] }>;
}

function policyStatement(s: PolicyStatementInputs): Record<string, unknown> {
    const principals = (list: PolicyStatementInputs["principals"]) =>
        list &&
        Object.fromEntries(
            list.map((p) => [
                p.type,
                p.identifiers.length === 1 ? p.identifiers[0] : p.identifiers,
            ]),
        );
    const statement: Record<string, unknown> = {
        Sid: s.sid,
        Effect: s.effect ?? "Allow",
        Action: s.actions,
        NotAction: s.notActions,
        Resource: s.resources,
        NotResource: s.notResources,
        Principal: principals(s.principals),
        Condition:
            s.conditions &&
            Object.fromEntries(s.conditions.map((c) => [c.test, { [c.variable]: c.values }])),
    };
    return Object.fromEntries(Object.entries(statement).filter(([, v]) => v !== undefined));
}
