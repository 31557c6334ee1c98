import { isSensitiveName, type Redactor } from '../runs/redact.js';

/**
 * Variables a sandboxed command receives from labpilot's environment: the allow-list below and
 * the names a playbook's stage adds. Everything else (API keys, tokens, cloud settings) stays
 * out, whatever its name; a value that holds a secret is dropped even when its name is allowed.
 */
const BASE = [
  'PATH',
  'LANG',
  'LANGUAGE',
  'LC_*',
  'TERM',
  'TZ',
  'USER',
  'LOGNAME',
  'SHELL',
  'COLUMNS',
  'NO_COLOR',
  'FORCE_COLOR',
  'CI',
  'PYTHONPATH',
  'PYTHONUNBUFFERED',
  'PYTHONDONTWRITEBYTECODE',
  'PYTHONIOENCODING',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'CONDA_DEFAULT_ENV',
  'NODE_PATH',
  'JAVA_HOME',
  'CUDA_VISIBLE_DEVICES',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
  'NODE_EXTRA_CA_CERTS',
];

const matcher = (patterns: string[]): RegExp =>
  new RegExp(`^(?:${patterns.map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')).join('|')})$`);

export interface SandboxEnvOptions {
  /** Extra names (wildcards allowed) a stage may receive, e.g. `MODAL_*`. */
  allow?: string[];
  /** Set over the allowed ones (labpilot's own values, e.g. HOME and TMPDIR). */
  set?: Record<string, string>;
  /** Drops any allowed value that holds a secret. */
  redactor?: Redactor;
}

export function sandboxEnv(inherit: NodeJS.ProcessEnv, o: SandboxEnvOptions = {}): Record<string, string> {
  const base = matcher(BASE);
  const extra = o.allow?.length ? matcher(o.allow) : undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(inherit)) {
    if (v === undefined) continue;
    const named = extra?.test(k) ?? false;
    if (!named && (!base.test(k) || isSensitiveName(k))) continue;
    // A stage may be given a token it names; nothing else may carry one in.
    if (!named && o.redactor?.holdsSecret(v)) continue;
    out[k] = v;
  }
  return { ...out, ...o.set };
}
