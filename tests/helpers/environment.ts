// Loaded by mocha before every spec file (.mocharc.json "require"), in each parallel worker.
// The AWS SDK v3 warns once per process that its releases after the first week of January 2027 need Node 22; the
// tests pin the SDK in package-lock.json, so the warning says nothing about them and would only bury the results.
// The tools a user runs keep it, as README.md says.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
