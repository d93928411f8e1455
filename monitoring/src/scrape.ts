/** The Prometheus scrape job name of The Block's nodes (monitoring/prometheus.yml); alerts on generic series (`up`, `process_*`) select it. */
export const SCRAPE_JOB = 'the-block';
