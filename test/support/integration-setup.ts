import { jest } from '@jest/globals';

// A control plane takes seconds to start and kubectl calls add up; jest's 5 s default is for unit tests.
jest.setTimeout(120_000);
