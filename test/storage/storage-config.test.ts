import {
    airflowConnectionUri,
    bucketNameProblems,
    bucketPolicy,
    storageSecretName,
} from "../../components/storage/storage-config";

describe("bucketNameProblems", () => {
    test.each([
        ["pipelines", "aws"],
        ["acme.pipelines-2", "aws"],
        ["abc", "gcp"],
        ["a".repeat(63), "external"],
    ] as const)("accepts %s for %s", (name, provider) => {
        expect(bucketNameProblems(name, provider)).toEqual([]);
    });

    test.each([
        ["ab", "aws", "must be 3 to 63 characters (has 2)"],
        ["a".repeat(64), "aws", "must be 3 to 63 characters (has 64)"],
        [
            "Pipelines",
            "aws",
            "must consist of lower-case letters, digits, '.' and '-', and start and end with a letter or digit",
        ],
        [
            "pipelines-",
            "aws",
            "must consist of lower-case letters, digits, '.' and '-', and start and end with a letter or digit",
        ],
        [
            "pipe_lines",
            "external",
            "must consist of lower-case letters, digits, '.' and '-', and start and end with a letter or digit",
        ],
        ["acme..pipelines", "aws", "must not contain '..'"],
        ["192.168.5.4", "external", "must not look like an IP address"],
        [
            "xn--pipelines",
            "aws",
            "must not use a prefix or suffix AWS reserves (xn--, sthree-, -s3alias, --ol-s3)",
        ],
        [
            "pipelines-s3alias",
            "aws",
            "must not use a prefix or suffix AWS reserves (xn--, sthree-, -s3alias, --ol-s3)",
        ],
        [
            "google-pipelines",
            "gcp",
            "must not start with 'goog' or contain 'google' (Cloud Storage rule)",
        ],
    ] as const)("rejects %s for %s", (name, provider, problem) => {
        expect(bucketNameProblems(name, provider)).toEqual([problem]);
    });
});

describe("storageSecretName", () => {
    test.each([
        ["default", "koalja-s3-default-secrets"],
        ["archive", "koalja-s3-archive-secrets"],
    ])("names the Secret of %s %s", (storage, expected) => {
        expect(storageSecretName(storage)).toBe(expected);
    });
});

describe("bucketPolicy", () => {
    test("allows listing the one bucket and object access inside it, nothing else", () => {
        const policy = JSON.parse(bucketPolicy("arn:aws:s3:::pipelines"));
        expect(policy).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ListBucket",
                    Effect: "Allow",
                    Action: ["s3:ListBucket", "s3:GetBucketLocation"],
                    Resource: "arn:aws:s3:::pipelines",
                },
                {
                    Sid: "ReadWriteObjects",
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    Resource: "arn:aws:s3:::pipelines/*",
                },
            ],
        });
    });
});

describe("airflowConnectionUri", () => {
    test("URL-encodes keys, endpoint and region into an aws connection", () => {
        expect(
            airflowConnectionUri("AK+1", "s/k:@", {
                endpoint: "http://minio.storage:9000",
                secure: false,
                region: "us-east-1",
            }),
        ).toBe(
            "aws://AK%2B1:s%2Fk%3A%40@/?endpoint_url=http%3A%2F%2Fminio.storage%3A9000&region_name=us-east-1",
        );
    });
});
