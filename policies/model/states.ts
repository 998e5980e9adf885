// The roles a stack plays and the states the DR stack moves through: the values the stack config accepts.

/** `primary` serves traffic; `dr` holds the pilot light in the peer region. */
export const ROLES = ["primary", "dr"] as const;
/** What the DR stack runs: standby (pilot light), drill (its own copy, its own name) or failover (serves). */
export const DR_STATES = ["standby", "drill", "failover"] as const;
/** How an active DR stack gets a writable database: promote the read replica, or restore the replicated backups. */
export const DR_DATABASE_MODES = ["replica", "restore"] as const;
/**
 * What the primary stack does: serve (the default), or recover after a failover, rebuilding its data tier as copies of
 * the DR stack's serving data while it takes no traffic (the failback).
 */
export const PRIMARY_STATES = ["serving", "recovering"] as const;
/** Backup Vault Lock modes: governance (removable by an administrator) or compliance (immutable after the grace period). */
export const VAULT_LOCK_MODES = ["governance", "compliance"] as const;

export type Role = (typeof ROLES)[number];
export type DrState = (typeof DR_STATES)[number];
export type PrimaryState = (typeof PRIMARY_STATES)[number];
export type DrDatabaseMode = (typeof DR_DATABASE_MODES)[number];
export type VaultLockMode = (typeof VAULT_LOCK_MODES)[number];

/** True when the stack runs the application tier: the primary always, the DR stack in drill or failover. */
export function isActive(stack: { role: Role; drState: DrState }): boolean {
    return stack.role === "primary" || stack.drState !== "standby";
}
