/**
 * Key shapes from gitleaks' maintained rule set (config/gitleaks.toml of gitleaks v8.30.1, MIT),
 * the rules for credentials an ML workflow handles, rewritten for JavaScript: `(?i:..)` groups
 * become character classes and the trailing delimiter group is dropped (the key itself is
 * masked, whatever follows it). The id is gitleaks' rule id, so a rule can be compared with its
 * source when gitleaks changes it.
 */
export const GITLEAKS_RULES: Array<{ id: string; re: RegExp }> = [
  { id: 'gcp-api-key', re: /\bAIza[\w-]{35}/g },
  { id: 'gitlab-pat', re: /glpat-[\w-]{20}/g },
  { id: 'gitlab-pat-routable', re: /\bglpat-[0-9a-zA-Z_-]{27,300}\.[0-9a-z]{2}[0-9a-z]{7}\b/g },
  { id: 'gitlab-ptt', re: /glptt-[0-9a-f]{40}/g },
  { id: 'gitlab-rrt', re: /GR1348941[\w-]{20}/g },
  { id: 'gitlab-deploy-token', re: /gldt-[0-9a-zA-Z_-]{20}/g },
  { id: 'npm-access-token', re: /\b[nN][pP][mM]_[a-zA-Z0-9]{36}/g },
  { id: 'jwt', re: /\bey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/\\_-]{17,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?/g },
  { id: 'huggingface-access-token', re: /\bhf_[a-zA-Z]{34}/g },
  { id: 'huggingface-organization-api-token', re: /\bapi_org_[a-zA-Z]{34}/g },
  { id: 'pypi-upload-token', re: /pypi-AgEIcHlwaS5vcmc[\w-]{50,1000}/g },
  { id: 'slack-bot-token', re: /xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*/g },
];
