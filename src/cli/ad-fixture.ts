/**
 * Presence/readiness fixture generator for a dev chain (issue 15): deterministic acknowledged
 * impressions (`ad_market.record_acks` items) spread over `hosts` hosts and `providers`
 * providers, premium-tier travel/news interests, all in one presence bucket.
 * Used by `contract-cli ad-market dev-feed` (examples/ad-market/README.md), the e2e and the integration test.
 */
export interface FixtureOptions {
  viewers: number;
  hosts: number;
  providers: number;
  bucket?: string;
  seed?: number;
  /** First viewer index (to add new distinct viewers in a later call). */
  offset?: number;
}

export interface FixtureAck {
  viewer: string;
  host: string;
  provider: string;
  domain_tier: 'premium';
  interest_tag: string;
  presence_bucket: string;
  badges: string[];
  population: number;
}

export function fixtureAcks(o: FixtureOptions): FixtureAck[] {
  const off = o.offset ?? 0;
  return Array.from({ length: o.viewers }, (_, k) => {
    const i = k + off;
    return {
      viewer: `viewer-${(o.seed ?? 0).toString(16)}-${i.toString(16).padStart(6, '0')}`,
      host: `host-${i % o.hosts}`,
      provider: `provider-${i % o.providers}`,
      domain_tier: 'premium',
      interest_tag: i % 4 === 3 ? 'news' : 'travel',
      presence_bucket: o.bucket ?? '',
      badges: o.bucket ? ['presence:localnet'] : [],
      population: 50,
    };
  });
}
