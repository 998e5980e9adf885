// Finds every command in a Markdown page (code blocks, and inline code that starts with npm, npx, node, pulumi, aws or
// docker) and checks it without running it: npm scripts exist; our tools' flags exist in their commander definitions
// (each tool's `--help`, answered in-process, so no process is started); the paths they read, the stacks they name and the config keys
// they set exist; `pulumi`, `aws` and `docker` commands are parsed against tests/docs/known-clis.ts. Also: relative
// links and their anchors, repository paths in inline code, and `vbr:` keys in inline code.
import * as fs from "fs";
import * as path from "path";
import { Option } from "commander";
import { load } from "js-yaml";
import type { CliIO } from "../../tools/lib/cli";
import { AWS, AWS_GLOBAL, DOCKER, FlagList, NPM_COMMANDS, NPM_FLAGS, PROVIDER_KEYS, PULUMI, PULUMI_GLOBAL_FLAGS } from "./known-clis";

export const ROOT = path.join(__dirname, "..", "..");
const KNOWN = "tests/docs/known-clis.ts";
const TRACKED = new Set(["npm", "npx", "node", "pulumi", "aws", "docker"]);

/** A word a reader replaces (`<cell>`, `...`, `N`) or the shell computes (`$x`, `$(...)`): never looked up. */
export const isPlaceholder = (w: string) => /[<$*]|\.\.\./.test(w) || w === "N";

// ---------------------------------------------------------------- shell words

interface Cmd { words: string[]; line: number }

function skipDouble(src: string, i: number): number {
    for (let j = i + 1; j < src.length; j++) {
        if (src[j] === "\\") j++;
        else if (src[j] === '"') return j + 1;
        else if (src[j] === "$" && src[j + 1] === "(") j = matchParen(src, j + 1);
    }
    throw new Error(`unclosed " in: ${src.slice(i, i + 60)}`);
}

function matchParen(src: string, i: number): number {
    let depth = 0;
    for (let j = i; j < src.length; j++) {
        const c = src[j];
        if (c === "'") j = src.indexOf("'", j + 1);
        else if (c === '"') j = skipDouble(src, j) - 1;
        else if (c === "(") depth++;
        else if (c === ")" && --depth === 0) return j;
        if (j < 0) break;
    }
    throw new Error(`unclosed $( in: ${src.slice(i, i + 60)}`);
}

/**
 * Splits shell text into simple commands (at newlines, `;`, `&&`, `||`, `|`), the commands inside `$(...)` included,
 * with quotes removed and line continuations joined. `<a placeholder>` stays one word. Comments are returned apart.
 */
