import { describe, expect, it } from 'vitest';
import { openMetricsToPrometheusText, wantsOpenMetrics } from '../../core/server/metrics-text';

describe('OpenMetrics -> Prometheus text', () => {
  const open = [
    '# HELP llm_requests LLM requests by outcome',
    '# TYPE llm_requests counter',
    'llm_requests_total{model="m",status="success"} 3',
    '# HELP agent_ollama_request_duration_seconds Whole request',
    '# TYPE agent_ollama_request_duration_seconds histogram',
    'agent_ollama_request_duration_seconds_bucket{le="0.5",model="m"} 1 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 0.31 1700000000.123',
    'agent_ollama_request_duration_seconds_count{model="m"} 1',
    '# EOF',
    '',
  ].join('\n');

  it('names counter families with _total, drops exemplars and # EOF', () => {
    expect(openMetricsToPrometheusText(open)).toBe(
      [
        '# HELP llm_requests_total LLM requests by outcome',
        '# TYPE llm_requests_total counter',
        'llm_requests_total{model="m",status="success"} 3',
        '# HELP agent_ollama_request_duration_seconds Whole request',
        '# TYPE agent_ollama_request_duration_seconds histogram',
        'agent_ollama_request_duration_seconds_bucket{le="0.5",model="m"} 1',
        'agent_ollama_request_duration_seconds_count{model="m"} 1',
        '',
      ].join('\n'),
    );
  });

  it('negotiates on the Accept header', () => {
    expect(wantsOpenMetrics('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5')).toBe(true);
    expect(wantsOpenMetrics('*/*')).toBe(false);
    expect(wantsOpenMetrics(undefined)).toBe(false);
  });
});
