import { describe, expect, it } from 'vitest';
import { freePort } from '../../../src/node-core/net/localnet.js';

describe('freePort', () => {
  it('never hands out one port twice in a process (TCP and UDP alike), so a plan’s nodes cannot collide', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 150; i++) ports.push(await freePort(i % 2 ? 'udp' : 'tcp'));
    expect(new Set(ports).size).toBe(ports.length);
  });
});
