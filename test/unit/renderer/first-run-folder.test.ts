// First-run "Where data lives" (operator finding F4): a relative path said "Choose a folder first."
// although one was typed, and a Windows drive path (C:\…) counted as full but never ran the preflight.
import { describe, expect, it } from 'vitest';
import { isFullPath, preflightWaitText } from '../../../src/renderer/src/first-run/folder';

describe('first-run data folder', () => {
  it.each([
    ['/home/op/.the_block', true],
    ['/work/dätä 数据 🚀', true],
    ['C:\\Users\\op\\The Block', true],
    ['d:/tb', true],
    ['relative/dir', false],
    ['~/.the_block', false],
    ['', false],
  ])('%j is a full path: %s', (p, full) => {
    expect(isFullPath(p)).toBe(full);
  });

  it.each([
    ['', 'Choose a folder first.'],
    ['   ', 'Choose a folder first.'],
    ['relative/dir', 'Give a full path (starting with /) to run the checks.'],
    ['/srv/tb', 'Checking…'],
    ['C:\\tb', 'Checking…'],
  ])('the preflight panel for %j says %j', (p, text) => {
    expect(preflightWaitText(p)).toBe(text);
  });
});
