// `npm run verify:cost`: measures what the replica verification costs per million object versions. It runs the real
// verification (tools/verify/replica.ts) against moto's S3 server (python3 -m moto.server; pip install 'moto[server]')
// over a bucket pair of N replicated versions, counts the S3 requests it makes, and prices them at us-east-1's S3
// request prices. The Lambda's compute and the responses' transfer are estimates, printed with their assumptions.
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Command } from "commander";
import { CliIO, parseArgs, positiveInt, processIO, runMain } from "./lib/cli";
import { motoS3Client, startMoto } from "./lib/moto";
import { verifyPair } from "./verify/replica";
import { requestCost } from "./verify/report";

/** Lambda arm64 in us-east-1: USD per GB-second and per request; the function has 1 GB. */
const LAMBDA = { gbSecond: 0.0000133334, request: 0.0000002, memoryGb: 1 };
/** Assumed: two GetObjectAttributes in flight per version pair at 16 at once, ~30 ms each against S3 in-region and cross-region. */
const ASSUMED_VERSIONS_PER_SECOND = 500;
/** Data transfer out of the DR region for the replica's responses (~1 KB each), USD per GB. */
const TRANSFER = { perGb: 0.02, bytesPerResponse: 1024 };

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
    const program = new Command("verify:cost")
        .description("Measure the replica verification's S3 requests per version against moto's server and price them per million versions.")
        .option("--versions <n>", "replicated versions to create and verify", positiveInt, 3000)
        .allowExcessArguments(false);
    const parsed = parseArgs(program, argv, io);
    if (parsed !== undefined) return parsed;
    const { versions } = program.opts<{ versions: number }>();
    const moto = await startMoto();
    try {
        const clients = new Map<string, S3Client>();
        const client = (region: string) => clients.get(region) ?? clients.set(region, motoS3Client(moto.endpoint, region)).get(region)!;
        const pair = { name: "documents", source: { bucket: "cost-source", region: "us-east-1" }, replica: { bucket: "cost-replica", region: "us-west-2" } };
        for (const b of [pair.source, pair.replica]) {
            await client(b.region).send(new CreateBucketCommand({ Bucket: b.bucket, CreateBucketConfiguration: b.region === "us-east-1" ? undefined : { LocationConstraint: "us-west-2" } }));
            await client(b.region).send(new PutBucketVersioningCommand({ Bucket: b.bucket, VersioningConfiguration: { Status: "Enabled" } }));
        }
        for (let i = 0; i < versions; i++) {
            // Two versions of each key, as documents get revised; the same seed gives the replica the source's version id.
            for (const b of [pair.source, pair.replica]) {
                await moto.seed(i);
                await client(b.region).send(new PutObjectCommand({ Bucket: b.bucket, Key: `doc-${Math.floor(i / 2)}.pdf`, Body: `version ${i}`, ChecksumAlgorithm: "SHA256" }));
            }
        }
        const r = await verifyPair(pair, { client, now: () => Date.now() + 3_600_000 });
        for (const c of clients.values()) c.destroy();
        if (r.counts.matched !== versions) throw new Error(`expected ${versions} matched versions, got ${JSON.stringify(r.counts)}`);
        const perMillion = 1_000_000 / versions;
        const s3 = requestCost({ list: r.requests.list * perMillion, attributes: r.requests.attributes * perMillion });
        const seconds = 1_000_000 / ASSUMED_VERSIONS_PER_SECOND;
        const lambda = seconds * LAMBDA.memoryGb * LAMBDA.gbSecond + Math.ceil(seconds / 780) * LAMBDA.request;
        const transfer = (1_000_000 * TRANSFER.bytesPerResponse / 1024 ** 3) * TRANSFER.perGb;
        io.stdout([
            `measured: ${versions} versions (${Math.ceil(versions / 2)} keys) verified with ${r.requests.list} LIST and ${r.requests.attributes} GetObjectAttributes requests`,
            `per million versions: ${Math.round(r.requests.list * perMillion)} LIST ($${(r.requests.list * perMillion * 0.005 / 1000).toFixed(4)}) + ` +
                `${Math.round(r.requests.attributes * perMillion)} GetObjectAttributes ($${(r.requests.attributes * perMillion * 0.0004 / 1000).toFixed(4)}) = $${s3.toFixed(4)} in S3 requests (us-east-1 prices)`,
            `estimated: Lambda $${lambda.toFixed(4)} (${Math.round(seconds / 60)} min at ${ASSUMED_VERSIONS_PER_SECOND} versions/s, 1 GB arm64), ` +
                `transfer $${transfer.toFixed(4)} (~1 KB per response out of the DR region); total about $${(s3 + lambda + transfer).toFixed(2)} per million versions`,
        ].join("\n") + "\n");
        return 0;
    } finally {
        await moto.stop();
    }
}

if (require.main === module) runMain((argv) => main(argv));