export function shellCommands(src: string, line0 = 1): { commands: Cmd[]; comments: Cmd[] } {
    const commands: Cmd[] = [];
    const comments: Cmd[] = [];
    let words: string[] = [];
    let word: string | undefined;
    let quoted = false;
    let line = line0;
    let start = line0;
    const endWord = () => {
        if (word === undefined) return;
        let w = word;
        if (!quoted && /^\[-/.test(w)) w = w.slice(1);
        if (!quoted && w.endsWith("]") && !w.includes("[")) w = w.slice(0, -1);
        if (words.length === 0) start = line;
        words.push(w);
        word = undefined;
        quoted = false;
    };
    const endCommand = () => {
        endWord();
        if (words.length > 0) commands.push({ words, line: start });
        words = [];
    };
    for (let i = 0; i < src.length;) {
        const c = src[i];
        if (c === "\\" && src[i + 1] === "\n") { i += 2; line++; continue; }
        if (c === "\n") { endCommand(); line++; i++; continue; }
        if (c === " " || c === "\t") { endWord(); i++; continue; }
        if (c === "#" && word === undefined) {
            const end = src.indexOf("\n", i) < 0 ? src.length : src.indexOf("\n", i);
            comments.push({ words: [src.slice(i + 1, end)], line });
            i = end;
            continue;
        }
        if (c === ";" || c === "|" || c === "&") { endCommand(); while (src[i] === c) i++; continue; }
        if (c === "'" || c === '"') {
            const end = c === "'" ? src.indexOf("'", i + 1) + 1 : skipDouble(src, i);
            if (end <= 0) throw new Error(`unclosed ' at line ${line}`);
            const inner = src.slice(i + 1, end - 1);
            if (c === '"') for (const m of inner.matchAll(/\$\(/g)) nested(inner, m.index!);
            word = (word ?? "") + inner;
            quoted = true;
            line += inner.split("\n").length - 1;
            i = end;
            continue;
        }
        if (c === "$" && src[i + 1] === "(") {
            const end = matchParen(src, i + 1);
            commands.push(...shellCommands(src.slice(i + 2, end), line).commands);
            word = (word ?? "") + src.slice(i, end + 1);
            i = end + 1;
            continue;
        }
        const placeholder = c === "<" && /[A-Za-z]/.test(src[i + 1] ?? "") ? /^<[^<>\n]*>/.exec(src.slice(i)) : null;
        if (placeholder) { word = (word ?? "") + placeholder[0]; i += placeholder[0].length; continue; }
        word = (word ?? "") + c;
        i++;
    }
    endCommand();
    return { commands, comments };

    function nested(inner: string, at: number) {
        const end = matchParen(inner, at + 1);
        commands.push(...shellCommands(inner.slice(at + 2, end), line).commands);
    }
}

// ---------------------------------------------------------------- the repository

const exists = (p: string) => fs.existsSync(p);
const readJson = (p: string) => JSON.parse(fs.readFileSync(p, "utf8"));
const PACKAGE = readJson(path.join(ROOT, "package.json")) as { scripts: Record<string, string> };

/** A path relative to the repository root, or undefined when it leaves the repository (an example elsewhere). */
function inRepo(cwd: string, p: string): string | undefined {
    const abs = path.resolve(ROOT, cwd, p);
    const rel = path.relative(ROOT, abs);
    return rel.startsWith("..") || path.isAbsolute(rel) ? undefined : rel;
}

/** The nearest directory holding a Pulumi.yaml, from `dir` upward (as the CLI and our tools find the project). */
function projectOf(dir: string): string | undefined {
    for (let d = dir; ; d = path.dirname(d)) {
        if (exists(path.join(ROOT, d, "Pulumi.yaml"))) return d;
        if (d === "." || d === "" || d === path.dirname(d)) return exists(path.join(ROOT, "Pulumi.yaml")) ? "" : undefined;
    }
}

function projectConfig(dir: string): { name: string; keys: string[] } {
    const doc = load(fs.readFileSync(path.join(ROOT, dir, "Pulumi.yaml"), "utf8")) as { name: string; config?: Record<string, unknown> };
    return { name: doc.name, keys: Object.keys(doc.config ?? {}).map((k) => (k.includes(":") ? k : `${doc.name}:${k}`)) };
}

function checkStack(project: string | undefined, stack: string): string[] {
    if (project === undefined || isPlaceholder(stack)) return [];
    const file = path.join(project, `Pulumi.${stack}.yaml`);
    return exists(path.join(ROOT, file)) ? [] : [`no stack "${stack}": ${file} does not exist`];
}

function checkKey(project: string | undefined, key: string): string[] {
    if (project === undefined || isPlaceholder(key)) return [];
    const { name, keys } = projectConfig(project);
    if (key.startsWith("aws:")) return PROVIDER_KEYS.includes(key) ? [] : [`config key ${key} is not a provider key ${KNOWN} lists`];
    if (keys.includes(key)) return [];
    const where = path.join(project, "Pulumi.yaml");
    return [key.startsWith(`${name}:`) ? `config key ${key} is not declared in ${where}` : `config key ${key} is not in the project's namespace "${name}:" (${where})`];
}

function checkPath(cwd: string | undefined, p: string, what: string): string[] {
    if (cwd === undefined || isPlaceholder(p)) return [];
    const rel = inRepo(cwd, p);
    return rel === undefined || exists(path.join(ROOT, rel)) ? [] : [`${what} ${p} does not exist (${rel || "."})`];
}

// ---------------------------------------------------------------- our tools' commander definitions

export interface ToolSpec { file: string; options: Option[]; args: number }

const specs = new Map<string, ToolSpec | undefined>();

/**
 * An npm script's tool as its user meets it: the options and arguments its `--help` lists. The entry's `main` runs
 * in-process with `--help`, which every tool answers before its first await (commander prints the help and `main`
 * returns), so the real definition is read, wherever its options are added, and no process is started.
 */
export function toolSpec(entry: string): ToolSpec | undefined {
    if (specs.has(entry)) return specs.get(entry);
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require(path.join(ROOT, entry)) as { main?: (argv: string[], io: CliIO) => Promise<number> };
    let spec: ToolSpec | undefined;
    if (typeof mod.main === "function") {
        let help = "";
        void mod.main(["--help"], { cwd: ROOT, stdout: (t) => { help += t; }, stderr: (t) => { help += t; } });
        if (!help.startsWith("Usage:")) throw new Error(`${entry}: main(["--help"]) printed no usage before its first await: ${JSON.stringify(help.slice(0, 200))}`);
        // Option lines start two spaces in ("  -h, --help", "  --out <dir>"); wrapped descriptions start further in.
        const options = [...help.matchAll(/^ {2}(-[^\s,]+(?:, -[^\s,]+)?(?: [<[][^>\]]+[>\]])?)/gm)].map((m) => new Option(m[1]));
        const usage = /^Usage: \S+ \[options\](.*)$/m.exec(help)?.[1] ?? "";
        spec = { file: entry, options, args: [...usage.matchAll(/[<[][^>\]]+[>\]]/g)].length };
    }
    specs.set(entry, spec);
    return spec;
}

