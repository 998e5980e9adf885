// The DR plan's numbers, one place each: the stack config's defaults and floors, the components' settings and the
// pack's policy defaults all read them from here. This folder ships with the pack, so it imports nothing outside it.

/** Daily recovery points (AWS Backup rules, RDS automated backups, the vault lock's floor) are kept at least 35 days. */
export const DAILY_RETENTION_FLOOR_DAYS = 35;
/** Weekly recovery points are kept a year. */
export const WEEKLY_RETENTION_FLOOR_DAYS = 365;
/** RDS keeps automated backups for at most 35 days; longer daily retention lives in AWS Backup only. */
export const RDS_MAX_BACKUP_RETENTION_DAYS = 35;
/** Retention of the automated backups replicated into the DR region (the plan's 35 days, RDS's maximum). */
export const REPLICATED_BACKUP_RETENTION_DAYS = 35;
/** S3 Replication Time Control: 15 minutes is the only value S3 accepts, and RTC requires metrics (docs/aws-facts.md). */
export const RTC_MINUTES = 15;
/** The failover bring-up objective the plan and the RTO policy judge by default. */
export const RTO_OBJECTIVE_MINUTES = 60;
/**
 * The DR plan's RTO, 4 hours: a drill's objective by default (its copy is a restore, with RDS's baseline backup) and
 * the ceiling of every RTO objective.
 */
export const DR_PLAN_RTO_MINUTES = 240;
/** The recovery point objective a drill's measured RPO is judged against. */
export const RPO_OBJECTIVE_MINUTES = 15;
/** Vault Lock compliance mode's grace period (AWS's changeableForDays) unless configured. */
export const VAULT_LOCK_GRACE_DAYS = 7;
/** A KMS key scheduled for deletion stays recoverable this long (AWS's maximum). */
export const KMS_DELETION_WINDOW_DAYS = 30;
