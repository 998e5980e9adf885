// Service: listener and TLS policy, the certificate kept off the bring-up path, least-privilege roles with exact
// ARNs, the access-log bucket, the task definition, steady-state waiting, scaling, and what standby leaves out.
//
// What mocks cannot prove: that ACM issues the certificate, that ELB accepts the bucket policy for log delivery,
// or that the container really answers /health.
import { expect } from "chai";
import { useMocks, promiseOf } from "../helpers/pulumi";
import { capture, Capture } from "../helpers/capture";

useMocks("us-east-1", "primary");
import * as pulumi from "@pulumi/pulumi";
import { SecureBucket } from "../../components/secure-bucket";
import { Service, ServiceArgs } from "../../components/service";

const ACCOUNT = "123456789012";
const KEYS = {
    logs: `arn:aws:kms:us-east-1:${ACCOUNT}:key/logs-key`,
    data: `arn:aws:kms:us-east-1:${ACCOUNT}:key/data-key`,
    secrets: `arn:aws:kms:us-east-1:${ACCOUNT}:key/secrets-key`,
};
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:vbr-prod/database/master-AbCdEf`;
const REPO_ARN = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/vbr-prod/app`;
const bucket = (b: string) => ({ name: `vbr-prod-${b}-us-east-1`, arn: `arn:aws:s3:::vbr-prod-${b}-us-east-1` });

function args(active: boolean): ServiceArgs {
    return {
        region: "us-east-1", active, domainName: "app.example.com", hostedZoneId: "Z0123456789ABC",
        accessLogBucketName: "vbr-prod-alb-logs-us-east-1",
        vpcId: "vpc-1", publicSubnetIds: ["subnet-pub-a", "subnet-pub-b"], privateSubnetIds: ["subnet-priv-a", "subnet-priv-b"],
        albSecurityGroupId: "sg-alb", taskSecurityGroupId: "sg-task",
        logsKeyArn: KEYS.logs, dataKeyArn: KEYS.data, secretsKeyArn: KEYS.secrets,
        buckets: { documents: bucket("documents"), reports: bucket("reports"), audit: bucket("audit") },
        secretArn: active ? SECRET : undefined,
        database: active ? { address: "db.internal", port: 5432 } : undefined,
        repositoryUrl: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/vbr-prod/app`, repositoryArn: REPO_ARN,
        imageTag: "stable", desiredCount: 3, maxCount: 12, keptTags: { "vbr:standby": "kept" },
    };
}

const inputsOf = (cap: Capture, type: string, name?: string): Promise<Record<string, any>> => {
    const found = cap.ofType(type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} ${name ?? ""}, found ${found.length}`);
    return promiseOf(found[0].props as Record<string, any>);
};