function scriptTool(script: string): string | undefined {
    return /(tools\/[\w/-]+\.ts)/.exec(PACKAGE.scripts[script] ?? "")?.[1];
}

/** Flags whose value is a path the tool reads, a stack, a config setting. */
const INPUT_PATH_FLAGS = ["--project", "--times", "--public-keys"];
const STACK_FLAGS = ["--stack", "--dr", "--primary"];

function checkToolArgs(spec: ToolSpec, args: string[], cwd: string | undefined, label: string, inline: boolean): string[] {
    const problems: string[] = [];
    const given: [string, string | undefined][] = [];
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
        const w = args[i];
        if (!w.startsWith("-") || w === "-") { positional.push(w); continue; }
        const [name, inlineValue] = w.includes("=") ? [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)] : [w, undefined];
        const opt = spec.options.find((o) => o.long === name || o.short === name);
        if (!opt) {
            problems.push(`unknown flag ${name}: ${label} takes ${spec.options.map((o) => o.long).join(", ")} (${spec.file})`);
            continue;
        }
        let value = inlineValue;
        if (value === undefined && (opt.required || opt.optional) && i + 1 < args.length && (opt.required || !args[i + 1].startsWith("-"))) value = args[++i];
        if (value === undefined && opt.required && !inline) problems.push(`${name} needs a value (${spec.file})`);
        given.push([opt.long!, value]);
    }
    // After an unknown flag its value reads as an argument: one message is enough.
    if (positional.length > spec.args && problems.length === 0) problems.push(`${label} takes ${spec.args || "no"} argument${spec.args === 1 ? "" : "s"}, got ${positional.map((p) => `"${p}"`).join(" ")} (${spec.file})`);
    const projectFlag = given.find(([n]) => n === "--project")?.[1];
    const projectDir = projectFlag === undefined ? (cwd === undefined ? undefined : projectOf(cwd))
        : cwd === undefined || isPlaceholder(projectFlag) ? undefined : inRepo(cwd, projectFlag);
    const project = projectDir !== undefined && exists(path.join(ROOT, projectDir, "Pulumi.yaml")) ? projectDir : undefined;
    for (const [name, value] of given) {
        if (value === undefined) continue;
        if (INPUT_PATH_FLAGS.includes(name)) problems.push(...checkPath(cwd, value, name));
        if (STACK_FLAGS.includes(name)) problems.push(...checkStack(project, value));
        if (name === "--cell" && value !== "default") problems.push(...checkStack(project, `${value}-primary`), ...checkStack(project, `${value}-dr`));
        if (name === "--config") problems.push(...checkKey(project, value.split("=")[0]));
    }
    return problems;
}

