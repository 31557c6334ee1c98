import Anthropic from '@anthropic-ai/sdk';
import type { EventSink } from '../ports.js';
import type { ReviewerModel } from '../evidence/reviewer.js';
import { noticingFetch } from './transport.js';

/**
 * The reviewer's model, on the provider the run's agent uses: one plain request, no tools, no
 * conversation (it sees the rubric and the diff, never the agent's account of its work). A run
 * whose agent is Claude Code reviews through the Messages API, as Claude Code itself does.
 */
export function reviewerFromEnv(o: { agent: string; model: string; env: Record<string, string | undefined>; sink: EventSink }): ReviewerModel | undefined {
  const { env } = o;
  if (o.agent === 'langchain:openai') {
    if (!env.OPENAI_API_KEY) return undefined;
    return {
      model: o.model,
      async ask(question) {
        // LangChain loads in about a second: only a run that reviews pays for it.
        const { ChatOpenAI } = await import('@langchain/openai');
        const chat = new ChatOpenAI({ model: o.model, apiKey: env.OPENAI_API_KEY, configuration: { baseURL: env.OPENAI_BASE_URL || undefined } });
        const reply = await chat.invoke([{ role: 'user', content: question }]);
        return typeof reply.content === 'string' ? reply.content : reply.content.map((p) => ('text' in p ? p.text : '')).join('');
      },
    };
  }
  if (!env.ANTHROPIC_API_KEY) return undefined;
  const client = new Anthropic({ apiKey: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL || undefined, fetch: noticingFetch(o.sink), logLevel: 'off', timeout: 300_000 });
  return {
    model: o.model,
    async ask(question) {
      const reply = await client.messages.create({ model: o.model, max_tokens: 2048, messages: [{ role: 'user', content: question }] });
      return reply.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    },
  };
}
