// The `programs` unit group in one module registry (see groups.js).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, shared with jest.config.js
const { unitFiles } = require("./groups");

for (const file of unitFiles("programs") as string[]) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the test files register their tests as they load
    require(file);
}
