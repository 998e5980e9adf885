// `--config` keys checked against the project's declarations, with the nearest declared key for a typo.
import type { Project } from "../harness/project";
import { UsageError } from "./options";

/** Levenshtein distance, case-insensitive: how far a mistyped config key is from a declared one. */
function distance(a: string, b: string): number {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
    for (let i = 1; i <= x.length; i++) {
        const row = [i];
        for (let j = 1; j <= y.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
        prev = row;
    }
    return prev[y.length];
}

/**
 * `--config` keys in the project's own namespace must be declared in Pulumi.yaml (a typo would otherwise be
 * ignored silently and the run would judge the stack file's value). Other namespaces (`aws:`) are the providers'
 * and pass; a project that declares no config at all is not checked.
 */
export function checkDeclaredKeys(overrides: Record<string, string>, project: Project): void {
    const declared = Object.keys(project.config);
    if (declared.length === 0) return;
    const problems: string[] = [];
    for (const key of Object.keys(overrides)) {
        if (!key.startsWith(`${project.name}:`) || declared.includes(key)) continue;
        const closest = [...declared].sort((a, b) => distance(key, a) - distance(key, b) || a.localeCompare(b))[0];
        problems.push(`--config ${key}: not a config key of project "${project.name}" (not declared in Pulumi.yaml); did you mean ${closest}?`);
    }
    if (problems.length > 0) throw new UsageError(problems.join("\n  "));
}
