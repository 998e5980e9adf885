// The subcommands and flags of the CLIs the docs use but the tests never run (`pulumi`, `aws`, `docker`), each list
// taken from the tool's own reference. tests/docs/commands.test.ts parses every such command in README.md and docs/
// against them, so a typo in a subcommand or a flag fails the suite. A command the docs start to use needs its entry
// here, checked against the same source first: the test's message names this file.

/** Flags a subcommand takes: `-s=` / `--stack=` take a value (the next word), the others none. */
export type FlagList = readonly string[];

const PULUMI_GLOBAL: FlagList = [
    "--color=", "-C=", "--cwd=", "--disable-integrity-checking", "-e", "--emoji", "-Q", "--fully-qualify-stack-names", "--logflow",
    "--logtostderr", "--memprofilerate=", "--non-interactive", "--otel-traces=", "--profiling=", "--tracing=", "-v=", "--verbose=",
    "-h", "--help",
];
/** `pulumi config <sub>` inherits these from `pulumi config`. */
const PULUMI_CONFIG: FlagList = ["--config-file=", "-s=", "--stack="];
const PULUMI_UPDATE: FlagList = [
    "-c=", "--config=", "--config-file=", "--config-path", "-d", "--debug", "--diff", "--expect-no-changes", "-j", "--json", "-m=", "--message=",
    "-p=", "--parallel=", "--policy-pack=", "--policy-pack-config=", "-r", "--refresh", "--replace=", "--show-config", "--show-policy-remediations",
    "--show-reads", "--show-replacement-steps", "--show-sames", "-s=", "--stack=", "--suppress-outputs", "--suppress-permalink",
    "--suppress-progress", "-t=", "--target=", "--target-dependents", "--target-replace=", "--attach-debugger",
];

/**
 * The Pulumi CLI, v3: the generated command reference, pulumi/docs content/docs/iac/cli/commands/pulumi_<sub>.md
 * (https://www.pulumi.com/docs/iac/cli/commands/), read for each subcommand below.
 */
export const PULUMI: Record<string, FlagList> = {
    "up": [...PULUMI_UPDATE, "--continue-on-error", "--secrets-provider=", "--show-full-output", "-f", "--skip-preview", "-y", "--yes"],
    "preview": [...PULUMI_UPDATE, "--import-file=", "--show-secrets"],
    "refresh": [
        "--clear-pending-creates", "-c=", "--config=", "--config-file=", "--config-path", "-d", "--debug", "--diff", "-x=", "--exclude=",
        "--exclude-dependents", "--expect-no-changes", "--import-pending-creates=", "-j", "--json", "-m=", "--message=", "-p=", "--parallel=",
        "--preview-only", "--run-program", "--show-replacement-steps", "--show-sames", "--skip-pending-creates", "-f", "--skip-preview",
        "-s=", "--stack=", "--suppress-outputs", "--suppress-permalink", "--suppress-progress", "-t=", "--target=", "--target-dependents",
        "--urns", "-y", "--yes",
    ],
    "destroy": [
        "--config-file=", "--continue-on-error", "-d", "--debug", "--diff", "-x=", "--exclude=", "--exclude-protected", "-j", "--json",
        "-m=", "--message=", "-p=", "--parallel=", "--preview-only", "-r", "--refresh", "--remove", "--run-program", "--show-config",
        "--show-full-output", "--show-replacement-steps", "--show-sames", "-f", "--skip-preview", "-s=", "--stack=", "--suppress-outputs",
        "--suppress-permalink", "--suppress-progress", "-t=", "--target=", "--target-dependents", "-y", "--yes",
    ],
    "login": ["-c=", "--cloud-url=", "--default-org=", "--insecure", "--interactive", "-l", "--local"],
    "version": [],
    "config set": [...PULUMI_CONFIG, "--path", "--plaintext", "--secret", "--type="],
    "config set-all": [...PULUMI_CONFIG, "--json=", "--path", "--plaintext=", "--secret="],
    "config rm": [...PULUMI_CONFIG, "--path"],
    "stack init": ["--copy-config-from=", "--no-select", "--secrets-provider=", "-s=", "--stack=", "--teams="],
    "stack import": ["--file=", "-f", "--force", "-s=", "--stack="],
    "stack export": ["--file=", "--show-secrets", "-s=", "--stack=", "--version="],
    "stack output": ["-j", "--json", "--shell", "--show-secrets", "-s=", "--stack="],
    "state unprotect": ["--all", "-s=", "--stack=", "-y", "--yes"],
    "policy publish": [],
    // `pulumi deployment run <operation> [url]` (pulumi_deployment_run.md): the docs use it without a flag, so none of
    // its options is listed; add them from that page before a page uses one.
    "deployment run": [],
    "policy enable": ["--config=", "--policy-group="],
};
export const PULUMI_GLOBAL_FLAGS = PULUMI_GLOBAL;

/**
 * The AWS CLI's global options (awscli 1.45.11's argument table; version 2 adds the four after `--version`, from the
 * AWS CLI v2 reference's global options).
 */
