// Every command in README.md and docs/ is checked without running it (tests/docs/doc-commands.ts): npm scripts and the
// flags of our tools against their commander definitions, the paths they read, stack names, config keys, and the
// `pulumi`, `aws` and `docker` commands against tests/docs/known-clis.ts; links, repository paths, README's Layout
// and the configuration table too. What this cannot prove: that a command does what the prose around it says, or
// that an argument's value (an ARN, a JSON document) is one AWS accepts.
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { checkPage, configTableKeys, declaredKeys, layoutProblems, ROOT, shellCommands, toolSpec } from "./doc-commands";

const pages = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];
const keys = declaredKeys();
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
/** A page written for the test: its problems. */
const problemsOf = (text: string) => checkPage("typo.md", text, keys).problems;

describe("documented commands", () => {
    for (const page of pages) {
        it(`${page}: every command, path, link and config key is right`, () => {
            expect(checkPage(page, undefined, keys).problems).to.deep.equal([]);
        });
    }

    it("finds the commands of code blocks (with $(...), continuations and cd), of inline code and of comments", () => {
        const found = (page: string) => checkPage(page, undefined, keys).commands;
        expect(found("README.md")).to.include.members(["npm ci", "npm start", "npm test"]);
        expect(found("docs/runbooks.md")).to.include.members([
            "pulumi stack output batchReplicationRoleArn -s dr",   // inside $(...)
            "aws sts get-caller-identity --query Account --output text",
            "aws ecs wait tasks-stopped",                           // in a comment
            "aws secretsmanager stop-replication-to-replica --secret-id vbr-prod/database/master --region us-west-2",  // inline
        ]);
        expect(found("docs/runbooks.md").find((c) => c.startsWith("aws s3control create-job"))).to.include("--manifest-generator");  // continued lines
        expect(found("docs/deploy.md")).to.include("pulumi up -s state --policy-pack ../../policies");  // after cd stacks/state-backend
        expect(found("docs/cells.md")).to.include("node --max-semi-space-size=64 -r ./tools/register.js tools/plan.ts --parallel 8 --jobs 2");  // wrapped inline code
        const total = pages.reduce((n, p) => n + checkPage(p, undefined, keys).commands.length, 0);
        expect(total).to.be.greaterThan(250);
    });

    it("README's Layout names only what exists, every folder inside each row's folder and every entry file", () => {
        expect(layoutProblems(read("README.md"))).to.deep.equal([]);
    });

    it("docs/configuration.md's table lists exactly the keys Pulumi.yaml declares (and the provider's aws:region)", () => {
        expect(configTableKeys(read("docs/configuration.md")).sort()).to.deep.equal(["aws:region", ...keys].sort());
    });

    it("reads each tool's flags from its --help, and every flag is on the tool's page", () => {
        const pageOf: Record<string, string> = {
            start: "docs/offline-plan.md", drill: "docs/drill.md", "drill:learn": "docs/drill.md", failback: "docs/failback.md",
            verify: "docs/audit.md", "verify:cost": "docs/audit.md",
        };
        const withFlags = Object.keys(scripts).filter((s) => {
            const entry = /(tools\/[\w/-]+\.ts)/.exec(scripts[s])?.[1];
            return entry !== undefined && toolSpec(entry) !== undefined;
        });
        expect(withFlags.sort()).to.deep.equal(Object.keys(pageOf).sort());
        for (const s of withFlags) {
            const spec = toolSpec(/(tools\/[\w/-]+\.ts)/.exec(scripts[s])![1])!;
            const undocumented = spec.options.map((o) => o.long!).filter((f) => f !== "--help" && !new RegExp(`[\\s\`[(]${f}(?=[\\s\`\\]=),.])`).test(read(pageOf[s])));
            expect(undocumented, `${s} (${spec.file}) flags missing from ${pageOf[s]}`).to.deep.equal([]);
        }
        // The options as --help lists them, wherever they are added (the drill's first five come from tools/lib/cells.ts).
        expect(toolSpec("tools/drill.ts")!.options.map((o) => o.flags)).to.deep.equal([
            "--project <dir>", "--stack <name>", "--primary <name>", "--cell <name>", "--parallel <n>", "--keep", "--endpoint <url>",
            "--health-timeout <minutes>", "--out <dir>", "--resume", "-h, --help",
        ]);
        expect(toolSpec("tools/failback.ts")!.options.map((o) => o.long)).to.deep.equal([
            "--project", "--dr", "--primary", "--cell", "--parallel", "--wait-timeout", "--out", "--help",
        ]);
        expect(toolSpec("tools/drill-learn.ts")!.args).to.equal(1);
        expect(toolSpec("tools/bench.ts")).to.equal(undefined);
    });

    describe("a mistake in a page fails, with a message naming it", () => {
        it("a misspelt flag of our tools, in a code block and in inline code", () => {
            expect(problemsOf("    npm run drill -- --kep\n")).to.deep.equal([
                "typo.md:1: npm run drill -- --kep: unknown flag --kep: npm run drill takes --project, --stack, --primary, --cell, " +
                "--parallel, --keep, --endpoint, --health-timeout, --out, --resume, --help (tools/drill.ts)",
            ]);
            expect(problemsOf("One stack:\n`npm start -- --stak dr`.\n")).to.deep.equal([
                "typo.md:2: npm start -- --stak dr: unknown flag --stak: npm start takes --stack, --config, --project, --json, --markdown, " +
                "--chart, --parallel, --timeout, --jobs, --stack-outputs, --policy-config-out, --help (tools/plan.ts)",
            ]);
        });

        it("the same typo in the real docs/drill.md", () => {
            const text = read("docs/drill.md").replace("npm run drill -- --resume   ", "npm run drill -- --resum    ");
            expect(checkPage("docs/drill.md", text, keys).problems).to.have.length(1)
                .and.to.match(/^docs\/drill\.md:11: npm run drill -- --resum: unknown flag --resum: npm run drill takes /);
        });

        it("an npm script, a stack, a config key, a path that do not exist; an argument a tool does not take", () => {
            expect(problemsOf("`npm run dril`")).to.deep.equal([
                `typo.md:1: npm run dril: no npm script "dril" in package.json (it has ${Object.keys(scripts).join(", ")})`,
            ]);
            expect(problemsOf("    pulumi up -s dr-eu --yes\n")).to.deep.equal([
                'typo.md:1: pulumi up -s dr-eu --yes: no stack "dr-eu": Pulumi.dr-eu.yaml does not exist',
            ]);
            expect(problemsOf("    npm run drill -- --cell us\n")).to.deep.equal([
                'typo.md:1: npm run drill -- --cell us: no stack "us-primary": Pulumi.us-primary.yaml does not exist',
                'typo.md:1: npm run drill -- --cell us: no stack "us-dr": Pulumi.us-dr.yaml does not exist',
            ]);
            expect(problemsOf("    pulumi config set vbr:drstate failover -s dr\n")).to.deep.equal([
                "typo.md:1: pulumi config set vbr:drstate failover -s dr: config key vbr:drstate is not declared in Pulumi.yaml",
            ]);
            expect(problemsOf("    npm start -- --stack dr --config drState=failover\n")).to.deep.equal([
                'typo.md:1: npm start -- --stack dr --config drState=failover: config key drState is not in the project\'s namespace "vbr:" (Pulumi.yaml)',
            ]);
            expect(problemsOf("Set `vbr:drstate`.")).to.deep.equal(["typo.md:1: vbr:drstate: not a config key declared in Pulumi.yaml"]);
            expect(problemsOf("    npm start -- --project stacks/state-backen\n")).to.deep.equal([
                "typo.md:1: npm start -- --project stacks/state-backen: --project stacks/state-backen does not exist (stacks/state-backen)",
            ]);
            expect(problemsOf("    npm start -- dr\n")).to.deep.equal([
                'typo.md:1: npm start -- dr: npm start takes no arguments, got "dr" (tools/plan.ts)',
            ]);
            expect(problemsOf("    npm run bench -- --quick\n")).to.deep.equal([
                `typo.md:1: npm run bench -- --quick: npm run bench takes no arguments (package.json: ${scripts.bench})`,
            ]);
        });

        it("paths resolve from the directory a block has cd'd into", () => {
            expect(problemsOf("    cd stacks/state-backend\n    pulumi up -s state --policy-pack ../policies\n")).to.deep.equal([
                "typo.md:2: pulumi up -s state --policy-pack ../policies: --policy-pack ../policies does not exist (stacks/policies)",
            ]);
            expect(problemsOf("    cd stacks/state-backend\n    pulumi config set vbr:drState drill -s state\n")).to.deep.equal([
                'typo.md:2: pulumi config set vbr:drState drill -s state: config key vbr:drState is not in the project\'s namespace "vbr-state:" (stacks/state-backend/Pulumi.yaml)',
            ]);
        });

        it("a pulumi, aws or docker subcommand or flag that is not in the known list", () => {
            expect(problemsOf("    pulumi stack int dr\n")).to.deep.equal([
                'typo.md:1: pulumi stack int dr: unknown command "pulumi stack int": not in tests/docs/known-clis.ts',
            ]);
            expect(problemsOf("    pulumi up -s dr --polcy-pack policies\n")).to.deep.equal([
                "typo.md:1: pulumi up -s dr --polcy-pack policies: unknown flag --polcy-pack for pulumi up (tests/docs/known-clis.ts)",
            ]);
            expect(problemsOf("`aws rds modify-db-instance --db-instance-identifier x --no-deletion-protecton`")).to.deep.equal([
                "typo.md:1: aws rds modify-db-instance --db-instance-identifier x --no-deletion-protecton: unknown flag --no-deletion-protecton " +
                "for aws rds modify-db-instance (tests/docs/known-clis.ts)",
            ]);
            expect(problemsOf("    aws ecr get-login-password | docker login --user AWS --password-stdin x\n")).to.deep.equal([
                "typo.md:1: docker login --user AWS --password-stdin x: unknown flag --user for docker login (tests/docs/known-clis.ts)",
            ]);
        });

        it("a link to a page or a heading that does not exist, and a repository path that does not", () => {
            expect(problemsOf("See [cells](docs/cell.md) and [drill](docs/drill.md#the-drill).\n")).to.deep.equal([
                "typo.md:1: docs/cell.md: the link's file does not exist",
                "typo.md:1: docs/drill.md#the-drill: no heading with the anchor #the-drill in docs/drill.md",
            ]);
            expect(problemsOf("The model is `policies/lib/bring-up/`.")).to.deep.equal([
                "typo.md:1: policies/lib/bring-up/: no such file or directory in the repository",
            ]);
        });
    });

    it("the shell reading: quotes, $(...) inside quotes, placeholders with spaces, optional [--flags], comments", () => {
        const { commands, comments } = shellCommands(
            `role=$(pulumi stack output x -s dr); aws s3 ls "s3://b/$(echo k)" --recursive \\\n  --region <your region>  # a comment's "quote\nnpm run drill:learn -- r.json [--dry-run]`);
        expect(commands.map((c) => c.words)).to.deep.equal([
            ["pulumi", "stack", "output", "x", "-s", "dr"],
            ["role=$(pulumi stack output x -s dr)"],
            ["echo", "k"],
            ["aws", "s3", "ls", "s3://b/$(echo k)", "--recursive", "--region", "<your region>"],
            ["npm", "run", "drill:learn", "--", "r.json", "--dry-run"],
        ]);
        expect(comments.map((c) => c.words[0])).to.deep.equal([` a comment's "quote`]);
    });
});
