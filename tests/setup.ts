// Runs in every test fork before its file: workers log warnings and errors only, so a failing
// test's output is about the test.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });
