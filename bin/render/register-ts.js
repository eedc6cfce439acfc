// `node --require ./bin/render/register-ts.js <file.ts>`: TypeScript loaded by the render command's
// loader (ts-loader.js) for the whole process, as `npm run render` runs
// the command from its sources.
const { mapStackTracesWhenAsked, register } = require("./ts-loader");

mapStackTracesWhenAsked();
register();
