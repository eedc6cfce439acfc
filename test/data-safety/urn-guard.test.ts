import { S3Storage } from "../../components/storage";
import {
    aliasUrns,
    checkUrnInventory,
    runProgram,
    urnInventory,
    type RecordedAlias,
    type Registration,
} from "../../components/testing";

const PLATFORM = "pipeline-platform:platform:PipelinePlatform";
const STORAGE = "pipeline-platform:storage:S3Storage";
const BUCKET = "gcp:storage/bucket:Bucket";
const PREFIX = "urn:pulumi:prod::pipeline-platform::";

/** One registration of a synthetic run; `parent` is the parent's registration. */
function registration(
    type: string,
    name: string,
    parent?: Registration,
    aliases: RecordedAlias[] = [],
): Registration {
    const chain = parent ? `${parent.urn.slice(PREFIX.length, parent.urn.lastIndexOf("::"))}$` : "";
    return {
        type,
        name,
        urn: `${PREFIX}${chain}${type}::${name}`,
        parent: parent?.urn,
        custom: !type.startsWith("pipeline-platform:"),
        inputs: {},
        secretPaths: [],
        dependencies: [],
        retainOnDelete: false,
        protect: false,
        replaceOnChanges: [],
        deleteBeforeReplace: false,
        aliases,
    };
}

/**
 * A platform "platform" with its storage "platform-storage" and that storage's bucket
 * "platform-storage-default-bucket", as `PipelinePlatform` names them; each part can be changed.
 */
function run(
    change: {
        platform?: string;
        platformAliases?: RecordedAlias[];
        storageType?: string;
        storageAliases?: RecordedAlias[];
        bucket?: string;
        bucketAliases?: RecordedAlias[];
        withBucket?: boolean;
        extraBucket?: boolean;
    } = {},
): Registration[] {
    const platformName = change.platform ?? "platform";
    const platform = registration(PLATFORM, platformName, undefined, change.platformAliases);
    const storage = registration(
        change.storageType ?? STORAGE,
        `${platformName}-storage`,
        platform,
        change.storageAliases,
    );
    const bucket = registration(
        BUCKET,
        change.bucket ?? `${platformName}-storage-default-bucket`,
        storage,
        change.bucketAliases,
    );
    return [
        platform,
        storage,
        ...(change.withBucket === false ? [] : [bucket]),
        ...(change.extraBucket
            ? [registration(BUCKET, `${platformName}-storage-logs-bucket`, storage)]
            : []),
    ];
}

const recorded = urnInventory(run());

describe("the URN inventory of a run", () => {
    test("records each resource that holds data with its kind and parent chain", () => {
        expect(recorded).toEqual([
            {
                kind: "gcs-bucket",
                urn: `${PREFIX}${PLATFORM}$${STORAGE}$${BUCKET}::platform-storage-default-bucket`,
                parents: [`${PLATFORM} platform`, `${STORAGE} platform-storage`],
            },
        ]);
    });
});

