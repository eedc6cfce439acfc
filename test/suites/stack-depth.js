// Runs in every test file's environment before its tests (jest's `setupFiles`). jest deepens every
// stack trace to 100 frames; each error a test provokes (the sweep and the catalog provoke
// thousands of refusals) then captures 100 frames. Node's default depth of 10 is what a failing
// test's report needs.
Error.stackTraceLimit = 10;
