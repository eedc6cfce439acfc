import type * as pulumi from "@pulumi/pulumi";
import { spawnSync } from "child_process";
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "crypto";
import {
    AirflowDeployment,
    FERNET_KEYS_ANNOTATION,
    type AirflowFernetKey,
} from "../../components/airflow";
import { defaultState, runProgram, type Registration } from "../../components/testing";

const BYTES = "random:index/randomBytes:RandomBytes";
const SECRET = "kubernetes:core/v1:Secret";

async function deploy(fernetKey?: AirflowFernetKey) {
    const result = await runProgram(
        () =>
            new AirflowDeployment("airflow", {
                namespace: "airflow",
                database: { bundled: true },
                projectNamespaces: ["imaging"],
                ...(fernetKey ? { fernetKey } : {}),
            }),
    );
    const find = (type: string, name: string) =>
        result.registrations.find((r) => r.type === type && r.name === name) as Registration;
    return {
        /** The Secret's `fernet-key`: Airflow's `fernet_key`. */
        fernetKey: find(SECRET, "airflow-fernet-key").inputs.stringData["fernet-key"] as string,
        bytes: (name: string) => find(BYTES, name),
        /** The annotation the release puts on every Airflow pod, if any. */
        podAnnotations: result.registrations.find((r) => r.type === "kubernetes:helm.sh/v3:Release")
            ?.inputs.values.airflowPodAnnotations,
        fernetBytes: result.registrations
            .filter((r) => r.type === BYTES && r.name.includes("fernet"))
            .map((r) => r.name)
            .sort(),
    };
}

