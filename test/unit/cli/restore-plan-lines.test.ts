// `contract-cli snapshots restore` plan text (operator finding F6): a refused restore (tampered
// snapshot, another chain's genesis) printed "the current data is kept as … until you remove it"
// although nothing was moved or kept.
import { describe, expect, it } from 'vitest';
import { planLines } from '../../../src/cli/commands/snapshots-output';
import type { RestorePlan } from '../../../src/shared/api/snapshots-restore';

const plan = (ok: boolean): RestorePlan => ({
  data_dir: '/srv/tb/dev',
  checks: [{ id: 'chain_id', label: 'Chain id and genesis', ok, detail: ok ? 'chain id 31337' : 'the snapshot is of another chain' }],
  subsystems: [{ id: 'chain', label: 'Chain database', action: 'replace', current_bytes: 2048, snapshot_bytes: 1024 }],
  current_height: 12,
  pre_restore_path: '/srv/tb/dev.pre-restore-20261207T040000Z',
  ok,
});

describe('restore plan lines', () => {
  it('a plan that can go ahead says where the current data will be kept', () => {
    const text = planLines(plan(true)).join('\n');
    expect(text).toContain('if you go ahead, the current data is kept as /srv/tb/dev.pre-restore-20261207T040000Z until you remove it');
    expect(text).not.toContain('nothing will be changed');
  });

  it('a refused plan says nothing will be changed, not where data is kept', () => {
    const text = planLines(plan(false)).join('\n');
    expect(text).toContain('FAIL Chain id and genesis');
    expect(text).toContain('nothing will be changed: fix the FAIL above first');
    expect(text).not.toContain('pre-restore');
  });
});