export const AWS_GLOBAL: FlagList = [
    "--ca-bundle", "--cli-connect-timeout", "--cli-read-timeout", "--color", "--debug", "--endpoint-url", "--no-paginate", "--no-sign-request",
    "--no-verify-ssl", "--output", "--profile", "--query", "--region", "--v2-debug", "--version",
    "--cli-binary-format", "--no-cli-pager", "--cli-auto-prompt", "--no-cli-auto-prompt",
];

/**
 * `aws <service> <operation>` and each operation's options: the argument tables of awscli 1.45.11 (the AWS CLI's
 * own command definitions, botocore 1.43.11's service models plus the CLI's customizations such as `s3 ls`,
 * `ecr get-login-password`, `cloudtrail validate-logs` and the `wait` commands), read with awscli's clidriver. Every
 * AWS flag takes a value except the boolean ones, so the parser does not need arities: a word starting with `--` is a
 * flag, anything else a value.
 */
export const AWS: Record<string, string> = {
    "rds modify-db-instance":
        "--additional-storage-volumes --allocated-storage --allow-major-version-upgrade --apply-immediately " +
        "--auto-minor-version-upgrade --automation-mode --aws-backup-recovery-point-arn --backup-retention-period " +
        "--ca-certificate-identifier --certificate-rotation-restart --cli-input-json " +
        "--cloudwatch-logs-export-configuration --copy-tags-to-snapshot --database-insights-mode " +
        "--db-instance-class --db-instance-identifier --db-parameter-group-name --db-port-number " +
        "--db-security-groups --db-subnet-group-name --dedicated-log-volume --deletion-protection " +
        "--disable-domain --domain --domain-auth-secret-arn --domain-dns-ips --domain-fqdn --domain-iam-role-name " +
        "--domain-ou --enable-customer-owned-ip --enable-iam-database-authentication " +
        "--enable-performance-insights --engine --engine-version --generate-cli-skeleton --iops --license-model " +
        "--manage-master-user-password --master-user-authentication-type --master-user-password " +
        "--master-user-secret-kms-key-id --max-allocated-storage --monitoring-interval --monitoring-role-arn " +
        "--multi-az --multi-tenant --network-type --new-db-instance-identifier --no-allow-major-version-upgrade " +
        "--no-apply-immediately --no-auto-minor-version-upgrade --no-certificate-rotation-restart " +
        "--no-copy-tags-to-snapshot --no-dedicated-log-volume --no-deletion-protection --no-disable-domain " +
        "--no-enable-customer-owned-ip --no-enable-iam-database-authentication --no-enable-performance-insights " +
        "--no-manage-master-user-password --no-multi-az --no-multi-tenant --no-publicly-accessible " +
        "--no-rotate-master-user-password --no-use-default-processor-features --option-group-name " +
        "--performance-insights-kms-key-id --performance-insights-retention-period --preferred-backup-window " +
        "--preferred-maintenance-window --processor-features --promotion-tier --publicly-accessible " +
        "--replica-mode --resume-full-automation-mode-minutes --rotate-master-user-password --storage-throughput " +
        "--storage-type --tag-specifications --tde-credential-arn --tde-credential-password " +
        "--use-default-processor-features --vpc-security-group-ids",
    "rds describe-db-instances":
        "--cli-input-json --db-instance-identifier --filters --generate-cli-skeleton --marker --max-items " +
        "--max-records --page-size --starting-token",
    "rds delete-db-instance":
        "--cli-input-json --db-instance-identifier --delete-automated-backups --final-db-snapshot-identifier " +
        "--generate-cli-skeleton --no-delete-automated-backups --no-skip-final-snapshot --skip-final-snapshot",
    "rds stop-db-instance-automated-backups-replication": "--cli-input-json --generate-cli-skeleton --source-db-instance-arn",
    "rds describe-db-instance-automated-backups":
        "--cli-input-json --db-instance-automated-backups-arn --db-instance-identifier --dbi-resource-id " +
        "--filters --generate-cli-skeleton --marker --max-items --max-records --page-size --starting-token",
    "sts get-caller-identity": "--cli-input-json --generate-cli-skeleton",
    "ecs run-task":
        "--capacity-provider-strategy --cli-input-json --client-token --cluster --count --disable-execute-command " +
        "--enable-ecs-managed-tags --enable-execute-command --generate-cli-skeleton --group --launch-type " +
        "--network-configuration --no-enable-ecs-managed-tags --overrides --placement-constraints " +
        "--placement-strategy --platform-version --propagate-tags --reference-id --started-by --tags " +
        "--task-definition --volume-configurations",
    "ecs update-service":
        "--availability-zone-rebalancing --capacity-provider-strategy --cli-input-json --cluster " +
        "--deployment-configuration --deployment-controller --desired-count --disable-execute-command " +
        "--enable-ecs-managed-tags --enable-execute-command --force-new-deployment --generate-cli-skeleton " +
        "--health-check-grace-period-seconds --load-balancers --network-configuration " +
        "--no-enable-ecs-managed-tags --no-force-new-deployment --placement-constraints --placement-strategy " +
        "--platform-version --propagate-tags --service --service-connect-configuration --service-registries " +
        "--task-definition --volume-configurations --vpc-lattice-configurations",
    "ecs describe-tasks": "--cli-input-json --cluster --generate-cli-skeleton --include --tasks",
    "ecs wait tasks-stopped": "--cli-input-json --cluster --generate-cli-skeleton --include --tasks",
    "cloudtrail validate-logs": "--account-id --end-time --s3-bucket --s3-prefix --start-time --trail-arn --verbose",
    "cloudtrail delete-trail": "--cli-input-json --generate-cli-skeleton --name",
    "backup delete-backup-vault-lock-configuration": "--backup-vault-name --cli-input-json --generate-cli-skeleton",
    "secretsmanager stop-replication-to-replica": "--cli-input-json --generate-cli-skeleton --secret-id",
    "secretsmanager put-secret-value":
        "--cli-input-json --client-request-token --generate-cli-skeleton --rotation-token --secret-binary " +
        "--secret-id --secret-string --version-stages",
    "s3control create-job":
        "--account-id --cli-input-json --client-request-token --confirmation-required --description " +
        "--generate-cli-skeleton --manifest --manifest-generator --no-confirmation-required --operation " +
        "--priority --report --role-arn --tags",
    "s3control describe-job": "--account-id --cli-input-json --generate-cli-skeleton --job-id",
    "s3api head-object":
        "--bucket --checksum-mode --cli-input-json --expected-bucket-owner --generate-cli-skeleton --if-match " +
        "--if-modified-since --if-none-match --if-unmodified-since --key --part-number --range --request-payer " +
        "--response-cache-control --response-content-disposition --response-content-encoding " +
        "--response-content-language --response-content-type --response-expires --sse-customer-algorithm " +
        "--sse-customer-key --sse-customer-key-md5 --version-id",
    "s3api get-object-attributes":
        "--bucket --cli-input-json --expected-bucket-owner --generate-cli-skeleton --key --max-parts " +
        "--object-attributes --part-number-marker --request-payer --sse-customer-algorithm --sse-customer-key " +
        "--sse-customer-key-md5 --version-id",
    "s3 sync":
        "--acl --cache-control --case-conflict --checksum-algorithm --checksum-mode --content-disposition " +
        "--content-encoding --content-language --content-type --dryrun --exclude --expires --follow-symlinks " +
        "--follow_symlinks --force-glacier-transfer --grants --ignore-glacier-warnings --include --metadata " +
        "--metadata-directive --no-follow-symlinks --no-guess-mime-type --no-progress --only-show-errors " +
        "--page-size --quiet --request-payer --source-region --sse --sse-c --sse-c-copy-source " +
        "--sse-c-copy-source-key --sse-c-key --sse-kms-key-id --storage-class --website-redirect",
    "s3 ls":
        "--bucket-name-prefix --bucket-region --human-readable --page-size --recursive --request-payer " +
        "--summarize",
    "s3 cp":
        "--acl --cache-control --case-conflict --checksum-algorithm --checksum-mode --content-disposition " +
        "--content-encoding --content-language --content-type --dryrun --exclude --expected-size --expires " +
        "--follow-symlinks --follow_symlinks --force-glacier-transfer --grants --ignore-glacier-warnings " +
        "--include --metadata --metadata-directive --no-follow-symlinks --no-guess-mime-type --no-progress " +
        "--only-show-errors --page-size --quiet --recursive --request-payer --source-region --sse --sse-c " +
        "--sse-c-copy-source --sse-c-copy-source-key --sse-c-key --sse-kms-key-id --storage-class " +
        "--website-redirect",
    "route53 list-hosted-zones-by-name": "--cli-input-json --dns-name --generate-cli-skeleton --hosted-zone-id --max-items",
    "ecr get-login-password": "",
    "ecr describe-images":
        "--cli-input-json --filter --generate-cli-skeleton --image-ids --max-items --max-results --next-token " +
        "--page-size --registry-id --repository-name --starting-token",
    "application-autoscaling register-scalable-target":
        "--cli-input-json --generate-cli-skeleton --max-capacity --min-capacity --resource-id --role-arn " +
        "--scalable-dimension --service-namespace --suspended-state --tags",
    "application-autoscaling describe-scalable-targets":
        "--cli-input-json --generate-cli-skeleton --max-items --max-results --next-token --page-size " +
        "--resource-ids --scalable-dimension --service-namespace --starting-token",
};

/** Docker CLI reference (docs/reference/commandline/{login,tag,push}.md in docker/cli). */
export const DOCKER: Record<string, FlagList> = {
    login: ["-p=", "--password=", "--password-stdin", "-u=", "--username="],
    tag: [],
    push: ["-a", "--all-tags", "--disable-content-trust", "--platform=", "-q", "--quiet"],
};

/** Provider config keys a stack may set besides the project's own (`pulumi config set aws:region ...`). */
export const PROVIDER_KEYS = ["aws:region", "aws:profile", "aws:allowedAccountIds"];

/** npm's own subcommands the docs use, and npm flags allowed before `--`. */
export const NPM_COMMANDS = ["ci", "install", "test", "start", "run"];
export const NPM_FLAGS = ["--silent", "-s", "--prefix="];
