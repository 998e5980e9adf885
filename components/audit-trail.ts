// The audit trail: who read or wrote which document, kept where nobody can rewrite it.
//
// A multi-region CloudTrail trail with log file validation (hourly signed digest files), encrypted with this region's
// logs key, records every management event and the S3 object events (reads and writes) of the data buckets in both
// regions. It delivers to an Object Lock bucket `vbr-<env>-trail-<region>`, versioned and replicated to its twin in the
// peer region like every data bucket. The primary runs the trail; the DR stack holds the twin and, from failover on,
// runs its own trail from region B into it. The primary also runs the monthly replica verification.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TRAIL_BUCKET } from "../policies/model/naming";
import { REPLICATION_DESTINATION, TAGS } from "../policies/model/tags";
import { IntegrityCheckArgs, scheduleIntegrityCheck } from "./integrity-check";
import { replicationRules } from "./document-store";
import { PeerTwinsArgs, replicateBuckets } from "./replication";
import { SecureBucket } from "./secure-bucket";

export interface AuditTrailArgs extends PeerTwinsArgs {
    /** This region's logs CMK: the trail's files and the bucket's default encryption. */
    logsKeyArn: pulumi.Input<string>;
    /** Run the trail from this stack: the primary always, the DR stack in failover. */
    trail: boolean;
    /** The log bucket's default Object Lock: mode and days (the longest restore point's retention). */
    lock: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number };
    /** Buckets whose S3 object events the trail records (names). Never the log buckets: that would loop. */
    dataEventBuckets: string[];
    /** The monthly replica verification (the primary). @default - none */
    verification?: Omit<IntegrityCheckArgs, "naming" | "region" | "accountId" | "logsKeyArn" | "tags">;
    /** Tags for what exists in every state (the platform adds `vbr:standby = kept` in the DR stack). @default {} */
    tags?: Record<string, string>;
}

/** The trail's event selectors: every management event, and S3 object events (read and write) of `buckets`. */
export function trailSelectors(buckets: string[]): aws.types.input.cloudtrail.TrailAdvancedEventSelector[] {
    return [
        { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
        {
            name: "S3 object events of the data buckets",
            fieldSelectors: [
                { field: "eventCategory", equals: ["Data"] },
                { field: "resources.type", equals: ["AWS::S3::Object"] },
                // The trailing slash: `vbr-prod-documents-us-east-1` alone would also match `...-us-east-1-old`.
                { field: "resources.ARN", startsWiths: buckets.map((b) => `arn:aws:s3:::${b}/`) },
            ],
        },
    ];
}

export class AuditTrail extends pulumi.ComponentResource {
    readonly bucket: SecureBucket;
    readonly trail?: aws.cloudtrail.Trail;
    /** The monthly verification's function (primary). */
    readonly verifier?: aws.lambda.Function;

    constructor(name: string, args: AuditTrailArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vbr:audit:AuditTrail", name, {}, opts);
        const { naming, region, peerRegion } = args;
        const account = pulumi.output(args.accountId);
        const bucketName = naming.bucketName(TRAIL_BUCKET, region);
        // The trail that writes here: this region's (the DR stack's exists only in failover; naming it before is harmless).
        const trailArn = account.apply((acct) => naming.trailArn(region, acct));
        const tags: Record<string, string> = { ...args.tags, [TAGS.dataClass]: TRAIL_BUCKET };
        if (args.role === "dr") tags[TAGS.replication] = REPLICATION_DESTINATION;
        this.bucket = new SecureBucket(`${name}-bucket`, {
            bucketName, region, kmsKeyArn: args.logsKeyArn, tags,
            // Both twins lock: S3 replicates locked objects only into a locked bucket.
            objectLockDays: args.lock.days, objectLockMode: args.lock.mode,
            // S3 then passes CloudTrail's encryption context to KMS, which the logs key's CloudTrail statements require.
            bucketKey: false,
            // CloudTrail's bucket policy (CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail"), held to this trail.
            policyStatements: [
                {
                    Sid: "CloudTrailAclCheck", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:GetBucketAcl",
                    Resource: `arn:aws:s3:::${bucketName}`, Condition: { StringEquals: { "aws:SourceArn": trailArn } },
                },
                {
                    Sid: "CloudTrailWrite", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:PutObject",
                    Resource: pulumi.interpolate`arn:aws:s3:::${bucketName}/AWSLogs/${account}/*`,
                    Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
                },
            ],
        }, { parent: this });
        if (args.replicateToPeer ?? args.role === "primary") {
            const [rule] = replicationRules(naming, region, peerRegion, [TRAIL_BUCKET]);
            replicateBuckets(this, name, {
                region, destinationRegion: peerRegion, sourceKeyArn: args.logsKeyArn,
                replicaKey: { aliasArn: naming.keyAliasArn("logs", peerRegion, args.accountId), aliasName: naming.keyAlias("logs"), accountId: args.accountId },
                links: [{ resourceName: `${name}-bucket`, ruleId: rule.ruleId, source: this.bucket, destinationBucketName: rule.destination }],
                tags: args.tags,
            });
        }
        if (args.trail) {
            // Created in the DR stack only by failover: without the standby marker, so the bring-up model counts it.
            const { [TAGS.standby]: _kept, ...trailTags } = args.tags ?? {};
            this.trail = new aws.cloudtrail.Trail(name, {
                name: naming.trailName(region), region, s3BucketName: this.bucket.bucket.id,
                isMultiRegionTrail: true, includeGlobalServiceEvents: true, enableLogFileValidation: true, enableLogging: true,
                kmsKeyId: args.logsKeyArn, advancedEventSelectors: trailSelectors(args.dataEventBuckets), tags: trailTags,
                // Deleting the trail would end the record: like a data store, only on purpose (pulumi state unprotect).
            }, { parent: this, protect: true, retainOnDelete: true, dependsOn: [this.bucket.policy] });
        }
        if (args.verification) {
            this.verifier = scheduleIntegrityCheck(this, name, {
                ...args.verification, naming, region, accountId: args.accountId, logsKeyArn: args.logsKeyArn, tags: args.tags,
            });
        }
        this.registerOutputs({ bucket: this.bucket.name, trailArn: this.trail?.arn });
    }
}
