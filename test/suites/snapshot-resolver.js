// Snapshots live beside the file that takes them (`<dir>/__snapshots__/<file>.snap`), also when the
// file runs inside its unit group: the `programs` group's snapshots are test/stacks/stacks.test.ts's,
// the only file in it that takes any.
const path = require("path");

const GROUP_SNAPSHOTS = {
    [path.join(__dirname, "programs.test.ts")]: path.join(__dirname, "../stacks/stacks.test.ts"),
};

module.exports = {
    resolveSnapshotPath: (testPath, extension) => {
        const owner = GROUP_SNAPSHOTS[testPath] ?? testPath;
        return path.join(path.dirname(owner), "__snapshots__", path.basename(owner) + extension);
    },
    resolveTestPath: (snapshotPath, extension) =>
        path.join(path.dirname(path.dirname(snapshotPath)), path.basename(snapshotPath, extension)),
    testPathForConsistencyCheck: "test/core/names.test.ts",
};
