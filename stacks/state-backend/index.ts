// Bootstrap program: the state backend the vbr stacks log in to. Deployed once, with a local backend.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AWS_REGIONS, ConfigProblem, formatProblems } from "../config";
import { Naming } from "../../policies/model/naming";
import { StateBackend } from "../../components/state-backend";

function readConfig(): { region: string; peerRegion: string; environment: string } {
    const region = new pulumi.Config("aws").get("region");
    const peerRegion = new pulumi.Config().get("peerRegion");
    const environment = new pulumi.Config().get("environment") ?? "prod";
    const problems: ConfigProblem[] = [];
    const known = AWS_REGIONS as readonly string[];
    if (region === undefined || !known.includes(region)) problems.push({ key: "aws:region", value: region, message: `must be one of: ${known.join(", ")}` });
    if (peerRegion === undefined || !known.includes(peerRegion)) problems.push({ key: "vbr-state:peerRegion", value: peerRegion, message: `must be one of: ${known.join(", ")}` });
    else if (peerRegion === region) problems.push({ key: "vbr-state:peerRegion", value: peerRegion, message: "must differ from aws:region: the replica must survive a regional outage" });
    if (!/^[a-z][a-z0-9-]{0,9}[a-z0-9]$/.test(environment)) problems.push({ key: "vbr-state:environment", value: environment, message: "must be 2-11 lower-case letters, digits or hyphens" });
    if (problems.length > 0) throw new pulumi.RunError(formatProblems(pulumi.getStack(), problems));
    return { region: region as string, peerRegion: peerRegion as string, environment };
}

const config = readConfig();
const backend = new StateBackend(`vbr-${config.environment}-state`, {
    naming: new Naming(`${config.environment}-state`),
    region: config.region,
    peerRegion: config.peerRegion,
    accountId: aws.getCallerIdentityOutput().accountId,
});

export const loginUrls = backend.bucketNames.map((name, i) =>
    pulumi.interpolate`s3://${name}?region=${i === 0 ? config.region : config.peerRegion}&awssdk=v2`);
