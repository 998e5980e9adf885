// The DR plan's thresholds: config-schema defaults and floors (the engine rejects config below a floor).
export const FLOORS = {
    /** Daily backups and RDS automated backups: 35 days (DR plan v2.0, "35-day retention"). */
    retentionDays: 35,
    /** Weekly backups: kept one year. */
    weeklyRetentionDays: 365,
    /** S3 Replication Time Control: 15 minutes, the only value S3 accepts. */
    replicationTimeMinutes: 15,
} as const;

export const retentionDaysSchema = {
    type: "integer" as const, default: FLOORS.retentionDays, minimum: FLOORS.retentionDays,
    description: `Minimum retention in days (floor ${FLOORS.retentionDays}).`,
};
