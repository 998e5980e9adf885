// The CrossGuard pack entry: `pulumi preview --policy-pack policies`. Only constructs the pack; never import it.
import { PolicyPack } from "@pulumi/policy";
import { packName, policies } from "./pack";

new PolicyPack(packName, { policies });