describe("checkUrnInventory", () => {
    test("agrees with the run it was recorded from", () => {
        expect(checkUrnInventory(recorded, run())).toEqual([]);
    });

    test.each([
        [
            "a renamed platform (the bucket's name follows it)",
            { platform: "data" },
            `gcs-bucket ${PREFIX}${PLATFORM}$${STORAGE}$${BUCKET}::platform-storage-default-bucket (the pipelines' objects (data and task logs) in the Cloud Storage bucket) is now ${PREFIX}${PLATFORM}$${STORAGE}$${BUCKET}::data-storage-default-bucket: Pulumi would create a new one and delete the old (or forget it, with retainOnDelete). Keep its identity: give ${PLATFORM} "data" \`aliases: [{ name: "platform" }]\` (its children's names follow it), or ${BUCKET} "data-storage-default-bucket" itself \`aliases: [{ name: "platform-storage-default-bucket" }]\`; if the change is deliberate, record the new inventory.`,
            { platform: "data", platformAliases: [{ name: "platform" }] },
        ],
        [
            "a renamed bucket",
            { bucket: "platform-storage-data-bucket" },
            `gcs-bucket ${PREFIX}${PLATFORM}$${STORAGE}$${BUCKET}::platform-storage-default-bucket (the pipelines' objects (data and task logs) in the Cloud Storage bucket) is now ${PREFIX}${PLATFORM}$${STORAGE}$${BUCKET}::platform-storage-data-bucket: Pulumi would create a new one and delete the old (or forget it, with retainOnDelete). Keep its identity: give ${BUCKET} "platform-storage-data-bucket" \`aliases: [{ name: "platform-storage-default-bucket" }]\`; if the change is deliberate, record the new inventory.`,
            {
                bucket: "platform-storage-data-bucket",
                bucketAliases: [{ name: "platform-storage-default-bucket" }],
            },
        ],
        [
            "a new type token of the storage component",
            { storageType: "pipeline-platform:data:S3Storage" },
            `gcs-bucket ${PREFIX}${PLATFORM}$${STORAGE}$${BUCKET}::platform-storage-default-bucket (the pipelines' objects (data and task logs) in the Cloud Storage bucket) is now ${PREFIX}${PLATFORM}$pipeline-platform:data:S3Storage$${BUCKET}::platform-storage-default-bucket: Pulumi would create a new one and delete the old (or forget it, with retainOnDelete). Keep its identity: give pipeline-platform:data:S3Storage "platform-storage" \`aliases: [{ type: "${STORAGE}" }]\` (a component's type token is part of every child's URN); if the change is deliberate, record the new inventory.`,
            {
                storageType: "pipeline-platform:data:S3Storage",
                storageAliases: [{ type: STORAGE }],
            },
        ],
    ])(
        "fails on %s, naming the alias, and passes once it is added",
        (_case, change, message, fixed) => {
            expect(checkUrnInventory(recorded, run(change))).toEqual([message]);
            expect(checkUrnInventory(recorded, run(fixed))).toEqual([]);
        },
    );

    test("fails when a recorded resource is gone, saying how to alias it or record its removal", () => {
        expect(
            checkUrnInventory(recorded, run({ withBucket: false }), "run UPDATE=1 npm test"),
        ).toEqual([
            `gcs-bucket ${PREFIX}${PLATFORM}$${STORAGE}$${BUCKET}::platform-storage-default-bucket (the pipelines' objects (data and task logs) in the Cloud Storage bucket) is no longer registered: Pulumi would delete it, or with retainOnDelete forget it and leave it unmanaged. If it moved, give its new registration \`aliases: [{ name: "platform-storage-default-bucket" }]\` (or a parent or type alias, see README "Data safety"); if it is removed on purpose, run UPDATE=1 npm test.`,
        ]);
    });

    test("fails when a resource that holds data is not recorded", () => {
        expect(checkUrnInventory(recorded, run({ extraBucket: true }))).toEqual([
            `gcs-bucket ${PREFIX}${PLATFORM}$${STORAGE}$${BUCKET}::platform-storage-logs-bucket holds data and is not in the inventory: record the new inventory so a later rename of it is caught.`,
        ]);
    });
});

describe("aliasUrns", () => {
    test("resolves a component's alias for its children as the engine does, with the real SDK's aliases", async () => {
        const storages = {
            default: { provider: "gcp" as const, location: "EU", bucket: "b-data" },
        };
        const before = await runProgram(() => new S3Storage("storage", { storages }), {
            stack: "prod",
        });
        const after = await runProgram(
            () => new S3Storage("data", { storages }, { aliases: [{ name: "storage" }] }),
            { stack: "prod" },
        );
        const bucket = after.registrations.find((r) => r.type === BUCKET) as Registration;
        expect(aliasUrns(after.registrations).get(bucket.urn)).toEqual([
            `${PREFIX}${STORAGE}$${BUCKET}::storage-default-bucket`,
        ]);
        expect(checkUrnInventory(urnInventory(before.registrations), after.registrations)).toEqual(
            [],
        );
    });
});
