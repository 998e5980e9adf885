// The violations table of the Markdown report (a pull-request comment). A message that names resources by URN (the
// RTO policy's critical path holds five) shows their names in the table cell, which stays readable, and links to
// the full message below the table, where the URNs are intact.
import { mdCell, mdCode, ReportViolation, urnName } from "./report";

/** A full Pulumi URN inside free text: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
const URN_IN_TEXT = /urn:pulumi:[^\s,;()<>`]+::[^\s,;()<>`]+/g;

/** `text` with every URN replaced by its resource name; how many were replaced. */
export function withNames(text: string): { text: string; replaced: number } {
    let replaced = 0;
    const out = text.replace(URN_IN_TEXT, (urn) => { replaced++; return urnName(urn); });
    return { text: out, replaced };
}

/** An HTML id GitHub keeps (it prefixes `user-content-` and resolves `#<id>` links to it). */
export const anchorId = (stack: string, index: number): string => `plan-${stack.replace(/[^A-Za-z0-9-]/g, "-")}-violation-${index + 1}`;

/** The table's rows and, for the messages shortened in it, their full text below it (empty when none was). */
export function violationTable(stack: string, violations: ReportViolation[]): { rows: string[]; details: string[] } {
    const rows = ["| Level | Policy | Resource | Message | Found in |", "|---|---|---|---|---|"];
    const details: string[] = [];
    violations.forEach((v, i) => {
        const short = withNames(v.message);
        const link = short.replaced > 0 ? `<br>[Full message with the ${short.replaced} URNs](#${anchorId(stack, i)})` : "";
        rows.push(`| ${v.enforcementLevel === "mandatory" ? "🔴 mandatory" : "🟡 advisory"} | ${mdCode(v.policy)} | ${mdCode(urnName(v.urn))} | ` +
            `${mdCell(short.text)}${link} | ${v.foundIn.join(", ")} |`);
        if (short.replaced > 0) {
            details.push("", `<a id="${anchorId(stack, i)}"></a>\`${v.policy}\` on \`${urnName(v.urn)}\`, the full message:`, "", "```", ...v.message.split("\n"), "```");
        }
    });
    return { rows, details };
}