// ---------------------------------------------------------------- one command

/** Flags of a `FlagList` (`-s=` takes a value): unknown ones, and the values and positionals in order. */
function parseFlags(words: string[], allowed: FlagList, what: string, inline: boolean): { problems: string[]; values: [string, string][]; positional: string[] } {
    const problems: string[] = [];
    const values: [string, string][] = [];
    const positional: string[] = [];
    for (let i = 0; i < words.length; i++) {
        const w = words[i];
        if (!w.startsWith("-") || w === "-") { positional.push(w); continue; }
        const [name, inlineValue] = w.includes("=") ? [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)] : [w, undefined];
        if (allowed.includes(name)) { if (inlineValue !== undefined) problems.push(`${name} takes no value (${what})`); continue; }
        if (!allowed.includes(`${name}=`)) { problems.push(`unknown flag ${name} for ${what} (${KNOWN})`); continue; }
        const value = inlineValue ?? words[++i];
        if (value === undefined) { if (!inline) problems.push(`${name} needs a value (${what})`); continue; }
        values.push([name, value]);
    }
    return { problems, values, positional };
}

/** The Pulumi commands whose `--config` is `<key>=<value>` (`policy enable --config` is a file). */
const UPDATES = ["up", "preview", "refresh", "destroy"];

function checkPulumi(words: string[], cwd: string | undefined, inline: boolean): string[] {
    const sub = [`${words[1]} ${words[2]}`, words[1]].find((s) => s in PULUMI);
    if (!sub) return [`unknown command "pulumi ${words.slice(1, 3).join(" ")}": not in ${KNOWN}`];
    const { problems, values, positional } = parseFlags(words.slice(1 + sub.split(" ").length), [...PULUMI[sub], ...PULUMI_GLOBAL_FLAGS], `pulumi ${sub}`, inline);
    const dir = values.find(([n]) => n === "-C" || n === "--cwd")?.[1];
    const at = dir === undefined ? cwd : cwd === undefined || isPlaceholder(dir) ? undefined : inRepo(cwd, dir);
    const project = at === undefined ? undefined : projectOf(at);
    for (const [name, value] of values) {
        if (name === "-s" || name === "--stack") problems.push(...checkStack(project, value));
        if ((name === "-c" || name === "--config") && UPDATES.includes(sub)) problems.push(...checkKey(project, value.split("=")[0]));
        if (name === "--plaintext" || name === "--secret") problems.push(...checkKey(project, value.split("=")[0]));
        if (name === "--policy-pack" || name === "-C" || name === "--cwd") problems.push(...checkPath(cwd, value, name));
    }
    if ((sub === "config set" || sub === "config rm") && positional[0] !== undefined) problems.push(...checkKey(project, positional[0]));
    if (sub === "stack init" && positional[0] !== undefined) problems.push(...checkStack(project, positional[0]));
    return problems;
}

function checkAws(words: string[]): string[] {
    const key = [words.slice(1, 4).join(" "), words.slice(1, 3).join(" ")].find((k) => k in AWS);
    if (!key) return [`unknown command "aws ${words.slice(1, 3).join(" ")}": not in ${KNOWN}`];
    const allowed = new Set([...AWS[key].split(" ").filter((f) => f !== ""), ...AWS_GLOBAL]);
    return words.slice(1 + key.split(" ").length).filter((w) => w.startsWith("--"))
        .map((w) => w.split("=")[0]).filter((f) => !allowed.has(f)).map((f) => `unknown flag ${f} for aws ${key} (${KNOWN})`);
}

