// Where tests/stacks/plan-snapshot.test.ts reads the report's view of a resource; the report is tools/plan/report.ts.
export { reportResource } from "../plan/report";
