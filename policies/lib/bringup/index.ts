// The DR bring-up time model: which resources a standby -> drill/failover `pulumi up` creates, and how long it takes.
//
// Pure functions over a resource graph (the offline plan's RecordedResource, or a policy's PolicyResource adapted
// to GraphResource), in four parts:
//   1. durations.ts: p50/p90 seconds per resource type and slow operation (policies/data/provisioning-times.json).
//   2. selection.ts: the steps, from two recorded graphs (`stepsFromDiff`: standby vs active) or, when only the
//      active graph is known (the RTO policy), from the `vbr:standby = kept` tag (`stepsFromTags`); awsx.ts: awsx
//      components count as the children their plugin creates.
//   3. schedule.ts: `simulate`, Pulumi's step executor.
//   4. estimate.ts: both quantiles, the critical path, and when DNS serves from the DR region.
// Lives under policies/ because the RTO policy uses it and a published pack contains only policies/.
export { awsxChildren, childUrn, ComponentPart, natGatewayCount } from "./awsx";
export { estimateFor, Estimate, loadProvisioningTimes, ProvisioningTimes, PROVISIONING_TIMES_FILE, Quantile } from "./durations";
export { BringUpEstimate, dnsServesAt, DnsServes, estimateBringUp, isDrStack, toMinutes } from "./estimate";
export { BringUpStep, ENGINE_UNKNOWN, GraphResource, ModelOptions, Operation } from "./graph";
export { defaultParallel, Schedule, ScheduledStep, simulate } from "./schedule";
export { buildSteps, diffSelector, isKept, Selection, stepsFromDiff, stepsFromTags, tagSelector } from "./selection";
