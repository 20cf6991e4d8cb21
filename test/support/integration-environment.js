// Jest environment of the integration tests: the node environment, plus a
// failure count that suites read in afterAll to keep the control plane's logs
// when something failed. Plain JS: jest loads environments before any transform.
import { TestEnvironment } from 'jest-environment-node';

export default class IntegrationEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') {
      this.global.__integrationFailures = (this.global.__integrationFailures ?? 0) + 1;
    }
  }
}
