import { invalidInput, joinPath } from "../core";
import type { PlatformConfig } from "./config";

/** A claim the platform plans: where its config is, its class and the modes it asks for. */
interface PlannedClaim {
    /** Config path of the claim's settings, e.g. `config.airflow.dags`. */
    path: string;
    what: string;
    storageClassName?: string;
    /** The modes as configured; undefined when the default applies. */
    accessModes?: string[];
    defaultModes: string[];
}

/**
 * Refuses a claim the platform plans whose access mode the storage class's provisioner does not
 * bind, as `prerequisites.storageClassAccessModes` declares (a ReadWriteMany claim on kind's
 * local-path class stays Pending, and so does everything that mounts it). A class in
 * `storageClassAccessModes` must be one of `prerequisites.storageClasses`.
 */
export function checkClaimAccessModes(config: PlatformConfig): void {
    const prerequisites = config.prerequisites ?? {};
    const bound = prerequisites.storageClassAccessModes ?? {};
    const classes = prerequisites.storageClasses ?? [];
    for (const name of Object.keys(bound)) {
        if (!classes.includes(name)) {
            invalidInput({
                path: joinPath("config.prerequisites.storageClassAccessModes", name),
                given: name,
                expected: `a storage class listed in prerequisites.storageClasses (${classes.length > 0 ? classes.join(", ") : "none is"})`,
                example: `storageClasses: ["${name}"]`,
            });
        }
    }
    const volume = config.airflow.runConfig?.volume;
    const claims: PlannedClaim[] = [
        {
            path: "config.airflow.dags",
            what: "the DAG claim",
            storageClassName: config.airflow.dags?.storageClassName,
            accessModes: config.airflow.dags?.accessModes,
            defaultModes: ["ReadWriteMany"],
        },
        ...(volume === undefined || volume.disabled === true
            ? []
            : [
                  {
                      path: "config.airflow.runConfig.volume",
                      what: "the per-run data claim",
                      storageClassName: volume.storageClassName,
                      accessModes: volume.accessModes,
                      defaultModes: ["ReadWriteOnce"],
                  },
              ]),
    ];
    for (const claim of claims) {
        const modes =
            claim.storageClassName === undefined
                ? undefined
                : Object.prototype.hasOwnProperty.call(bound, claim.storageClassName)
                  ? bound[claim.storageClassName]
                  : undefined;
        if (modes === undefined) {
            continue;
        }
        const asked = claim.accessModes ?? claim.defaultModes;
        const i = asked.findIndex((mode) => !(modes as string[]).includes(mode));
        if (i !== -1) {
            const path = joinPath(claim.path, "accessModes");
            invalidInput({
                path: claim.accessModes === undefined ? path : joinPath(path, i),
                given: claim.accessModes === undefined ? asked : asked[i],
                expected: `access modes the storage class "${claim.storageClassName}" binds (${modes.join(", ")}, as prerequisites.storageClassAccessModes declares): ${claim.what} would ask for ${asked[i]}${claim.accessModes === undefined ? " (the default)" : ""} and stay Pending, and every pod that mounts it with it`,
                example: JSON.stringify(modes),
            });
        }
    }
}
