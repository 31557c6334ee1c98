"""Per-query timing and draft acceptance, as the evaluation reports them."""
import math


class InferenceStats:
    def __init__(self):
        self.reset()

    def reset(self):
        self.step_ms = []          # wall time of each policy query (one action chunk)
        self.draft_ms = []
        self.proposed = 0
        self.accepted = 0

    def record_step(self, seconds, draft_seconds):
        self.step_ms.append(seconds * 1000.0)
        self.draft_ms.append(draft_seconds * 1000.0)

    def record_proposals(self, proposed, accepted):
        self.proposed += proposed
        self.accepted += accepted

    @property
    def acceptance_rate(self):
        """Share of drafted levels the main model accepted; None when nothing was drafted."""
        return self.accepted / self.proposed if self.proposed else None

    def summary(self):
        n = len(self.step_ms)
        mean = sum(self.step_ms) / n if n else 0.0
        draft = sum(self.draft_ms) / n if n else 0.0
        std = math.sqrt(sum((x - mean) ** 2 for x in self.step_ms) / (n - 1)) if n > 1 else 0.0
        ordered = sorted(self.step_ms)
        pct = (lambda q: ordered[min(n - 1, int(q * n))] if n else 0.0)
        return {"steps": n, "mean_ms": mean, "std_ms": std, "p50_ms": pct(0.5), "p90_ms": pct(0.9),
                "draft_ms": draft, "main_ms": mean - draft, "acceptance_rate": self.acceptance_rate,
                "proposed_levels": self.proposed, "accepted_levels": self.accepted}