/** The key the mock provider's bytes for that RandomBytes make: URL-safe base64 of 32 bytes. */
function keyOf(bytesName: string): string {
    const state = defaultState({
        type: BYTES,
        name: bytesName,
        inputs: { length: 32 },
    } as unknown as pulumi.runtime.MockResourceArgs) as { base64: string };
    return state.base64.replace(/\+/g, "-").replace(/\//g, "_");
}

describe("AirflowDeployment's fernet key", () => {
    test("is one generated key by default", async () => {
        const run = await deploy();
        expect(run.fernetKey).toBe(keyOf("airflow-fernet-key-bytes"));
        expect(run.fernetBytes).toEqual(["airflow-fernet-key-bytes"]);
        expect(run.podAnnotations).toBeUndefined();
    });

    test.each([
        [{ rotations: ["2025-06"] }, "2025-06,initial"],
        [{ rotations: ["2025-06", "2026-01"], retired: ["initial"] }, "2026-01,2025-06"],
    ])(
        "restarts the Airflow pods when the keys change, naming the keys in use: %j",
        async (fernetKey, names) => {
            const run = await deploy(fernetKey);
            expect(run.podAnnotations).toEqual({ [FERNET_KEYS_ANNOTATION]: names });
        },
    );

    test("rotates by prepending a new key: the old key follows it, its bytes unchanged under the same URN", async () => {
        const before = await deploy();
        const after = await deploy({ rotations: ["2025-06"] });
        expect(after.fernetKey).toBe(
            `${keyOf("airflow-fernet-key-bytes-2025-06")},${keyOf("airflow-fernet-key-bytes")}`,
        );
        const old = after.bytes("airflow-fernet-key-bytes");
        expect(old.urn).toBe(before.bytes("airflow-fernet-key-bytes").urn);
        expect(old.inputs).toEqual({ length: 32 });
        expect(old.inputs).toEqual(before.bytes("airflow-fernet-key-bytes").inputs);
        expect([
            old.retainOnDelete,
            after.bytes("airflow-fernet-key-bytes-2025-06").retainOnDelete,
        ]).toEqual([true, true]);
    });

    test("keeps every key, newest first, over several rotations", async () => {
        const run = await deploy({ rotations: ["2025-06", "2026-01"] });
        expect(run.fernetKey.split(",")).toEqual([
            keyOf("airflow-fernet-key-bytes-2026-01"),
            keyOf("airflow-fernet-key-bytes-2025-06"),
            keyOf("airflow-fernet-key-bytes"),
        ]);
    });

    test("drops a retired key from fernet_key but keeps its bytes", async () => {
        const run = await deploy({ rotations: ["2025-06"], retired: ["initial"] });
        expect(run.fernetKey).toBe(keyOf("airflow-fernet-key-bytes-2025-06"));
        expect(run.fernetBytes).toEqual([
            "airflow-fernet-key-bytes",
            "airflow-fernet-key-bytes-2025-06",
        ]);
        expect(run.bytes("airflow-fernet-key-bytes").retainOnDelete).toBe(true);
    });

    test("after a rotation, reads what the old key encrypted and encrypts with the new key, as Airflow's MultiFernet does", async () => {
        const { fernetKey } = await deploy({ rotations: ["2025-06"] });
        const oldKey = keyOf("airflow-fernet-key-bytes");
        const newKey = keyOf("airflow-fernet-key-bytes-2025-06");
        const check = multiFernetCheck(fernetKey, oldKey, "postgres-connection-password");
        expect(check).toEqual({
            readsOld: "postgres-connection-password",
            encryptsWith: newKey,
        });
    });
});

/**
 * Encrypts `plaintext` with `oldKey` alone, then, with every key of `fernetKeys` (comma-separated,
 * as Airflow's `fernet_key`), decrypts it and encrypts a new token: which single key reads that one
 * is the key that encrypts. With Python's `cryptography` (the library Airflow uses) when python3
 * has it, else with the Fernet token format (spec: github.com/fernet/spec) in Node.
 */
function multiFernetCheck(
    fernetKeys: string,
    oldKey: string,
    plaintext: string,
): { readsOld: string; encryptsWith: string } {
    const python = spawnSync(
        "python3",
        [
            "-c",
            [
                "import json, sys",
                "from cryptography.fernet import Fernet, MultiFernet",
                "keys, old, text = sys.argv[1:]",
                "token = Fernet(old.encode()).encrypt(text.encode())",
                "multi = MultiFernet([Fernet(k.encode()) for k in keys.split(',')])",
                "fresh = multi.encrypt(b'x')",
                "def reads(k):",
                "    try: return Fernet(k.encode()).decrypt(fresh) == b'x'",
                "    except Exception: return False",
                "print(json.dumps({'readsOld': multi.decrypt(token).decode(), 'encryptsWith': [k for k in keys.split(',') if reads(k)][0]}))",
            ].join("\n"),
            fernetKeys,
            oldKey,
            plaintext,
        ],
        { encoding: "utf8" },
    );
    if (python.status === 0) {
        return JSON.parse(python.stdout);
    }
    const keys = fernetKeys.split(",");
    const token = fernetEncrypt(oldKey, plaintext);
    const readsOld = keys.map((k) => fernetDecrypt(k, token)).find((t) => t !== undefined);
    const fresh = fernetEncrypt(keys[0], "x");
    return {
        readsOld: readsOld as string,
        encryptsWith: keys.find((k) => fernetDecrypt(k, fresh) === "x") as string,
    };
}

function fernetEncrypt(key: string, plaintext: string): string {
    const raw = Buffer.from(key, "base64url");
    const iv = randomBytes(16);
    const cipher = createCipheriv("aes-128-cbc", raw.subarray(16), iv);
    const time = Buffer.alloc(8);
    time.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000)));
    const body = Buffer.concat([
        Buffer.from([0x80]),
        time,
        iv,
        cipher.update(plaintext, "utf8"),
        cipher.final(),
    ]);
    const hmac = createHmac("sha256", raw.subarray(0, 16)).update(body).digest();
    return Buffer.concat([body, hmac]).toString("base64url");
}

function fernetDecrypt(key: string, token: string): string | undefined {
    const raw = Buffer.from(key, "base64url");
    const data = Buffer.from(token, "base64url");
    const body = data.subarray(0, data.length - 32);
    const hmac = createHmac("sha256", raw.subarray(0, 16)).update(body).digest();
    if (!hmac.equals(data.subarray(data.length - 32))) {
        return undefined;
    }
    const decipher = createDecipheriv("aes-128-cbc", raw.subarray(16), body.subarray(9, 25));
    return Buffer.concat([decipher.update(body.subarray(25)), decipher.final()]).toString("utf8");
}
