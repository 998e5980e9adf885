import { expect } from "chai";
import { albLoggingTo, asDestinationStack, asAccessLogShape, baseline, find, policySpec, reported, res, set, UNKNOWN, PEER, REGION } from "./fixtures";
import type { RecordedResource } from "../../tools/harness/analyzer";

const POLICY = "s3-bucket-access-audited";
const fix = (name: string) => `Fix: add to a multi-region aws.cloudtrail.Trail of this stack with enableLogFileValidation an advanced event selector ` +
    `{ eventCategory Equals ["Data"], resources.type Equals ["AWS::S3::Object"], resources.ARN StartsWith ["arn:aws:s3:::${name}/"] }, or an aws.s3.BucketLogging for it.`;
const notLogged = (b: string, why: string, what = "no trail of this stack logs its object reads and writes") =>
    `Bucket "${b}" holds data but ${what}${why}, and it has no server access logging: who read or wrote its objects is not on record. ${fix(`vbr-${b}-${REGION}`)}`;
const replicaNotLogged = (b: string) => `Bucket "${b}" replicates to vbr-${b}-${PEER}, whose object reads and writes no trail of this stack logs: ` +
    `the DR copy's access is not on record (the DR stack runs no trail before failover). ${fix(`vbr-${b}-${PEER}`)}`;

/** The baseline trail's object selector's field selectors. */
const objectSelector = (rs: RecordedResource[]) => (find(rs, "cloudtrail").inputs.advancedEventSelectors as Array<{ fieldSelectors: Array<Record<string, unknown>> }>)[1].fieldSelectors;
const arnCondition = (rs: RecordedResource[]) => objectSelector(rs).find((f) => f.field === "resources.ARN")!;
const withoutTrail = (rs: RecordedResource[]) => rs.splice(rs.indexOf(find(rs, "cloudtrail")), 1);

