// Test helper: records every child a component registers, with the options the engine would see.
//
// Protect and retainOnDelete never reach Pulumi mocks (MockResourceArgs has no options), so tests read them
// here instead: a transformation on the component is inherited by all its children and sees their opts.
// What this cannot prove: that the engine honours the flags (it always does) or options set by the engine.
import * as pulumi from "@pulumi/pulumi";

export interface CapturedResource {
    type: string;
    name: string;
    props: Record<string, unknown>;
    protect: boolean;
    retainOnDelete: boolean;
    dependsOn: unknown[];
    ignoreChanges: string[];
    customTimeouts?: pulumi.CustomTimeouts;
}

export interface Capture {
    /** Pass these options to the component under test. */
    opts: pulumi.ComponentResourceOptions;
    resources: CapturedResource[];
    /** The child with this name (and type, when names repeat across types); throws listing the names seen. */
    named(name: string, type?: string): CapturedResource;
    ofType(type: string): CapturedResource[];
    /** Resolves the child's props (nested Outputs included) to plain values. */
    inputs(name: string, type?: string): Promise<Record<string, any>>;
}

export function capture(): Capture {
    const resources: CapturedResource[] = [];
    const transformation: pulumi.ResourceTransformation = (args) => {
        const dependsOn = args.opts.dependsOn;
        resources.push({
            type: args.type, name: args.name, props: args.props as Record<string, unknown>,
            protect: args.opts.protect === true, retainOnDelete: args.opts.retainOnDelete === true,
            dependsOn: dependsOn === undefined ? [] : Array.isArray(dependsOn) ? dependsOn : [dependsOn],
            ignoreChanges: args.opts.ignoreChanges ?? [],
            customTimeouts: (args.opts as pulumi.CustomResourceOptions).customTimeouts,
        });
        return undefined;
    };
    const named = (name: string, type?: string): CapturedResource => {
        const found = resources.find((r) => r.name === name && (type === undefined || r.type === type));
        if (!found) throw new Error(`no resource named ${name}; seen: ${resources.map((r) => r.name).join(", ")}`);
        return found;
    };
    return {
        opts: { transformations: [transformation] },
        resources,
        named,
        ofType: (type) => resources.filter((r) => r.type === type),
        inputs: (name, type) => new Promise((resolve) => {
            pulumi.output(named(name, type).props).apply((v) => { resolve(v as Record<string, any>); return v; });
        }),
    };
}