function checkDocker(words: string[], inline: boolean): string[] {
    if (!(words[1] in DOCKER)) return [`unknown command "docker ${words[1] ?? ""}": not in ${KNOWN}`];
    return parseFlags(words.slice(2), [...DOCKER[words[1]], "--help"], `docker ${words[1]}`, inline).problems;
}

function checkNpm(words: string[], cwd: string | undefined, inline: boolean): string[] {
    const sub = words[1];
    if (!NPM_COMMANDS.includes(sub)) return [`unknown npm command "${sub}" (${KNOWN} lists ${NPM_COMMANDS.join(", ")})`];
    if (sub === "ci" || sub === "install") return [];
    const script = sub === "run" ? words[2] : sub;
    const rest = words.slice(sub === "run" ? 3 : 2);
    if (script === undefined) return inline ? [] : ["npm run without a script"];
    if (!(script in PACKAGE.scripts)) return [`no npm script "${script}" in package.json (it has ${Object.keys(PACKAGE.scripts).join(", ")})`];
    const dashes = rest.indexOf("--");
    const npmFlags = dashes < 0 ? rest : rest.slice(0, dashes);
    const problems = npmFlags.filter((f) => !NPM_FLAGS.includes(f) && !NPM_FLAGS.includes(`${f.split("=")[0]}=`))
        .map((f) => `${f} before -- goes to npm, not to the script (${KNOWN} lists npm's ${NPM_FLAGS.join(", ")})`);
    const args = dashes < 0 ? [] : rest.slice(dashes + 1);
    if (args.length === 0) return problems;
    const label = sub === "run" ? `npm run ${script}` : `npm ${script}`;
    const entry = scriptTool(script);
    const spec = entry === undefined ? undefined : toolSpec(entry);
    if (!spec) return [...problems, `${label} takes no arguments (package.json: ${PACKAGE.scripts[script]})`];
    return [...problems, ...checkToolArgs(spec, args, cwd, label, inline)];
}

const NODE_VALUE_FLAGS = ["-r", "--require", "-e", "--eval", "-p", "--print", "--import"];

function checkNode(words: string[], cwd: string | undefined, inline: boolean): string[] {
    const problems: string[] = [];
    let i = 1;
    for (; i < words.length && words[i].startsWith("-"); i++) {
        if (!NODE_VALUE_FLAGS.includes(words[i])) continue;
        const value = words[++i];
        if ((words[i - 1] === "-r" || words[i - 1] === "--require") && value !== undefined) problems.push(...checkPath(cwd, value, "-r"));
    }
    const script = words[i];
    if (script === undefined) return problems;
    problems.push(...checkPath(cwd, script, "script"));
    const rel = cwd === undefined ? undefined : inRepo(cwd, script);
    const spec = rel !== undefined && /^tools\/[\w-]+\.ts$/.test(rel) && exists(path.join(ROOT, rel)) ? toolSpec(rel) : undefined;
    if (spec) problems.push(...checkToolArgs(spec, words.slice(i + 1), cwd, `node ${rel}`, inline));
    return problems;
}

