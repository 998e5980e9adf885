// The project's marker tags: the program sets them, the pack and the bring-up model read them.

export const TAGS = {
    /** `kept`: a resource the DR stack keeps in standby (the bring-up model counts everything else as created). */
    standby: "vbr:standby",
    /** `destination`: a replica of another stack's bucket. */
    replication: "vbr:replication",
    /** The bucket's data class: a data bucket's name (`documents`), or `access-logs`. */
    dataClass: "vbr:data-class",
    /** `drill`: a drill's disposable database copy. */
    lifecycle: "vbr:lifecycle",
    /** `deferred`: a restored database whose backups the runbook turns on after bring-up. */
    backups: "vbr:backups",
    /** The data class a KMS key encrypts. */
    keyClass: "vbr:key-class",
    /** The backup rule that made a recovery point. */
    backupRule: "vbr:backup-rule",
} as const;

export const STANDBY_KEPT = "kept";
export const REPLICATION_DESTINATION = "destination";
export const ACCESS_LOGS = "access-logs";
export const LIFECYCLE_DRILL = "drill";
export const BACKUPS_DEFERRED = "deferred";