policySpec(POLICY, {
    cases: [
        { name: "no trail in a stack with source buckets (its replicas and its log bucket are then judged like any bucket)", change: withoutTrail,
            expect: ["documents", "audit", "trail"].map((b) => ({ name: b, message: notLogged(b, " (the stack has no CloudTrail trail)") })) },
        { name: "a single-region trail without log file validation", change: (rs) => {
            set(find(rs, "cloudtrail"), ["isMultiRegionTrail"], false);
            set(find(rs, "cloudtrail"), ["enableLogFileValidation"], false);
        }, expect: ["documents", "audit"].map((b) => ({ name: b, message: notLogged(b, ' (Trail "cloudtrail": it is not multi-region (isMultiRegionTrail), it has no log file validation (enableLogFileValidation))') })) },
        { name: "a trail whose logging is off", change: (rs) => set(find(rs, "cloudtrail"), ["enableLogging"], false),
            expect: ["documents", "audit"].map((b) => ({ name: b, message: notLogged(b, ' (Trail "cloudtrail": its logging is off (enableLogging: false))') })) },
        { name: "selectors that leave out a bucket", change: (rs) => { arnCondition(rs).startsWiths = [`arn:aws:s3:::vbr-documents-${REGION}/`, `arn:aws:s3:::vbr-documents-${PEER}/`]; },
            expect: [{ name: "audit", message: notLogged("audit", "") }] },
        { name: "a shorter prefix of the objects' ARNs covers them", change: (rs) => { arnCondition(rs).startsWiths = ["arn:aws:s3:::vbr-"]; },
            expect: [] },
        { name: "reads only (readOnly Equals true)", change: (rs) => objectSelector(rs).push({ field: "readOnly", equals: ["true"] }),
            expect: ["documents", "audit"].map((b) => ({ name: b, message: notLogged(b, "", "only its object reads are logged") })) },
        { name: "a selector narrowed by eventName records only those events, so it does not count", change: (rs) => objectSelector(rs).push({ field: "eventName", equals: ["PutObject"] }),
            expect: ["documents", "audit"].map((b) => ({ name: b, message: notLogged(b, "") })) },
        { name: "a NotStartsWith that excludes part of a bucket", change: (rs) => arnCondition(rs).notStartsWiths = [`arn:aws:s3:::vbr-audit-${REGION}/private/`],
            expect: [{ name: "audit", message: notLogged("audit", "") }] },
        { name: "the source covered but not its DR replica", change: (rs) => { arnCondition(rs).startsWiths = ["documents", "audit"].map((b) => `arn:aws:s3:::vbr-${b}-${REGION}/`); },
            expect: [{ name: "documents", message: replicaNotLogged("documents") }, { name: "audit", message: replicaNotLogged("audit") }] },
        { name: "basic event selectors with ReadOnly data resources", change: (rs) => {
            const t = find(rs, "cloudtrail");
            delete t.inputs.advancedEventSelectors;
            t.inputs.eventSelectors = [{ readWriteType: "ReadOnly", dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }] }];
        }, expect: ["documents", "audit"].map((b) => ({ name: b, message: notLogged(b, "", "only its object reads are logged") })) },
        { name: "basic event selectors on every bucket, All", change: (rs) => {
            const t = find(rs, "cloudtrail");
            delete t.inputs.advancedEventSelectors;
            t.inputs.eventSelectors = [{ readWriteType: "All", dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }] }];
        }, expect: [] },
        { name: "server access logging instead of the trail", change: (rs) => {
            withoutTrail(rs);
            for (const b of ["documents", "audit", "trail"]) rs.push(res("aws:s3/bucketLogging:BucketLogging", `${b}-logging`, { bucket: `vbr-${b}-${REGION}`, targetBucket: "vbr-logs", targetPrefix: `${b}/` }, { bucket: [find(rs, b)] }));
        }, expect: [] },
        { name: "a copy of the trail's log bucket in this stack needs no record (it holds CloudTrail's files), even while the rule's ARN is unknown", change: (rs) => {
            const copy = res("aws:s3/bucket:Bucket", "trail-copy", { bucket: `vbr-trail-${PEER}`, region: PEER }, {}, { protect: true, retainOnDelete: true });
            rs.push(copy);
            const rule = find(rs, "trail-replication");
            set(rule, ["rules", 0, "destination", "bucket"], UNKNOWN);
            rule.propertyDependencies.rules = [copy.urn];
        }, expect: [] },
        { name: "in a stack without a trail, replication destinations are judged by their source stack", change: (rs) => {
            withoutTrail(rs);
            asDestinationStack(rs, "documents", "audit", "trail");
        }, expect: [] },
        { name: "a proven ALB access-log bucket needs no record of its own", change: (rs) => {
            withoutTrail(rs);
            for (const b of ["documents", "audit", "trail"]) rs.push(res("aws:s3/bucketLogging:BucketLogging", `${b}-logging`, { bucket: `vbr-${b}-${REGION}`, targetBucket: "x" }, { bucket: [find(rs, b)] }));
            const logs = asAccessLogShape(rs, "audit");
            rs.splice(rs.indexOf(find(rs, "audit-logging")), 1);
            albLoggingTo(rs, logs);
        }, expect: [] },
    ],
    unknown: { name: "the trail's selectors unknown", change: (rs) => set(find(rs, "cloudtrail"), ["advancedEventSelectors"], UNKNOWN), expect: "advisory" },
});

describe(`${POLICY} on the trail's own bucket`, () => {
    it("exempts the bucket a trail of the stack delivers to (logging its object events would log its own deliveries), and its replica", async () => {
        // The baseline's trail logs nothing of vbr-trail-*: no violation for it nor for its replication destination.
        expect(await reported(POLICY, baseline())).to.deep.equal([]);
    });

    it("finds the trail's bucket through the property dependency while its name is unknown", async () => {
        const rs = baseline();
        set(find(rs, "cloudtrail"), ["s3BucketName"], UNKNOWN);
        expect(await reported(POLICY, rs)).to.deep.equal([]);
        find(rs, "cloudtrail").propertyDependencies = {};
        expect((await reported(POLICY, rs)).map((v) => v.name)).to.deep.equal(["trail"]);
    });
});

describe(`${POLICY} and buckets another stack's trail records`, () => {
    /** A stack holding only the state backend's source bucket, without a trail (stacks/state-backend). */
    const stateStack = () => {
        const rs = baseline();
        withoutTrail(rs);
        for (const b of ["audit", "trail"]) rs.splice(rs.indexOf(find(rs, b)), 1);
        set(find(rs, "documents"), ["bucket"], `vbr-prod-state-${REGION}`);
        return rs;
    };

    it("passes the state backend's buckets by default (recordedElsewhere: vbr-*-state-*), and fails them when the config names none", async () => {
        expect(await reported(POLICY, stateStack())).to.deep.equal([]);
        expect((await reported(POLICY, stateStack(), { [POLICY]: { recordedElsewhere: [] } })).map((v) => v.name)).to.deep.equal(["documents"]);
        expect(await reported(POLICY, stateStack(), { [POLICY]: { recordedElsewhere: ["vbr-prod-state-us-east-1"] } })).to.deep.equal([]);
    });
});
