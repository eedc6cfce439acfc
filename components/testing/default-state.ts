import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

/** Deterministic bytes for a resource: same type and name, same bytes, every run. */
function fakeBytes(seed: string, length: number): Buffer {
    const chunks: Buffer[] = [];
    for (let i = 0; chunks.length * 32 < length; i++) {
        chunks.push(createHash("sha256").update(`${seed}#${i}`).digest());
    }
    return Buffer.concat(chunks).subarray(0, length);
}

/**
 * The outputs a provider computes for the resource types this package registers, made up
 * deterministically from the type and name so two evaluations agree. Inputs pass through as state.
 */
export function defaultState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    const seed = `${args.type}::${args.name}`;
    const inputs: StateInputs = args.inputs ?? {};
    const computed = COMPUTED[args.type]?.(seed, inputs) ?? {};
    return { ...inputs, ...computed };
}

/** The inputs the computed outputs derive from; a resource may leave any of them out. */
interface StateInputs {
    length?: number;
    imageName?: unknown;
    bucket?: string;
    name?: string;
    accountId?: string;
    project?: string;
}

const COMPUTED: Record<string, (seed: string, inputs: StateInputs) => Record<string, unknown>> = {
    "random:index/randomBytes:RandomBytes": (seed, inputs) => {
        const bytes = fakeBytes(seed, inputs.length ?? 32);
        return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
    },
    "random:index/randomPassword:RandomPassword": (seed, inputs) => ({
        result: fakeBytes(seed, inputs.length ?? 32)
            .toString("hex")
            .slice(0, inputs.length ?? 32),
    }),
    "docker:index/image:Image": (seed, inputs) => ({
        repoDigest: `${String(inputs.imageName).replace(/:[^:/]+$/, "")}@sha256:${fakeBytes(seed, 32).toString("hex")}`,
    }),
    "aws:iam/accessKey:AccessKey": (seed) => ({
        id: `AKIA${fakeBytes(seed, 8).toString("hex").toUpperCase()}`,
        secret: fakeBytes(`${seed}/secret`, 30).toString("base64"),
    }),
    "aws:s3/bucketV2:BucketV2": (_seed, inputs) => ({ arn: `arn:aws:s3:::${inputs.bucket}` }),
    "aws:s3/bucket:Bucket": (_seed, inputs) => ({ arn: `arn:aws:s3:::${inputs.bucket}` }),
    "aws:ecr/repository:Repository": (seed, inputs) => ({
        repositoryUrl: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${inputs.name ?? seed}`,
    }),
    "gcp:serviceaccount/account:Account": (_seed, inputs) => {
        const email = `${inputs.accountId}@${inputs.project ?? "example-project"}.iam.gserviceaccount.com`;
        return {
            email,
            name: `projects/${inputs.project ?? "example-project"}/serviceAccounts/${email}`,
        };
    },
    "gcp:storage/hmacKey:HmacKey": (seed) => ({
        accessId: `GOOG1E${fakeBytes(seed, 12).toString("hex").toUpperCase()}`,
        secret: fakeBytes(`${seed}/secret`, 30).toString("base64"),
    }),
};
