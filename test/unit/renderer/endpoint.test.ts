// The Overview's endpoint rows: a listen address (as configured, port possibly 0) and the bound
// port become the host:port an operator on this machine can curl.
import { describe, expect, it } from 'vitest';
import { reachableEndpoint } from '../../../src/renderer/src/format';

describe('reachableEndpoint', () => {
  it.each([
    ['127.0.0.1:0', 26658, '127.0.0.1:26658'],
    ['127.0.0.1:26658', 26658, '127.0.0.1:26658'],
    ['localhost:8545', 8545, 'localhost:8545'],
    ['192.168.1.20:0', 40001, '192.168.1.20:40001'],
    ['[::1]:0', 26658, '[::1]:26658'],
    // Wildcards are listen-only: shown as the loopback address of their family.
    ['0.0.0.0:26658', 26658, '127.0.0.1:26658'],
    ['[::]:0', 26658, '[::1]:26658'],
  ])('%s bound on %i → %s', (addr, port, shown) => {
    expect(reachableEndpoint(addr, port)).toBe(shown);
  });
});
