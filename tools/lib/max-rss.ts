// Preloaded (`-r`) by `npm run bench` into the plan process whose memory it measures: writes the process's peak
// resident set size to stderr at exit, as `max-rss-kb <n>` (a process killed by a signal, as by an OOM abort,
// writes nothing). Node gives a process its own peak, not its children's.
import * as fs from "fs";

process.on("exit", () => { fs.writeSync(2, `\nmax-rss-kb ${process.resourceUsage().maxRSS}\n`); });
