// Test helpers: mocks with realistic AWS answers, and one way to turn Outputs into Promises.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { AwsMocks, StackOutputs } from "../../tools/harness/mocks";
import { loadSdk } from "../../tools/harness/recorder";

/** The SDK's runtime internals (setMockOptions, getStore, waitForRPCs are not in its public typings), as the recorder loads them. */
export const sdk = loadSdk(path.resolve(__dirname, "..", ".."));
const { setMockOptions } = sdk.settings;
const { getStore } = sdk.state;

/** The mocks answering now: every spec file installs its own. */
let current: pulumi.runtime.Mocks | undefined;
const delegate: pulumi.runtime.Mocks = {
    newResource: (args) => current!.newResource(args),
    call: (args) => current!.call(args),
};
/**
 * One monitor for the whole mocha process. Spec files build resources when they load or in hooks, and the SDK
 * finishes a registration (its outputs) asynchronously: with a new monitor per file, a late registration of one file
 * would reach a monitor that never saw the resource. The monitor remembers every resource; the mocks it asks change.
 */
let monitor: MockMonitor | undefined;

/** Installs AwsMocks for a stack in `region`; call before constructing resources. */
export function useMocks(region: string, stack = "test", stackOutputs: StackOutputs = {}, preview = false): AwsMocks {
    const mocks = new AwsMocks({ region, stackOutputs });
    current = mocks;
    monitor ??= new MockMonitor(delegate);
    // "organization": what a self-managed backend reports, as in the offline plan.
    setMockOptions(monitor, "vbr", stack, preview, "organization");
    // The features the SDK's own setMocks turns on (everything but output values).
    Object.assign(getStore(), {
        supportsSecrets: true, supportsResourceReferences: true, supportsOutputValues: false, supportsDeletedWith: true,
        supportsReplaceWith: true, supportsAliasSpecs: true, supportsTransforms: false, supportsParameterization: true,
        supportsResourceHooks: true, supportsErrorHooks: true,
    });
    return mocks;
}

/** The value of an Output, for `await` in async tests. */
export function promiseOf<T>(output: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(output).apply((v) => { resolve(v as T); return v; }));
}
