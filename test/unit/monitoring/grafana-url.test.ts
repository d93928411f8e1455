// The console's dashboard links: `<grafana>/d/<uid>` for http(s) addresses only, and every uid
// the console links to is a generated dashboard.
import { describe, expect, it } from 'vitest';
import { allDashboards } from '../../../monitoring/src/catalog.js';
import { DASHBOARD_UIDS, grafanaDashboardUrl } from '../../../src/shared/monitoring.js';

describe('grafanaDashboardUrl', () => {
  it.each([
    ['http://localhost:3000', 'http://localhost:3000/d/tb-governor'],
    ['https://grafana.example.org/', 'https://grafana.example.org/d/tb-governor'],
    ['  https://example.org/grafana//  ', 'https://example.org/grafana/d/tb-governor'],
    ['https://example.org/g?orgId=1#x', 'https://example.org/g/d/tb-governor'],
  ])('%s → %s', (base, url) => expect(grafanaDashboardUrl(base, 'tb-governor')).toBe(url));

  it.each(['', 'localhost:3000', 'javascript:alert(1)', 'file:///etc/passwd', 'ftp://x', 'https://user:pw@example.org', 'not a url'])(
    'refuses %j',
    (base) => expect(grafanaDashboardUrl(base, 'tb-governor')).toBeUndefined(),
  );

  it('every linked uid is a generated dashboard', () => {
    const uids = allDashboards().map((d) => d.uid);
    for (const uid of Object.values(DASHBOARD_UIDS)) expect(uids).toContain(uid);
  });
});
