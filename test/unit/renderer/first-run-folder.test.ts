// First-run "Where data lives" (operator finding F4): a relative path said "Choose a folder first."
// although one was typed, and a Windows drive path (C:\…) counted as full but never ran the preflight.
import { describe, expect, it } from 'vitest';
import { isFullPath, preflightWaitText, shownDataDir } from '../../../src/renderer/src/first-run/folder';

describe('first-run data folder', () => {
  it.each([
    ['/home/op/.the_block', true],
    ['/work/dätä 数据 🚀', true],
    ['C:\\Users\\op\\The Block', true],
    ['d:/tb', true],
    ['relative/dir', false],
    ['~/.the_block', true],
    ['~/tbx', true],
    ['~', true],
    ['~op/tbx', false],
    ['./~/tbx', false],
    ['', false],
  ])('%j is a full path: %s', (p, full) => {
    expect(isFullPath(p)).toBe(full);
  });

  it.each([
    ['', 'Choose a folder first.'],
    ['   ', 'Choose a folder first.'],
    ['relative/dir', 'Give a full path (starting with / or ~/) to run the checks.'],
    ['~/tbx', 'Checking…'],
    ['/srv/tb', 'Checking…'],
    ['C:\\tb', 'Checking…'],
  ])('the preflight panel for %j says %j', (p, text) => {
    expect(preflightWaitText(p)).toBe(text);
  });

  it('a ~/… folder is shown as the host expanded it for that same path, else as typed', () => {
    const answer = { asked: '~/tbx/dev', data_dir: '/home/op/tbx/dev' };
    expect(shownDataDir('~/tbx/dev', answer)).toBe('/home/op/tbx/dev');
    expect(shownDataDir('~/tbx/dev', undefined)).toBe('~/tbx/dev');
    expect(shownDataDir('~/other/dev', answer)).toBe('~/other/dev'); // the answer is for another path
    expect(shownDataDir('/srv/tb/dev', { asked: '/srv/tb/dev', data_dir: '/srv/tb/dev' })).toBe('/srv/tb/dev');
  });
});
