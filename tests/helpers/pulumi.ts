// Test helpers: mocks with realistic AWS answers, and one way to turn Outputs into Promises.
import * as pulumi from "@pulumi/pulumi";
import { AwsMocks, StackOutputs } from "../../tools/harness/mocks";

/** Installs AwsMocks for a stack in `region`; call before constructing resources. */
export function useMocks(region: string, stack = "test", stackOutputs: StackOutputs = {}, preview = false): AwsMocks {
    const mocks = new AwsMocks({ region, stackOutputs });
    // "organization": what a self-managed backend reports, as in the offline plan.
    pulumi.runtime.setMocks(mocks, "vbr", stack, preview, "organization");
    return mocks;
}

/** The value of an Output, for `await` in async tests. */
export function promiseOf<T>(output: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(output).apply((v) => { resolve(v as T); return v; }));
}