describe("Service", () => {
    const active = capture();
    const svc = new Service("app", args(true), active.opts);
    const standby = capture();
    const idle = new Service("idle", args(false), standby.opts);

    it("serves HTTPS on 443 with the TLS 1.3 policy and the certificate, and redirects HTTP to HTTPS", async () => {
        const https = await inputsOf(active, "aws:lb/listener:Listener", "app-https");
        expect([https.port, https.protocol, https.sslPolicy]).to.deep.equal([443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06"]);
        expect(https.certificateArn).to.equal(await promiseOf(svc.certificateArn));
        expect(https.defaultActions).to.have.length(1);
        expect(https.defaultActions[0].type).to.equal("forward");
        expect(https.defaultActions[0].targetGroupArn).to.match(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/app-tg\//);
        const http = await inputsOf(active, "aws:lb/listener:Listener", "app-http");
        expect([http.port, http.protocol]).to.deep.equal([80, "HTTP"]);
        expect(http.defaultActions).to.deep.equal([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
    });

    it("keeps certificate validation off the listener's path (no dependency) unless asked for the first install", async () => {
        expect(active.named("app-https").dependsOn).to.deep.equal([]);
        const first = capture();
        new Service("first", { ...args(true), waitForCertificateValidation: true }, first.opts);
        expect(first.named("first-https").dependsOn).to.have.length(1);
        expect((first.named("first-https").dependsOn[0] as { __pulumiType?: string }).__pulumiType ?? "").to.equal("aws:acm/certificateValidation:CertificateValidation");
    });

    it("validates the certificate for the domain and drill.<domain> with retained, overwritable records in the zone", async () => {
        const cert = await inputsOf(standby, "aws:acm/certificate:Certificate");
        expect([cert.domainName, cert.subjectAlternativeNames, cert.validationMethod]).to.deep.equal(["app.example.com", ["drill.app.example.com"], "DNS"]);
        const records = standby.ofType("aws:route53/record:Record");
        expect(records.map((r) => [r.name, r.retainOnDelete])).to.deep.equal([["idle-cert-validation-0", true], ["idle-cert-validation-1", true]]);
        const r0 = await promiseOf(records[0].props as Record<string, any>);
        const r1 = await promiseOf(records[1].props as Record<string, any>);
        expect([r0.zoneId, r0.type, r0.ttl, r0.allowOverwrite]).to.deep.equal(["Z0123456789ABC", "CNAME", 60, true]);
        expect(r0.name).to.match(/\.app\.example\.com\.$/);
        expect(r1.name).to.match(/\.drill\.app\.example\.com\.$/);
        expect(standby.ofType("aws:acm/certificateValidation:CertificateValidation")).to.have.length(1);
    });

    it("puts the ALB in the public subnets, drops invalid headers and logs to the SSE-S3 access-log bucket", async () => {
        const lb = await inputsOf(active, "aws:lb/loadBalancer:LoadBalancer");
        expect([lb.loadBalancerType, lb.internal, lb.dropInvalidHeaderFields]).to.deep.equal(["application", false, true]);
        expect(lb.subnets).to.deep.equal(["subnet-pub-a", "subnet-pub-b"]);
        expect(lb.securityGroups).to.deep.equal(["sg-alb"]);
        expect(lb.accessLogs).to.deep.equal({ bucket: "vbr-prod-alb-logs-us-east-1", prefix: "alb", enabled: true });
        // The whole access-log bucket component (policy, encryption, public access block...) is ready first.
        const deps = active.named("app-alb").dependsOn as pulumi.Resource[];
        expect(deps).to.have.length(1);
        expect(deps[0]).to.be.instanceOf(SecureBucket);
    });

    it("protects the access-log bucket: versioned, AES256 (ELB cannot write SSE-KMS), private, TLS-only, ELB delivery only", async () => {
        const b = active.ofType("aws:s3/bucket:Bucket")[0];
        expect([b.protect, b.retainOnDelete]).to.deep.equal([true, true]);
        expect((await promiseOf(b.props as Record<string, any>)).tags).to.deep.include({ "vbr:data-class": "access-logs", "vbr:standby": "kept" });
        expect((await inputsOf(active, "aws:s3/bucketVersioning:BucketVersioning")).versioningConfiguration).to.deep.equal({ status: "Enabled" });
        expect((await inputsOf(active, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")).rules)
            .to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
        const pab = await inputsOf(active, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        expect([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets]).to.deep.equal([true, true, true, true]);
        const policy = JSON.parse((await inputsOf(active, "aws:s3/bucketPolicy:BucketPolicy")).policy);
        const logs = `arn:aws:s3:::vbr-prod-alb-logs-us-east-1/alb/AWSLogs/${ACCOUNT}/*`;
        expect(policy.Statement).to.deep.equal([
            {
                Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*",
                Resource: ["arn:aws:s3:::vbr-prod-alb-logs-us-east-1", "arn:aws:s3:::vbr-prod-alb-logs-us-east-1/*"],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            { Sid: "ElbLogDeliveryAccount", Effect: "Allow", Principal: { AWS: "arn:aws:iam::127311923021:root" }, Action: "s3:PutObject", Resource: logs },
            { Sid: "ElbLogDeliveryService", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: logs },
        ]);
    });

    it("health-checks targets on /health, 2 healthy / 2 unhealthy every 10 s, ip targets on the app port", async () => {
        const tg = await inputsOf(active, "aws:lb/targetGroup:TargetGroup");
        expect([tg.targetType, tg.port, tg.protocol]).to.deep.equal(["ip", 8080, "HTTP"]);
        expect(tg.healthCheck).to.deep.include({ path: "/health", healthyThreshold: 2, unhealthyThreshold: 2, interval: 10, matcher: "200" });
    });

    it("grants the task role S3 on exactly the three document buckets and the data key, nothing else", async () => {
        const policy = JSON.parse((await inputsOf(active, "aws:iam/rolePolicy:RolePolicy", "app-task")).policy);
        expect(policy.Statement).to.deep.equal([
            { Sid: "ListDocumentBuckets", Effect: "Allow", Action: "s3:ListBucket", Resource: ["documents", "reports", "audit"].map((b) => bucket(b).arn) },
            { Sid: "ReadWriteDocuments", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: ["documents", "reports", "audit"].map((b) => `${bucket(b).arn}/*`) },
            { Sid: "UseDataKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: KEYS.data },
        ]);
    });

    it("in a drill (read-only documents) grants only reads on the DR copies and decrypt on the data key", async () => {
        const drill = capture();
        new Service("drill", { ...args(true), documentAccess: "read-only" }, drill.opts);
        const policy = JSON.parse((await inputsOf(drill, "aws:iam/rolePolicy:RolePolicy", "drill-task")).policy);
        expect(policy.Statement).to.deep.equal([
            { Sid: "ListDocumentBuckets", Effect: "Allow", Action: "s3:ListBucket", Resource: ["documents", "reports", "audit"].map((b) => bucket(b).arn) },
            { Sid: "ReadDocuments", Effect: "Allow", Action: "s3:GetObject", Resource: ["documents", "reports", "audit"].map((b) => `${bucket(b).arn}/*`) },
            { Sid: "UseDataKey", Effect: "Allow", Action: "kms:Decrypt", Resource: KEYS.data },
        ]);
    });

    it("grants the execution role the repository, its own log group, the DB secret and the secrets key only", async () => {
        const policy = JSON.parse((await inputsOf(active, "aws:iam/rolePolicy:RolePolicy", "app-execution")).policy);
        expect(policy.Statement).to.deep.equal([
            { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            { Sid: "PullImage", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource: REPO_ARN },
            { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/vbr/app/app:*` },
            { Sid: "InjectDatabaseSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: SECRET },
            { Sid: "DecryptDatabaseSecret", Effect: "Allow", Action: "kms:Decrypt", Resource: KEYS.secrets },
        ]);
        for (const role of active.ofType("aws:iam/role:Role")) {
            const trust = JSON.parse((await promiseOf(role.props as Record<string, any>)).assumeRolePolicy);
            expect(trust.Statement[0].Principal).to.deep.equal({ Service: "ecs-tasks.amazonaws.com" });
            expect(trust.Statement[0].Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": ACCOUNT } });
        }
    });

    it("runs the region's own image without a container health check (the target group's decides), DB env, the secret's keys and logs to the logs-CMK group", async () => {
        const group = await inputsOf(active, "aws:cloudwatch/logGroup:LogGroup");
        expect([group.kmsKeyId, group.retentionInDays]).to.deep.equal([KEYS.logs, 365]);
        const td = await inputsOf(active, "aws:ecs/taskDefinition:TaskDefinition");
        expect([td.networkMode, td.requiresCompatibilities]).to.deep.equal(["awsvpc", ["FARGATE"]]);
        const [c] = JSON.parse(td.containerDefinitions);
        expect(c.image).to.equal(`${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/vbr-prod/app:stable`);
        expect(c.healthCheck).to.equal(undefined);
        expect(c.secrets).to.deep.equal([
            { name: "DB_USERNAME", valueFrom: `${SECRET}:username::` },
            { name: "DB_PASSWORD", valueFrom: `${SECRET}:password::` },
        ]);
        expect(c.environment).to.deep.include.members([
            { name: "DB_HOST", value: "db.internal" }, { name: "DB_PORT", value: "5432" },
            { name: "DOCUMENTS_BUCKET", value: "vbr-prod-documents-us-east-1" }, { name: "AUDIT_BUCKET", value: "vbr-prod-audit-us-east-1" },
        ]);
        expect(c.logConfiguration.options).to.deep.equal({ "awslogs-group": "/vbr/app/app", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app" });
    });

    it("waits for steady state, rolls back failed deployments, runs in private subnets without public IPs", async () => {
        const s = await inputsOf(active, "aws:ecs/service:Service");
        expect(s.waitForSteadyState).to.equal(true);
        expect(s.deploymentCircuitBreaker).to.deep.equal({ enable: true, rollback: true });
        expect([s.desiredCount, s.launchType]).to.deep.equal([3, "FARGATE"]);
        // Auto scaling owns the count after creation: an update must not scale a busy service back to 3.
        expect(active.named("app-service", "aws:ecs/service:Service").ignoreChanges).to.deep.equal(["desiredCount"]);
        expect(s.networkConfiguration).to.deep.equal({ subnets: ["subnet-priv-a", "subnet-priv-b"], securityGroups: ["sg-task"], assignPublicIp: false });
        expect(s.loadBalancers[0]).to.deep.include({ containerName: "app", containerPort: 8080 });
        const cluster = await inputsOf(active, "aws:ecs/cluster:Cluster");
        expect(cluster.settings).to.deep.equal([{ name: "containerInsights", value: "enabled" }]);
    });

    it("scales between desired and max on CPU 60 % and 1000 requests per target", async () => {
        const t = await inputsOf(active, "aws:appautoscaling/target:Target");
        expect([t.minCapacity, t.maxCapacity, t.scalableDimension]).to.deep.equal([3, 12, "ecs:service:DesiredCount"]);
        const cpu = await inputsOf(active, "aws:appautoscaling/policy:Policy", "app-scale-cpu");
        expect(cpu.targetTrackingScalingPolicyConfiguration).to.deep.include({ targetValue: 60, predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" } });
        const req = await inputsOf(active, "aws:appautoscaling/policy:Policy", "app-scale-requests");
        const spec = req.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification;
        expect(spec.predefinedMetricType).to.equal("ALBRequestCountPerTarget");
        expect(spec.resourceLabel).to.match(/^app\/app-alb\/[0-9a-f]{16}\/targetgroup\/app-tg\/[0-9a-f]{16}$/);
    });

    it("keeps only the cluster, certificate, log group, roles and log bucket in standby", async () => {
        const types = [...new Set(standby.resources.map((r) => r.type))].sort();
        expect(types).to.deep.equal([
            "aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation",
            "aws:cloudwatch/logGroup:LogGroup", "aws:ecs/cluster:Cluster", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy",
            "aws:route53/record:Record", "aws:s3/bucket:Bucket", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketPolicy:BucketPolicy",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketVersioning:BucketVersioning", "vbr:service:Service", "vbr:storage:SecureBucket",
        ]);
        expect(idle.alb).to.equal(undefined);
        expect(idle.serviceName).to.equal(undefined);
        expect((await inputsOf(standby, "aws:ecs/cluster:Cluster")).tags).to.deep.equal({ "vbr:standby": "kept" });
    });

    describe("the one-off database check (validationTask: the DR stack in drill or failover)", () => {
        const checked = capture();
        const dr = new Service("dr", { ...args(true), database: { address: "db.internal", port: 5432, resourceId: "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ" }, validationTask: true }, checked.opts);

        it("has its own task role that may only connect as vbr_validator to the serving instance", async () => {
            const policy = JSON.parse((await checked.inputs("dr-validator", "aws:iam/rolePolicy:RolePolicy")).policy);
            expect(policy.Statement).to.deep.equal([{
                Sid: "ConnectAsValidator", Effect: "Allow", Action: "rds-db:connect",
                Resource: `arn:aws:rds-db:us-east-1:${ACCOUNT}:dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXYZ/vbr_validator`,
            }]);
            const trust = JSON.parse((await checked.inputs("dr-validator", "aws:iam/role:Role")).assumeRolePolicy);
            expect(trust.Statement[0]).to.deep.include({ Principal: { Service: "ecs-tasks.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } });
        });

        it("runs the app's image with the validation command, IAM auth and the RDS CA bundle, no secret, logging to the app log group", async () => {
            const td = await checked.inputs("dr-validate", "aws:ecs/taskDefinition:TaskDefinition");
            const roles = await Promise.all(["dr-execution", "dr-validator"].map((n) => checked.inputs(n, "aws:iam/role:Role")));
            expect([td.family, td.networkMode, td.requiresCompatibilities, td.cpu, td.memory]).to.deep.equal(["dr-validate", "awsvpc", ["FARGATE"], "256", "512"]);
            expect(td.executionRoleArn).to.match(/:role\/dr-execution-/);
            expect(td.taskRoleArn).to.match(/:role\/dr-validator-/);
            expect(roles).to.have.length(2);
            const [c] = JSON.parse(td.containerDefinitions);
            expect(c).to.deep.equal({
                name: "validate", image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/vbr-prod/app:stable`, essential: true,
                command: ["vbr-db-check", "verify"],
                environment: [
                    { name: "DB_HOST", value: "db.internal" }, { name: "DB_PORT", value: "5432" },
                    { name: "DB_IAM_USER", value: "vbr_validator" }, { name: "DB_TLS_CA_FILE", value: "/etc/ssl/certs/rds-global-bundle.pem" },
                    { name: "AWS_REGION", value: "us-east-1" },
                ],
                logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/vbr/dr/app", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "validate" } },
            });
        });

        it("exports both one-off tasks with the private subnets and the task security group", async () => {
            const tasks = await promiseOf(dr.tasks);
            expect(Object.keys(tasks)).to.deep.equal(["app", "validation"]);
            expect(tasks.validation).to.deep.include({
                container: "validate", subnets: ["subnet-priv-a", "subnet-priv-b"], securityGroups: ["sg-task"], logGroup: "/vbr/dr/app", logStreamPrefix: "validate",
            });
            expect(tasks.validation!.cluster).to.match(/^arn:aws:ecs:us-east-1:123456789012:cluster\/dr-cluster/);
            expect(tasks.validation!.taskDefinition).to.match(/:task-definition\/dr-validate/);
            expect(tasks.app).to.deep.include({ container: "app", logStreamPrefix: "app" });
            expect(tasks.app!.taskDefinition).to.match(/:task-definition\/dr:/);
            // The primary (no validationTask) exports only its app task; standby neither.
            expect(Object.keys(await promiseOf(svc.tasks))).to.deep.equal(["app"]);
            expect(await promiseOf(idle.tasks)).to.deep.equal({});
        });

        it("refuses the validation task without the database's resourceId (rds-db:connect is granted per instance)", () => {
            expect(() => new Service("nores", { ...args(true), validationTask: true })).to.throw(/the validation task needs the database's resourceId/);
        });
    });

    it("refuses an active service without the database or its secret, naming both", () => {
        expect(() => new Service("bad", { ...args(true), secretArn: undefined, database: undefined }))
            .to.throw(/secretArn is required when active.*database is required when active/);
    });
});
