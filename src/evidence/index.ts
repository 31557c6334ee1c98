/** The evidence the gates hold the agent's figures to (docs/architecture.md, "Evidence the agent does not control"). */
export type { TreeVerdict } from './evaluated-tree.js';
export type { Evidence, EvidenceOutcome, Signal } from './evidence-checks.js';
