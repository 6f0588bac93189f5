"""Confidence intervals for eval metrics: Wilson for proportions, a seeded bootstrap for means."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a proportion `successes / n` (default 95%).

    Better than the normal approximation for the small n and extreme rates of eval sets.
    Returns (0.0, 1.0) when n == 0.
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def bootstrap_ci(
    values: Sequence[float],
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval for the mean of `values` (for non-binary per-question
    scores such as MRR or citation precision). Deterministic for a given `seed`. Raises
    `ValueError` when `values` is empty."""
    if not values:
        raise ValueError("no values")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    rng = random.Random(seed)
    n = len(values)
    data = [float(v) for v in values]
    means = sorted(sum(rng.choices(data, k=n)) / n for _ in range(n_resamples))
    alpha = (1.0 - confidence) / 2.0
    lo_idx = min(n_resamples - 1, max(0, math.floor(alpha * n_resamples)))
    hi_idx = min(n_resamples - 1, max(0, math.ceil((1.0 - alpha) * n_resamples) - 1))
    return (means[lo_idx], means[hi_idx])