function checkNpx(words: string[], cwd: string | undefined): string[] {
    const bin = words[1];
    const problems = bin !== undefined && exists(path.join(ROOT, "node_modules", ".bin", bin)) ? [] : [`npx ${bin}: no node_modules/.bin/${bin} (not a dependency)`];
    for (const w of words.slice(2)) if (/^\.{1,2}\//.test(w)) problems.push(...checkPath(cwd, w, "path"));
    return problems;
}

/** A simple command's words from the command itself: past assignments (`x=$(...)`) and shell keywords. */
function commandWords(all: string[]): string[] {
    let k = 0;
    while (k < all.length && (/^[A-Za-z_]\w*=/.test(all[k]) || ["do", "then", "else", "{", "}", "!", "time"].includes(all[k]))) k++;
    return all.slice(k);
}

/** The problems of one simple command (its first words past assignments and shell keywords), `cwd` relative to the root. */
export function checkCommand(all: string[], cwd: string | undefined, inline = false): string[] {
    const words = commandWords(all);
    switch (words[0]) {
        case "npm": return checkNpm(words, cwd, inline);
        case "npx": return checkNpx(words, cwd);
        case "node": return checkNode(words, cwd, inline);
        case "pulumi": return checkPulumi(words, cwd, inline);
        case "aws": return checkAws(words);
        case "docker": return checkDocker(words, inline);
        default: return [];
    }
}

// ---------------------------------------------------------------- a page

export interface PageReport { problems: string[]; commands: string[] }

const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, "").replace(/\s/g, "-");

