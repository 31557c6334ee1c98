import { EnvironmentError } from '../errors.js';

/**
 * What each backend needs to reach its model, checked before a run clones anything. Apart from
 * the backends themselves, so a check (or a hook call) does not load their SDKs.
 */

export const ANTHROPIC_KEY_MISSING = 'ANTHROPIC_API_KEY is not set: export it, or point ANTHROPIC_BASE_URL at a stand-in';

/**
 * Why the backend cannot talk to its model with this environment (a missing key), so that a
 * run fails before it clones anything. Claude Code may use its own login: not checked here.
 */
export function missingCredentials(name: string, env: Record<string, string | undefined>): EnvironmentError | undefined {
  if (name === 'anthropic' && !env.ANTHROPIC_API_KEY) return new EnvironmentError(ANTHROPIC_KEY_MISSING);
  if (name === 'langchain:openai' && !env.OPENAI_API_KEY) {
    return new EnvironmentError('OPENAI_API_KEY is not set: export it, or point OPENAI_BASE_URL at a stand-in or a local server');
  }
  return undefined;
}
