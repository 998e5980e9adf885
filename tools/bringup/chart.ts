// The DR bring-up as an SVG Gantt chart: one bar per resource, the critical path highlighted, the objective as a line.
import type { BringUpScenario, TimelineEntry } from "./bringup-report";

const ROW = 20;
const LABEL_WIDTH = 380;
const PLOT_WIDTH = 760;
const TOP = 78;
const BOTTOM = 64;
const RIGHT = 40;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const shortType = (type: string) => type.split(":").pop() ?? type;
const shortName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** A tick step in minutes that gives 6-14 ticks over the range. */
function tickStep(maxMinutes: number): number {
    for (const step of [1, 2, 5, 10, 15, 30, 60, 120]) if (maxMinutes / step <= 14) return step;
    return 240;
}

function label(e: TimelineEntry): string {
    const text = `${shortType(e.type)} ${shortName(e.urn)}`;
    return text.length > 52 ? `${text.slice(0, 51)}…` : text;
}

/** Renders a scenario's timeline (p90 schedule) as a standalone SVG document. */
export function renderGantt(s: BringUpScenario, title = `DR bring-up: ${s.state} with the ${s.database} database`): string {
    const rows = [...s.timeline].sort((a, b) => a.start - b.start || a.finish - b.finish);
    const totalMin = s.p90Minutes;
    const maxMin = Math.max(totalMin, s.objectiveMinutes, s.dnsServesMinutes?.p90 ?? 0) * 1.05 || 1;
    const step = tickStep(maxMin);
    const axisMax = Math.ceil(maxMin / step) * step;
    const x = (seconds: number) => LABEL_WIDTH + (seconds / 60 / axisMax) * PLOT_WIDTH;
    const xm = (minutes: number) => x(minutes * 60);
    const height = TOP + rows.length * ROW + BOTTOM;
    const width = LABEL_WIDTH + PLOT_WIDTH + RIGHT;
    const plotBottom = TOP + rows.length * ROW;
    const out: string[] = [];
    out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
    out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
    const over = s.p90Minutes > s.objectiveMinutes;
    out.push(`<text x="16" y="26" font-size="17" font-weight="bold" fill="#1a1a1a">${esc(title)}</text>`);
    out.push(`<text x="16" y="48" fill="${over ? "#b00020" : "#1b5e20"}">p90 ${s.p90Minutes.toFixed(1)} min, p50 ${s.p50Minutes.toFixed(1)} min against a ${s.objectiveMinutes} min objective (${over ? "OVER" : "within"}); ` +
        `${s.resources} resources, parallel ${s.parallel}${s.dnsServesMinutes ? `; DNS serves at p90 ${s.dnsServesMinutes.p90.toFixed(1)} min` : ""}</text>`);
    // Legend.
    out.push(`<rect x="16" y="58" width="14" height="10" fill="#d84315"/><text x="36" y="67">critical path (p90)</text>`);
    out.push(`<rect x="160" y="58" width="14" height="10" fill="#90a4ae"/><text x="180" y="67">other resources (p90)</text>`);
    out.push(`<rect x="330" y="61" width="14" height="4" fill="#263238"/><text x="350" y="67">p50 duration</text>`);
    // Grid and axis.
    for (let m = 0; m <= axisMax; m += step) {
        out.push(`<line x1="${xm(m)}" y1="${TOP - 4}" x2="${xm(m)}" y2="${plotBottom}" stroke="#eceff1"/>`);
        out.push(`<text x="${xm(m)}" y="${plotBottom + 16}" text-anchor="middle" fill="#455a64">${m}</text>`);
    }
    out.push(`<line x1="${LABEL_WIDTH}" y1="${plotBottom}" x2="${LABEL_WIDTH + PLOT_WIDTH}" y2="${plotBottom}" stroke="#455a64"/>`);
    out.push(`<text x="${LABEL_WIDTH + PLOT_WIDTH / 2}" y="${plotBottom + 36}" text-anchor="middle" fill="#455a64">minutes since the start of pulumi up</text>`);
    // Bars.
    rows.forEach((e, i) => {
        const y = TOP + i * ROW;
        if (i % 2 === 0) out.push(`<rect x="0" y="${y}" width="${width}" height="${ROW}" fill="#fafafa"/>`);
        out.push(`<text x="${LABEL_WIDTH - 8}" y="${y + 14}" text-anchor="end" fill="${e.critical ? "#bf360c" : "#37474f"}"${e.critical ? " font-weight=\"bold\"" : ""}>${esc(label(e))}</text>`);
        const w = Math.max(2, x(e.finish) - x(e.start));
        out.push(`<rect x="${x(e.start).toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" rx="2" fill="${e.critical ? "#d84315" : "#90a4ae"}">` +
            `<title>${esc(`${e.urn}\n${e.operation}: ${(e.start / 60).toFixed(1)} -> ${(e.finish / 60).toFixed(1)} min (p90); p50 ${((e.p50Finish - e.p50Start) / 60).toFixed(1)} min`)}</title></rect>`);
        const p50w = Math.max(1, ((e.p50Finish - e.p50Start) / 60 / axisMax) * PLOT_WIDTH);
        out.push(`<rect x="${x(e.start).toFixed(1)}" y="${y + ROW / 2 - 2}" width="${Math.min(p50w, w).toFixed(1)}" height="4" fill="#263238" opacity="0.75"/>`);
        const dur = (e.finish - e.start) / 60;
        if (dur >= 1) out.push(`<text x="${(x(e.finish) + 4).toFixed(1)}" y="${y + 14}" fill="#455a64" font-size="11">${dur.toFixed(1)}</text>`);
    });
    // Vertical markers: the objective, the p90 total and DNS.
    const vline = (minutes: number, color: string, text: string, dash: string, yText: number, anchor: "start" | "end") => {
        out.push(`<line x1="${xm(minutes)}" y1="${TOP - 8}" x2="${xm(minutes)}" y2="${plotBottom}" stroke="${color}" stroke-width="2" stroke-dasharray="${dash}"/>`);
        out.push(`<text x="${xm(minutes) + (anchor === "end" ? -4 : 4)}" y="${yText}" text-anchor="${anchor}" fill="${color}" font-weight="bold">${esc(text)}</text>`);
    };
    // The objective's label sits left of its line (the line is near the right edge when the estimate fits).
    vline(s.objectiveMinutes, "#b00020", `objective ${s.objectiveMinutes} min`, "8 4", TOP - 12, "end");
    vline(totalMin, "#1565c0", `p90 ${totalMin.toFixed(1)} min`, "3 3", plotBottom + 52, "start");
    out.push("</svg>");
    return out.join("\n") + "\n";
}
