"""Apply per-token advantages written by `ibtpo advantages` in a clipped policy-gradient loss,
the way a TRL (GRPOTrainer) or verl (dp_actor) user writes it. numpy stands in for torch: the
arrays below are the tensors those trainers build, with the same shapes and the same masking.

    ibtpo advantages examples/rollouts.sample.jsonl --out advantages.jsonl
    python3 examples/python/apply_advantages.py advantages.jsonl

Fields of a line and the tensors they become (B lines, T = longest response):

| line field                             | here              | TRL GRPOTrainer       | verl (DataProto batch) |
| -------------------------------------- | ----------------- | --------------------- | ---------------------- |
| `advantages` (one per response token)  | advantages [B, T] | advantages (note 1)   | advantages [B, T]      |
| `logprobs` / `logprobs.token_logprobs` | old_logps [B, T]  | old_per_token_logps   | old_log_probs          |
| `tokens` / `logprobs.tokens`           | (lengths only)    | completion_ids        | responses              |
| response length (padding excluded)     | mask [B, T]       | completion_mask       | response_mask          |
| `reward`                               | (already used)    | rewards               | token_level_scores     |
| `prompt_id`                            | (already used)    | num_generations group | non_tensor_batch uid   |

Note 1: TRL holds one advantage per sequence, [B], unsqueezed to [B, 1] in the loss; IB-TPO's
differ from token to token, so here (and in a patched TRL) they are a [B, T] tensor.

The advantages already hold the group/tree normalisation, so the trainer's own advantage step
(TRL's group mean/std, verl's compute_advantage) is skipped: they go straight into the loss.
Lines of the text format carry one advantage per step, not per token: spread each step's number
over that step's tokens with your tokenizer before building these arrays.
"""

import argparse
import json
import sys

import numpy as np


def read_lines(path):
    """The advantages and old log-probs of each line (tokens or openai format)."""
    advantages, old_logps = [], []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            logprobs = record.get("logprobs")
            if isinstance(logprobs, dict):
                logprobs = logprobs.get("token_logprobs")
            if "advantages" not in record or not isinstance(logprobs, list):
                sys.exit(f"{path}:{number}: needs 'advantages' and per-token log-probs (tokens or openai format)")
            if len(record["advantages"]) != len(logprobs):
                sys.exit(f"{path}:{number}: {len(record['advantages'])} advantages for {len(logprobs)} tokens")
            advantages.append(record["advantages"])
            old_logps.append(logprobs)
    return advantages, old_logps


def padded(rows, length):
    """Right-padded [B, T] array (padding is 0 and masked out)."""
    out = np.zeros((len(rows), length))
    for index, row in enumerate(rows):
        out[index, : len(row)] = row
    return out


def clipped_policy_loss(new_logps, old_logps, advantages, mask, epsilon_low, epsilon_high):
    """PPO's clipped surrogate per token, aggregated token-mean over the batch (TRL loss_type
    'dapo' / verl loss_agg_mode 'token-mean'); returns the loss and the clipped token fraction."""
    ratio = np.exp(new_logps - old_logps)
    unclipped = ratio * advantages
    clipped = np.clip(ratio, 1 - epsilon_low, 1 + epsilon_high) * advantages
    per_token_loss = -np.minimum(unclipped, clipped)
    loss = (per_token_loss * mask).sum() / mask.sum()
    clip_fraction = ((clipped < unclipped) * mask).sum() / mask.sum()
    return loss, clip_fraction


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", help="JSONL written by `ibtpo advantages`")
    parser.add_argument("--epsilon", type=float, default=0.2, help="lower clip range (TRL epsilon, verl clip_ratio_low)")
    parser.add_argument("--epsilon-high", type=float, default=0.28, help="upper clip range (TRL epsilon_high, verl clip_ratio_high)")
    parser.add_argument("--shift", type=float, default=0.1, help="std of the stand-in policy's log-prob change (0: the sampling policy itself)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    advantage_rows, logp_rows = read_lines(args.file)
    length = max(len(row) for row in advantage_rows)
    advantages = padded(advantage_rows, length)
    old_logps = padded(logp_rows, length)
    mask = padded([[1.0] * len(row) for row in advantage_rows], length)
    # No model here: the current policy's log-probs are the old ones moved by seeded noise, as
    # after a few optimizer steps; with --shift 0 the ratio is 1 and the loss is -mean(A).
    rng = np.random.default_rng(args.seed)
    new_logps = old_logps + args.shift * rng.standard_normal(old_logps.shape) * mask

    loss, clip_fraction = clipped_policy_loss(new_logps, old_logps, advantages, mask, args.epsilon, args.epsilon_high)
    print(f"sequences: {advantages.shape[0]}")
    print(f"tokens: {int(mask.sum())}")
    print(f"mean_advantage: {(advantages * mask).sum() / mask.sum():.12g}")
    print(f"loss: {loss:.12g}")
    print(f"clip_fraction: {clip_fraction:.12g}")


if __name__ == "__main__":
    main()
