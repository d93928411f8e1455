// The CLI's command list (src/cli/commands/index.ts) is what contract-cli registers, in order; a
// group whose module fails to load becomes a stub that names the failure instead of taking the
// other groups down.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_GROUPS, loadCommandGroup, loadCommandGroups } from '../../../src/cli/commands/index.js';
import { buildContractCli } from '../../../src/cli/contract-cli.js';

describe('CLI command list', () => {
  it('contract-cli registers exactly the listed groups, in list order', async () => {
    const program = await buildContractCli();
    expect(program.commands.map((c) => c.name())).toEqual(COMMAND_GROUPS.map((g) => g.name));
    for (const c of program.commands) expect(c.description()).not.toMatch(/unavailable/);
  });

  it('loads one group alone (console server mode loads only `console`)', async () => {
    const c = await loadCommandGroup('console');
    expect(c.name()).toBe('console');
    expect(c.options.map((o) => o.long)).toContain('--no-open');
  });

  it('a group that fails to load becomes a stub that fails with the reason when run', async () => {
    const groups = [
      { name: 'ok', load: async () => new Command('ok') },
      { name: 'broken', load: async () => { throw new Error('Cannot find module ./gone.js\n    at stack'); } },
      { name: 'misnamed', load: async () => new Command('other') },
    ];
    const cmds = await loadCommandGroups((n) => new Command(n), groups);
    expect(cmds.map((c) => c.name())).toEqual(['ok', 'broken', 'misnamed']);
    expect(cmds[0].description()).toBe('');
    expect(cmds[1].description()).toBe('(unavailable: the broken commands failed to load)');
    const program = new Command('t').exitOverride().addCommand(cmds[1]).addCommand(cmds[2]);
    await expect(program.parseAsync(['node', 't', 'broken', '--x'])).rejects.toThrow('the broken commands failed to load: Cannot find module ./gone.js');
    await expect(program.parseAsync(['node', 't', 'misnamed'])).rejects.toThrow('built a command named "other"');
  });
});