function anchors(file: string): Set<string> {
    const text = fs.readFileSync(file, "utf8").replace(/^```[\s\S]*?^```/gm, "");
    return new Set([...text.matchAll(/^#+\s+(.*)$/gm)].map((m) => slug(m[1])));
}

/** Whether a block of code is shell: its first word is a command the docs run, `cd`, or an assignment. */
const isShell = (first: string) => TRACKED.has(first) || first === "cd" || /^[A-Za-z_]\w*=/.test(first);

/**
 * Every problem in one Markdown page, as `<file>:<line>: <command or text>: <problem>`, and the commands it checked.
 * `file` is relative to the repository root; `text` defaults to the file's contents.
 */
export function checkPage(file: string, text = fs.readFileSync(path.join(ROOT, file), "utf8"), configKeys?: string[]): PageReport {
    const problems: string[] = [];
    const commands: string[] = [];
    const lines = text.split("\n");
    const prose: string[] = [];
    const report = (line: number, what: string, list: string[]) => problems.push(...list.map((p) => `${file}:${line}: ${what}: ${p}`));
    const runBlock = (block: string[], first: number) => {
        const src = block.join("\n");
        const firstWord = src.trim().split(/\s+/)[0] ?? "";
        if (!isShell(firstWord)) return;
        let cwd: string | undefined = "";
        let parsed: ReturnType<typeof shellCommands>;
        try { parsed = shellCommands(src, first); } catch (e) { report(first, "code block", [(e as Error).message]); return; }
        const ordered = [...parsed.commands.map((c) => ({ ...c, comment: false })), ...parsed.comments.map((c) => ({ ...c, comment: true }))]
            .sort((a, b) => a.line - b.line);
        for (const c of ordered) {
            if (c.comment) {
                const m = /(?:^|[\s(:])((?:npm|npx|pulumi|aws|docker) [^;)]*)/.exec(c.words[0]);
                if (m) checkOne(shellCommands(m[1]).commands[0]?.words ?? [], c.line, cwd, true);
                continue;
            }
            if (c.words[0] === "cd" && c.words[1] !== undefined) {
                const bad = checkPath(cwd, c.words[1], "directory");
                report(c.line, c.words.join(" "), bad);
                cwd = cwd === undefined || isPlaceholder(c.words[1]) ? undefined : inRepo(cwd, c.words[1]);
                continue;
            }
            checkOne(c.words, c.line, cwd, false);
        }
    };
    const checkOne = (words: string[], line: number, cwd: string | undefined, inline: boolean) => {
        if (!TRACKED.has(commandWords(words)[0] ?? "")) return;
        commands.push(words.join(" "));
        report(line, words.join(" "), checkCommand(words, cwd, inline));
    };

    // Code blocks: fenced, or indented by 4+ spaces after a blank line (list items' blocks included).
    for (let i = 0; i < lines.length; i++) {
        if (/^\s*```/.test(lines[i])) {
            const end = lines.findIndex((l, j) => j > i && /^\s*```/.test(l));
            runBlock(lines.slice(i + 1, end), i + 2);
            prose.push(...lines.slice(i, end + 1).map(() => ""));
            i = end;
            continue;
        }
        if (/^ {4,}\S/.test(lines[i]) && (i === 0 || lines[i - 1].trim() === "")) {
            const indent = /^ */.exec(lines[i])![0].length;
            let end = i;
            while (end + 1 < lines.length && (lines[end + 1].startsWith(" ".repeat(indent)) || (lines[end + 1].trim() === "" && lines[end + 2]?.startsWith(" ".repeat(indent))))) end++;
            runBlock(lines.slice(i, end + 1).map((l) => l.slice(indent)), i + 1);
            prose.push(...lines.slice(i, end + 1).map(() => ""));
            i = end;
            continue;
        }
        prose.push(lines[i]);
    }

    // Inline code (it may wrap), links, repository paths and config keys in the prose.
    const joined = prose.join("\n");
    const lineAt = (offset: number) => joined.slice(0, offset).split("\n").length;
    for (const m of joined.matchAll(/`([^`]+)`/g)) {
        const span = m[1].replace(/\s+/g, " ").trim();
        const line = lineAt(m.index!);
        const first = span.split(" ")[0];
        if (TRACKED.has(first) && span.includes(" ")) {
            let parsed: Cmd[];
            try { parsed = shellCommands(span, line).commands; } catch (e) { report(line, span, [(e as Error).message]); continue; }
            for (const c of parsed) checkOne(c.words, line, "", true);
        } else if (/^vbr:[A-Za-z]+$/.test(span) && configKeys && !configKeys.includes(span)) {
            report(line, span, ["not a config key declared in Pulumi.yaml"]);
        } else if (/^(Pulumi\.[\w-]+\.yaml|[\w.-]+\/[^\s:]*)$/.test(span) && !isPlaceholder(span.replace(/\*/g, ""))) {
            const top = span.split("/")[0];
            const repoPath = span.includes("/") ? !/^\.*$/.test(top) && exists(path.join(ROOT, top)) : true;
            if (repoPath && !span.includes("{") && !globExists(span)) report(line, span, ["no such file or directory in the repository"]);
        }
    }
    for (const m of joined.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) continue;
        const [p, anchor] = target.split("#");
        const abs = p === "" ? path.join(ROOT, file) : path.resolve(ROOT, path.dirname(file), p);
        if (!exists(abs)) { report(lineAt(m.index!), target, ["the link's file does not exist"]); continue; }
        if (anchor !== undefined && abs.endsWith(".md") && !anchors(abs).has(anchor)) report(lineAt(m.index!), target, [`no heading with the anchor #${anchor} in ${path.relative(ROOT, abs)}`]);
    }
    return { problems, commands };
}

/** Whether a repository path exists; `*` matches within one path segment. */
function globExists(p: string): boolean {
    if (!p.includes("*")) return exists(path.join(ROOT, p));
    const parts = p.split("/");
    const walk = (dir: string, k: number): boolean => {
        if (k === parts.length) return true;
        if (!parts[k].includes("*")) return exists(path.join(dir, parts[k])) && walk(path.join(dir, parts[k]), k + 1);
        const re = new RegExp(`^${parts[k].split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
        return fs.existsSync(dir) && fs.statSync(dir).isDirectory() && fs.readdirSync(dir).some((e) => re.test(e) && walk(path.join(dir, e), k + 1));
    };
    return walk(ROOT, 0);
}

/** The root project's declared config keys, `vbr:<key>`. */
export function declaredKeys(): string[] {
    return projectConfig("").keys;
}

// ---------------------------------------------------------------- README's Layout

const SKIP_DIRS = new Set(["node_modules", ".pulumi", ".git"]);

function walk(dir: string): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).filter((e) => !SKIP_DIRS.has(e.name))
        .flatMap((e) => (e.isDirectory() ? [`${dir}/${e.name}/`, ...walk(`${dir}/${e.name}`)] : [`${dir}/${e.name}`]));
}

/**
 * The Layout block of README.md against the tree: each row (`folder/   what it holds`, continued on indented lines)
 * names only files and folders that exist under that folder, names every folder directly inside it (tests/ may
 * instead say it mirrors a folder another row names), and, for the folders whose top-level files are the entry
 * points (components/, stacks/, tools/), names each of those files, in full or as `-<suffix>` after its family.
 */
export function layoutProblems(readme: string): string[] {
    const block = /^## Layout\n+```\n([\s\S]*?)\n```/m.exec(readme)?.[1];
    if (!block) return ["README.md has no ## Layout code block"];
    const rows: { head: string; text: string }[] = [];
    for (const l of block.split("\n")) {
        if (/^\S/.test(l)) rows.push({ head: l.split(/\s+/)[0], text: l });
        else rows[rows.length - 1].text += ` ${l.trim()}`;
    }
    const problems: string[] = [];
    const folders = rows.filter((r) => r.head.endsWith("/")).map((r) => r.head.slice(0, -1));
    const named = (text: string) => new Set([...text.matchAll(/(?:^|[\s(,;])([\w.-]+(?:\/[\w.-]+)*\/?)(?=[\s),;:]|$)/g)].map((m) => m[1].replace(/\.$/, "")));
    for (const { head, text } of rows) {
        const words = [...named(text)];
        const folder = head.endsWith("/") ? head.slice(0, -1) : "";
        if (folder === "") {
            for (const f of words.filter((w) => /\.(ya?ml|json|md)$/.test(w))) if (!exists(path.join(ROOT, f))) problems.push(`Layout: ${f} does not exist`);
            continue;
        }
        if (!exists(path.join(ROOT, folder))) { problems.push(`Layout: ${head} does not exist`); continue; }
        const tree = walk(folder);
        for (const w of words.slice(1)) {
            const isFile = /\.(ts|js|mjs|json|ya?ml)$/.test(w);
            if (!isFile && !w.endsWith("/") && !w.includes("/")) continue;
            const ok = exists(path.join(ROOT, w)) || tree.some((t) => t === `${folder}/${w}` || t.endsWith(`/${w}`));
            if (!ok) problems.push(`Layout: ${head} names ${w}, which is not in ${folder}/`);
        }
        const children = fs.readdirSync(path.join(ROOT, folder), { withFileTypes: true }).filter((e) => !SKIP_DIRS.has(e.name));
        for (const d of children.filter((e) => e.isDirectory())) {
            const mentioned = new RegExp(`(^|[\\s(,;/])${d.name}/`).test(text) || (folder === "tests" && (folders.includes(d.name) || rows.some((r) => r.text.includes(`${d.name}/`))));
            if (!mentioned) problems.push(`Layout: ${head} does not name its folder ${d.name}/`);
        }
        if (["components", "stacks", "tools"].includes(folder)) {
            for (const f of children.filter((e) => e.isFile()).map((e) => e.name)) {
                const stem = f.replace(/\.[^.]+$/, "");
                const suffix = stem.includes("-") ? `-${stem.split("-").slice(1).join("-")}` : undefined;
                const re = (s: string) => new RegExp(`(^|[\\s(,;])${s.replace(/[.-]/g, "\\$&")}(?=[\\s),;.:]|$)`);
                if (!re(f).test(text) && !re(stem).test(text) && !(suffix && re(suffix).test(text))) problems.push(`Layout: ${head} does not name ${folder}/${f}`);
            }
        }
    }
    return problems;
}

/** The keys of the configuration table in docs/configuration.md (its first column). */
export function configTableKeys(page: string): string[] {
    return [...page.matchAll(/^\| (`[^|]+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`((?:vbr|aws):\w+)`/g)].map((k) => k[1]));
}
