import { WorkloadIdentity, type WorkloadIdentityArgs } from "../../components/identity";
import { runProgram, type Registration } from "../../components/testing";

const OIDC =
    "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const ISSUER = "oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const serviceAccounts = [
    "airflow-scheduler",
    "airflow-worker",
    "airflow-api-server",
    "airflow-triggerer",
    "airflow-dag-processor",
];
const base = {
    namespace: "pipeline-services",
    serviceAccounts,
    bucket: "pipeline-platform-staging-logs",
    prefix: "airflow/logs",
};

async function identity(args: WorkloadIdentityArgs) {
    const result = await runProgram(() => {
        const id = new WorkloadIdentity("airflow-logs", args);
        return { annotations: id.annotations, principal: id.principal };
    });
    const byName = (name: string) =>
        (result.registrations.find((r) => r.name === name) as Registration).inputs;
    return { ...result, byName };
}

describe("WorkloadIdentity on AWS (IRSA)", () => {
    test("an IAM role only the five service accounts of this cluster may assume, with exactly list, get and put under the log prefix", async () => {
        const result = await identity({
            ...base,
            cloud: { provider: "aws", oidcProviderArn: OIDC },
        });
        expect(result.registrations.map((r) => [r.type, r.name]).sort()).toEqual([
            ["aws:iam/role:Role", "airflow-logs-role"],
            ["aws:iam/rolePolicy:RolePolicy", "airflow-logs-access"],
            ["pipeline-platform:identity:WorkloadIdentity", "airflow-logs"],
        ]);
        const role = result.byName("airflow-logs-role");
        expect(role.name).toBe("pipeline-platform-test-airflow-logs");
        expect(role.tags).toEqual({
            "managed-by": "pulumi",
            "part-of": "pipeline-platform",
            component: "identity",
        });
        expect(JSON.parse(role.assumeRolePolicy)).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ServiceAccountsOfThisCluster",
                    Effect: "Allow",
                    Principal: { Federated: OIDC },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            [`${ISSUER}:sub`]: [
                                "system:serviceaccount:pipeline-services:airflow-scheduler",
                                "system:serviceaccount:pipeline-services:airflow-worker",
                                "system:serviceaccount:pipeline-services:airflow-api-server",
                                "system:serviceaccount:pipeline-services:airflow-triggerer",
                                "system:serviceaccount:pipeline-services:airflow-dag-processor",
                            ],
                            [`${ISSUER}:aud`]: "sts.amazonaws.com",
                        },
                    },
                },
            ],
        });
        const access = result.byName("airflow-logs-access");
        expect(access.role).toBe("pipeline-platform-test-airflow-logs");
        expect(JSON.parse(access.policy)).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ListLogKeys",
                    Effect: "Allow",
                    Action: "s3:ListBucket",
                    Resource: "arn:aws:s3:::pipeline-platform-staging-logs",
                    Condition: { StringLike: { "s3:prefix": ["airflow/logs/*"] } },
                },
                {
                    Sid: "ReadWriteLogs",
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:PutObject"],
                    Resource: "arn:aws:s3:::pipeline-platform-staging-logs/airflow/logs/*",
                },
            ],
        });
        const arn = "arn:aws:iam::123456789012:role/pipeline-platform-test-airflow-logs";
        expect(result.outputs).toEqual({
            annotations: { "eks.amazonaws.com/role-arn": arn },
            principal: arn,
        });
    });

    test.each([
        [
            "a GovCloud provider",
            "arn:aws-us-gov:iam::123456789012:oidc-provider/oidc.eks.us-gov-west-1.amazonaws.com/id/ABC",
            "arn:aws-us-gov:iam::123456789012:role/airflow-logs",
            "arn:aws-us-gov:s3:::pipeline-platform-staging-logs",
        ],
        [
            "a China provider",
            "arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC",
            "arn:aws-cn:iam::123456789012:role/airflow-logs",
            "arn:aws-cn:s3:::pipeline-platform-staging-logs",
        ],
    ])("takes the partition from %s", async (_title, oidcProviderArn, roleArn, bucketArn) => {
        const result = await identity({
            ...base,
            cloud: { provider: "aws", oidcProviderArn, roleName: "airflow-logs" },
        });
        expect(result.outputs.principal).toBe(roleArn);
        const policy = JSON.parse(result.byName("airflow-logs-access").policy);
        expect(policy.Statement.map((s: { Resource: string }) => s.Resource)).toEqual([
            bucketArn,
            `${bucketArn}/airflow/logs/*`,
        ]);
    });
});

describe("WorkloadIdentity on GCP (GKE Workload Identity)", () => {
    test("a Google service account each Kubernetes service account may act as, object admin on the log bucket only", async () => {
        const result = await identity({
            ...base,
            bucket: "pipeline-platform-prod-logs",
            cloud: {
                provider: "gcp",
                project: "pipeline-platform-prod",
                accountId: "airflow-logs",
            },
        });
        expect(result.registrations.map((r) => [r.type, r.name]).sort()).toEqual([
            ["gcp:serviceaccount/account:Account", "airflow-logs-account"],
            ["gcp:serviceaccount/iAMMember:IAMMember", "airflow-logs-user-airflow-api-server"],
            ["gcp:serviceaccount/iAMMember:IAMMember", "airflow-logs-user-airflow-dag-processor"],
            ["gcp:serviceaccount/iAMMember:IAMMember", "airflow-logs-user-airflow-scheduler"],
            ["gcp:serviceaccount/iAMMember:IAMMember", "airflow-logs-user-airflow-triggerer"],
            ["gcp:serviceaccount/iAMMember:IAMMember", "airflow-logs-user-airflow-worker"],
            ["gcp:storage/bucketIAMMember:BucketIAMMember", "airflow-logs-objects"],
            ["pipeline-platform:identity:WorkloadIdentity", "airflow-logs"],
        ]);
        const email = "airflow-logs@pipeline-platform-prod.iam.gserviceaccount.com";
        expect(result.byName("airflow-logs-account")).toEqual({
            accountId: "airflow-logs",
            project: "pipeline-platform-prod",
            displayName: "pipeline-services: gs://pipeline-platform-prod-logs/airflow/logs/",
        });
        for (const sa of serviceAccounts) {
            expect(result.byName(`airflow-logs-user-${sa}`)).toEqual({
                serviceAccountId: `projects/pipeline-platform-prod/serviceAccounts/${email}`,
                role: "roles/iam.workloadIdentityUser",
                member: `serviceAccount:pipeline-platform-prod.svc.id.goog[pipeline-services/${sa}]`,
            });
        }
        expect(result.byName("airflow-logs-objects")).toEqual({
            bucket: "pipeline-platform-prod-logs",
            role: "roles/storage.objectAdmin",
            member: `serviceAccount:${email}`,
        });
        expect(result.outputs).toEqual({
            annotations: { "iam.gke.io/gcp-service-account": email },
            principal: email,
        });
    });

    test("derives a valid account id from the name, the same every run", async () => {
        const result = await identity({
            ...base,
            cloud: { provider: "gcp", project: "pipeline-platform-prod" },
        });
        const { accountId } = result.byName("airflow-logs-account");
        expect(accountId).toMatch(/^airflow-logs-[0-9a-f]{7}$/);
        expect(accountId).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
        const again = await identity({
            ...base,
            cloud: { provider: "gcp", project: "pipeline-platform-prod" },
        });
        expect(again.byName("airflow-logs-account").accountId).toBe(accountId);
    });
});
